import { integer, oneOf } from "./parsers.js";
import { bytesDefault, defineSettings } from "./setting.js";
import { KIB, MIB } from "../lib/byte-size.js";

export const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export const LOGGING_SETTINGS = defineSettings({
  title: "Logs",
  about: [
    "JSON lines on stdout (pretty in a development terminal). A reader that stops reading never stops the gateway:",
    "lines beyond LOG_MAX_BUFFERED_BYTES are dropped, counted (gateway_log_lines_dropped_total) and reported when it reads again.",
  ],
  settings: {
    LOG_LEVEL: { meaning: "fatal, error, warn, info, debug, trace or silent", default: "info", parse: oneOf(LOG_LEVELS) },
    LOG_MAX_BUFFERED_BYTES: {
      meaning:
        "Log output waiting for stdout's reader, at most (bytes); while a stalled reader keeps it full, " +
        "further lines are dropped and counted",
      ...bytesDefault(4 * MIB),
      parse: integer(64 * KIB, 1024 * MIB),
    },
  },
});
