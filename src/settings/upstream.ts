import { boolean, integer, text, url } from "./parsers.js";
import { defineSettings, Invalid, type SettingsReader } from "./setting.js";

export interface VoucherifyConfig {
  /** null: start the embedded emulator and use it. */
  apiUrl: string | null;
  appId: string | null;
  appToken: string | null;
  timeoutMs: number;
  maxConcurrency: number;
  /** Forward a client's own X-App-Id/X-App-Token (multi-tenant); off unless the operator turns it on. */
  allowClientCredentials: boolean;
}

const apiUrl = url({ schemes: ["https:", "http:"], schemeProblem: "must be an http or https URL", echo: true });

export const UPSTREAM_SETTINGS = defineSettings({
  title: "Voucherify",
  about: ["Real Voucherify: set all three. Leave VOUCHERIFY_API_URL unset to run on the embedded emulator."],
  settings: {
    VOUCHERIFY_API_URL: {
      meaning: "Voucherify base URL (any cluster); unset = start the embedded emulator",
      example: "https://api.voucherify.io",
      parse: (raw, name) => {
        const checked = apiUrl(raw, name);
        if (checked instanceof Invalid) return checked;
        const parsed = new URL(raw);
        if (parsed.username || parsed.password) {
          return new Invalid(`${name} must not carry credentials; use VOUCHERIFY_APP_ID and VOUCHERIFY_APP_TOKEN`);
        }
        return raw.replace(/\/+$/, "");
      },
    },
    VOUCHERIFY_APP_ID: {
      meaning: "Voucherify application id (required with VOUCHERIFY_API_URL unless ALLOW_CLIENT_CREDENTIALS)",
      defaultText: "emulator's",
      example: "",
      parse: text,
    },
    VOUCHERIFY_APP_TOKEN: {
      meaning: "Voucherify secret key (required with VOUCHERIFY_API_URL unless ALLOW_CLIENT_CREDENTIALS)",
      defaultText: "emulator's",
      example: "",
      parse: text,
    },
    VOUCHERIFY_TIMEOUT_MS: { meaning: "Time budget of one upstream call, retries included", default: 5000, parse: integer(100, 120_000) },
    VOUCHERIFY_MAX_CONCURRENCY: { meaning: "Upstream requests in flight from one process, at most", default: 64, parse: integer(1, 1024) },
    ALLOW_CLIENT_CREDENTIALS: {
      meaning: "true: a request's own X-App-Id/X-App-Token are forwarded upstream",
      default: false,
      parse: boolean(),
    },
  },
});

type UpstreamSettings = SettingsReader<typeof UPSTREAM_SETTINGS.settings>;

/** The upstream's address and credentials, which go together; timeout and concurrency are read by readUpstreamLimits. */
export function loadUpstreamAddress(
  settings: UpstreamSettings,
): Pick<VoucherifyConfig, "apiUrl" | "appId" | "appToken" | "allowClientCredentials"> {
  const apiUrlValue = settings.read("VOUCHERIFY_API_URL");
  const apiUrlSet = settings.isSet("VOUCHERIFY_API_URL");
  const allowClientCredentials = settings.read("ALLOW_CLIENT_CREDENTIALS");
  const appId = settings.read("VOUCHERIFY_APP_ID");
  const appToken = settings.read("VOUCHERIFY_APP_TOKEN");
  if (apiUrlSet && !allowClientCredentials) {
    if (appId === null) settings.problems.push("VOUCHERIFY_API_URL is set but VOUCHERIFY_APP_ID is missing");
    if (appToken === null) settings.problems.push("VOUCHERIFY_API_URL is set but VOUCHERIFY_APP_TOKEN is missing");
  }
  if ((!apiUrlSet || allowClientCredentials) && (appId === null) !== (appToken === null)) {
    const [given, missing] = appId === null ? ["VOUCHERIFY_APP_TOKEN", "VOUCHERIFY_APP_ID"] : ["VOUCHERIFY_APP_ID", "VOUCHERIFY_APP_TOKEN"];
    settings.problems.push(`${given} is set but ${missing} is missing`);
  }
  return { apiUrl: apiUrlValue, appId, appToken, allowClientCredentials };
}
