import { oneOf } from "./parsers.js";
import { defineSettings } from "./setting.js";

export const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export const LOGGING_SETTINGS = defineSettings({
  title: "Logs",
  about: ["JSON lines on stdout (pretty in a development terminal)."],
  settings: {
    LOG_LEVEL: { meaning: "fatal, error, warn, info, debug, trace or silent", default: "info", parse: oneOf(LOG_LEVELS) },
  },
});
