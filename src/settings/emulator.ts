import { boolean, port, text } from "./parsers.js";
import { defineSettings } from "./setting.js";

/** `npm run emulator` alone listens here when EMULATOR_PORT is unset (the embedded one takes a free port). */
export const STANDALONE_EMULATOR_PORT = 4010;

export const EMULATOR_SETTINGS = defineSettings({
  title: "Embedded emulator (only without VOUCHERIFY_API_URL), and `npm run emulator`",
  about: [
    "`npm run emulator` alone also reads HOST, and accepts the EMULATOR_APP_* credentials (the embedded one the demo ones).",
    "Production refuses to start on the embedded emulator (its demo data) unless EMULATOR_IN_PRODUCTION=true.",
  ],
  settings: {
    EMULATOR_PORT: {
      meaning: `Embedded emulator port (npm run emulator: ${STANDALONE_EMULATOR_PORT})`,
      default: 0,
      gloss: "(ephemeral)",
      parse: port,
    },
    EMULATOR_DB: { meaning: "Emulator SQLite file, or :memory:", default: ".data/emulator.sqlite", parse: text },
    EMULATOR_IN_PRODUCTION: {
      meaning:
        "true: NODE_ENV=production without VOUCHERIFY_API_URL serves the embedded emulator's demo data on purpose " +
        "(a demo install); otherwise production refuses to start without VOUCHERIFY_API_URL",
      default: false,
      example: "false",
      parse: boolean(),
    },
    EMULATOR_APP_ID: {
      meaning: "npm run emulator only: the X-App-Id it accepts",
      default: "demo-app-id",
      example: "demo-app-id",
      parse: text,
    },
    EMULATOR_APP_TOKEN: {
      meaning: "npm run emulator only: the X-App-Token it accepts",
      default: "demo-app-token",
      example: "demo-app-token",
      parse: text,
    },
  },
});
