import { port } from "./parsers.js";
import { defineSettings, Invalid } from "./setting.js";

/**
 * Where GET /metrics is served. Metrics name operations, error counts by code and cache figures: production serves
 * them on the public PORT only behind METRICS_TOKEN, or on METRICS_PORT's own listener, and otherwise not at all.
 */
export type MetricsPlacement = "public-port" | "own-port" | "off";

export const METRICS_SETTINGS = defineSettings({
  title: "GET /metrics (Prometheus)",
  about: ["In production /metrics is served on PORT only with METRICS_TOKEN, or on METRICS_PORT; otherwise it is off."],
  settings: {
    METRICS_TOKEN: {
      meaning:
        "When set, GET /metrics requires Authorization: Bearer <token> (16-512 visible ASCII characters); " +
        "production serves /metrics on PORT only with it",
      defaultText: "unset (development: open; production: /metrics off unless METRICS_TOKEN or METRICS_PORT)",
      example: "",
      // Never echo the value: it is a secret.
      parse: (raw, name) =>
        /^[\x21-\x7e]{16,512}$/.test(raw) ? raw : new Invalid(`${name} must be 16 to 512 visible ASCII characters (no spaces)`),
    },
    METRICS_PORT: {
      meaning: "When set, /metrics is served only on this port of HOST, not on PORT (0 = ephemeral)",
      defaultText: "unset (PORT)",
      example: "9464",
      parse: port,
    },
  },
});
