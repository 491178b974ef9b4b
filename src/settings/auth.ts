import { createPublicKey } from "node:crypto";
import { boolean, integer, secret, text, url } from "./parsers.js";
import { defineSettings, Invalid, type SettingsReader } from "./setting.js";

/** The gateway's rule for AUTH_JWT_SECRET; `npm run token` refuses a shorter secret the same way. */
export const MIN_JWT_SECRET_LENGTH = 32;
/**
 * The HS256 secret `npm run token` signs with when AUTH_JWT_SECRET is unset, and the one the docs' worked example
 * starts the gateway with: long enough for the gateway, and refused in production, where a secret printed in the
 * documentation would let anyone mint tokens.
 */
export const DEVELOPMENT_JWT_SECRET = "referrals-gateway-development-secret-not-for-production";

/** Where the keys that verify callers' JWTs come from; one of the three, or none (authentication off). */
export type JwtKeySource = { kind: "jwks"; url: string } | { kind: "publicKey"; pem: string } | { kind: "secret"; secret: string };

export interface AuthConfig {
  /** null: authentication is off (development without keys, or AUTH_DISABLED=true). */
  keySource: JwtKeySource | null;
  issuer: string | null;
  audience: string | null;
  /** Routers prove themselves with X-Router-Secret to see `_service` and inline traces. */
  routerSecret: string | null;
  /** Estimated upstream calls one caller may spend per minute; 0 turns the budget off. */
  callerBudgetPerMinute: number;
}

const LOOPBACK_HOSTS = new Set(["localhost", "127.0.0.1", "[::1]"]);
const HTTPS_ONLY = "must be https (plain http only on loopback)";

export const AUTH_SETTINGS = defineSettings({
  title: "Who may call",
  about: ["Set exactly one key source; production refuses to start without one unless AUTH_DISABLED=true."],
  settings: {
    AUTH_JWT_JWKS_URL: {
      meaning: "JWKS URL whose keys verify callers' bearer JWTs (refetched on an unknown kid)",
      example: "https://login.example.com/.well-known/jwks.json",
      parse: url({
        schemes: ["https:", "http:"],
        schemeProblem: HTTPS_ONLY,
        echo: true,
        check: (jwks) => (jwks.protocol === "http:" && !LOOPBACK_HOSTS.has(jwks.hostname) ? `AUTH_JWT_JWKS_URL ${HTTPS_ONLY}` : null),
      }),
    },
    AUTH_JWT_PUBLIC_KEY: {
      meaning: "PEM public key (RSA or EC) that verifies callers' bearer JWTs (RS256/ES256)",
      example: '"-----BEGIN PUBLIC KEY-----\\n...\\n-----END PUBLIC KEY-----"',
      parse: (raw, name) => {
        // Environment files often carry a PEM on one line with literal "\n"s.
        const pem = raw.replace(/\\n/g, "\n");
        try {
          const type = createPublicKey(pem).asymmetricKeyType;
          if (type !== "rsa" && type !== "ec") return new Invalid(`${name} must be an RSA or EC key; got ${type}`);
        } catch {
          return new Invalid(`${name} is not a PEM public key`);
        }
        return pem;
      },
    },
    AUTH_JWT_SECRET: {
      meaning: "HS256 secret (32+ characters) that verifies callers' bearer JWTs; for development and tests",
      example: "at-least-32-characters-for-development-only",
      parse: secret(MIN_JWT_SECRET_LENGTH),
    },
    AUTH_JWT_ISSUER: {
      meaning: "Required iss claim of callers' JWTs",
      defaultText: "unset (not checked)",
      example: "https://login.example.com/",
      parse: text,
    },
    AUTH_JWT_AUDIENCE: {
      meaning: "Required aud claim of callers' JWTs",
      defaultText: "unset (not checked)",
      example: "referrals-gateway",
      parse: text,
    },
    AUTH_DISABLED: {
      meaning: "true: no authentication, every caller may do everything (production refuses to start without keys unless this is set)",
      default: false,
      example: "false",
      parse: boolean(),
    },
    ROUTER_SECRET: {
      meaning: "Shared secret of the federation router: _service and inline traces only for requests with X-Router-Secret",
      defaultText: "unset (development: both open; production: both off)",
      example: "",
      parse: secret(16),
    },
    CALLER_BUDGET_PER_MINUTE: {
      meaning: "Estimated upstream calls one caller (JWT sub, or client address with auth off) may spend per minute; 0 = no budget",
      // Ten estimated upstream calls a second per caller: a person paging with customer names never meets it.
      default: 600,
      parse: integer(0, 10_000_000),
    },
  },
});

const KEY_SOURCES = ["AUTH_JWT_JWKS_URL", "AUTH_JWT_PUBLIC_KEY", "AUTH_JWT_SECRET"] as const;

/** The key source (only one may be given, and none with AUTH_DISABLED), the claims required, the router's secret. */
export function loadAuth(settings: SettingsReader<typeof AUTH_SETTINGS.settings>): AuthConfig {
  const disabled = settings.read("AUTH_DISABLED");
  const given = KEY_SOURCES.filter((name) => settings.isSet(name));
  if (given.length > 1) settings.problems.push(`Set only one of ${KEY_SOURCES.join(", ")}; got ${given.join(" and ")}`);
  if (disabled && given.length > 0) settings.problems.push(`AUTH_DISABLED=true contradicts ${given.join(" and ")}: remove one`);
  // The first one given is the one checked (and used): the others are refused above.
  let keySource: JwtKeySource | null = null;
  if (given[0] === "AUTH_JWT_JWKS_URL") {
    const jwks = settings.read("AUTH_JWT_JWKS_URL");
    keySource = jwks === null ? null : { kind: "jwks", url: jwks };
  } else if (given[0] === "AUTH_JWT_PUBLIC_KEY") {
    const pem = settings.read("AUTH_JWT_PUBLIC_KEY");
    keySource = pem === null ? null : { kind: "publicKey", pem };
  } else if (given[0] === "AUTH_JWT_SECRET") {
    const key = settings.read("AUTH_JWT_SECRET");
    keySource = key === null ? null : { kind: "secret", secret: key };
  }
  const routerSecret = settings.read("ROUTER_SECRET");
  return {
    keySource: disabled ? null : keySource,
    issuer: settings.read("AUTH_JWT_ISSUER"),
    audience: settings.read("AUTH_JWT_AUDIENCE"),
    routerSecret,
    callerBudgetPerMinute: settings.read("CALLER_BUDGET_PER_MINUTE"),
  };
}
