/** Environment -> typed, validated configuration. Every bad value is reported, each with its own message. */
import { createPublicKey } from "node:crypto";
import { corsOriginProblem } from "./cors-origins.js";
import { MAX_OPERATION_COST } from "./limits/operation-limits.js";

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

/** How the HTTP server treats slow, idle and numerous clients (src/server.ts). */
export interface HttpLimitsConfig {
  /** Time to receive a request's headers, counted from its first byte (or from the connection for the first one). */
  headersTimeoutMs: number;
  /** Time to receive a whole request, headers and body; the operation that follows is bounded by operationTimeoutMs. */
  requestTimeoutMs: number;
  /** How long an idle keep-alive connection is kept between requests. */
  keepAliveTimeoutMs: number;
  /** Open client connections at most; further ones are closed as they arrive. */
  maxConnections: number;
  /** Request bodies being received, all requests together, at most (bytes). */
  maxBufferedBodyBytes: number;
}

export interface Config {
  port: number;
  host: string;
  production: boolean;
  introspection: boolean;
  landingPage: boolean;
  logLevel: "fatal" | "error" | "warn" | "info" | "debug" | "trace" | "silent";
  /** Longest one GraphQL operation may run, all its upstream calls included. */
  operationTimeoutMs: number;
  /** Most upstream calls one operation may be estimated to make (src/limits): size it to the Voucherify plan. */
  maxOperationCost: number;
  voucherify: VoucherifyConfig;
  auth: AuthConfig;
  /** GET /metrics: a bearer token it requires (null: open), and its own port on HOST (null: the main port). */
  metrics: { token: string | null; port: number | null };
  http: HttpLimitsConfig;
  /** Browser origins allowed to call /graphql (exact, normalised); empty = no CORS headers, same origin only. */
  corsOrigins: string[];
  emulator: { port: number; dbFile: string };
  sharedState: SharedStateConfig;
  trustedDocuments: TrustedDocumentsConfig;
}

/** Operations registered ahead by the apps (src/documents): loaded and checked at start. */
export interface TrustedDocumentsConfig {
  /** Manifest files (Apollo's persisted query manifest, or a `{"<id>": "<document>"}` map), as given. */
  manifests: string[];
  /** Safelisting: every other document is refused before parsing (the router excepted). */
  only: boolean;
}

/** What replicas share (src/shared-state): through Redis when redisUrl is set, otherwise in this process. */
export interface SharedStateConfig {
  /** redis://host:port/db; null: the stores live in-process (one replica). */
  redisUrl: string | null;
  /** Longest wait for one Redis command before the gateway goes on without it (uncached, unshared). */
  redisTimeoutMs: number;
  /** How long a holder page / a customer is served from the cache; 0 turns that cache off. */
  holdersTtlMs: number;
  customersTtlMs: number;
  /** The Voucherify plan's quota per minute, all replicas together; null: not enforced (only 429s are). */
  quotaPerMinute: number | null;
  /** In-process cache bounds (without Redis). */
  memoryMaxEntries: number;
  memoryMaxBytes: number;
}

/** Ten estimated upstream calls a second per caller: a person paging with customer names never meets it. */
export const DEFAULT_CALLER_BUDGET_PER_MINUTE = 600;

/** Defaults, written once: loadConfig falls back to them and ENVIRONMENT prints them (--help, .env.example, README). */
const DEFAULTS = {
  PORT: 4000,
  HOST: "127.0.0.1",
  VOUCHERIFY_TIMEOUT_MS: 5000,
  VOUCHERIFY_MAX_CONCURRENCY: 64,
  EMULATOR_PORT: 0,
  EMULATOR_DB: ".data/emulator.sqlite",
  OPERATION_TIMEOUT_MS: 30_000,
  HTTP_HEADERS_TIMEOUT_MS: 10_000,
  HTTP_REQUEST_TIMEOUT_MS: 30_000,
  HTTP_KEEP_ALIVE_TIMEOUT_MS: 65_000,
  HTTP_MAX_CONNECTIONS: 1000,
  HTTP_MAX_BUFFERED_BODY_BYTES: 32 * 1024 * 1024,
  LOG_LEVEL: "info",
  REDIS_TIMEOUT_MS: 100,
  CACHE_HOLDERS_TTL_MS: 5000,
  CACHE_CUSTOMERS_TTL_MS: 60_000,
  CACHE_MAX_ENTRIES: 10_000,
  CACHE_MAX_BYTES: 64 * 1024 * 1024,
} as const;

/** Every variable the gateway reads, for `--help`, `.env.example` and the README. */
export const ENVIRONMENT: ReadonlyArray<{ name: string; meaning: string; default: string }> = [
  {
    name: "PORT",
    meaning: "Port the gateway listens on (GraphQL at /graphql, Sandbox at / outside production)",
    default: String(DEFAULTS.PORT),
  },
  { name: "HOST", meaning: "Interface the gateway listens on", default: DEFAULTS.HOST },
  { name: "VOUCHERIFY_API_URL", meaning: "Voucherify base URL (any cluster); unset = start the embedded emulator", default: "unset" },
  {
    name: "VOUCHERIFY_APP_ID",
    meaning: "Voucherify application id (required with VOUCHERIFY_API_URL unless ALLOW_CLIENT_CREDENTIALS)",
    default: "emulator's",
  },
  {
    name: "VOUCHERIFY_APP_TOKEN",
    meaning: "Voucherify secret key (required with VOUCHERIFY_API_URL unless ALLOW_CLIENT_CREDENTIALS)",
    default: "emulator's",
  },
  {
    name: "VOUCHERIFY_TIMEOUT_MS",
    meaning: "Time budget of one upstream call, retries included",
    default: String(DEFAULTS.VOUCHERIFY_TIMEOUT_MS),
  },
  {
    name: "VOUCHERIFY_MAX_CONCURRENCY",
    meaning: "Upstream requests in flight from one process, at most",
    default: String(DEFAULTS.VOUCHERIFY_MAX_CONCURRENCY),
  },
  { name: "ALLOW_CLIENT_CREDENTIALS", meaning: "true: a request's own X-App-Id/X-App-Token are forwarded upstream", default: "false" },
  { name: "EMULATOR_PORT", meaning: "Embedded emulator port (npm run emulator: 4010)", default: `${DEFAULTS.EMULATOR_PORT} (ephemeral)` },
  { name: "EMULATOR_DB", meaning: "Emulator SQLite file, or :memory:", default: DEFAULTS.EMULATOR_DB },
  { name: "EMULATOR_APP_ID", meaning: "npm run emulator only: the X-App-Id it accepts", default: "demo-app-id" },
  { name: "EMULATOR_APP_TOKEN", meaning: "npm run emulator only: the X-App-Token it accepts", default: "demo-app-token" },
  { name: "NODE_ENV", meaning: "production: introspection, landing page and stack traces off", default: "development" },
  { name: "GRAPHQL_INTROSPECTION", meaning: "Override: true/false for introspection", default: "on outside production" },
  { name: "GRAPHQL_LANDING_PAGE", meaning: "Override: true/false for the Apollo Sandbox landing page", default: "on outside production" },
  {
    name: "OPERATION_TIMEOUT_MS",
    meaning: "Longest one GraphQL operation may run; then (or when its client goes away) its upstream calls are cancelled",
    default: String(DEFAULTS.OPERATION_TIMEOUT_MS),
  },
  {
    name: "GRAPHQL_MAX_COST",
    meaning: "Most upstream calls one operation may make (estimated before it runs); lower it on small Voucherify plans",
    default: String(MAX_OPERATION_COST),
  },
  { name: "AUTH_JWT_JWKS_URL", meaning: "JWKS URL whose keys verify callers' bearer JWTs (refetched on an unknown kid)", default: "unset" },
  { name: "AUTH_JWT_PUBLIC_KEY", meaning: "PEM public key (RSA or EC) that verifies callers' bearer JWTs (RS256/ES256)", default: "unset" },
  {
    name: "AUTH_JWT_SECRET",
    meaning: "HS256 secret (32+ characters) that verifies callers' bearer JWTs; for development and tests",
    default: "unset",
  },
  { name: "AUTH_JWT_ISSUER", meaning: "Required iss claim of callers' JWTs", default: "unset (not checked)" },
  { name: "AUTH_JWT_AUDIENCE", meaning: "Required aud claim of callers' JWTs", default: "unset (not checked)" },
  {
    name: "AUTH_DISABLED",
    meaning: "true: no authentication, every caller may do everything (production refuses to start without keys unless this is set)",
    default: "false",
  },
  {
    name: "ROUTER_SECRET",
    meaning: "Shared secret of the federation router: _service and inline traces only for requests with X-Router-Secret",
    default: "unset (development: both open; production: both off)",
  },
  {
    name: "CALLER_BUDGET_PER_MINUTE",
    meaning: "Estimated upstream calls one caller (JWT sub, or client address with auth off) may spend per minute; 0 = no budget",
    default: String(DEFAULT_CALLER_BUDGET_PER_MINUTE),
  },
  {
    name: "METRICS_TOKEN",
    meaning: "When set, GET /metrics requires Authorization: Bearer <token> (16-512 visible ASCII characters)",
    default: "unset (open)",
  },
  {
    name: "METRICS_PORT",
    meaning: "When set, /metrics is served only on this port of HOST, not on PORT (0 = ephemeral)",
    default: "unset (PORT)",
  },
  {
    name: "HTTP_HEADERS_TIMEOUT_MS",
    meaning: "Time a client has to send a request's headers; then 408 and the connection is closed",
    default: String(DEFAULTS.HTTP_HEADERS_TIMEOUT_MS),
  },
  {
    name: "HTTP_REQUEST_TIMEOUT_MS",
    meaning: "Time a client has to send a whole request, body included (not the time to answer it); then 408 and close",
    default: String(DEFAULTS.HTTP_REQUEST_TIMEOUT_MS),
  },
  {
    name: "HTTP_KEEP_ALIVE_TIMEOUT_MS",
    meaning: "How long an idle keep-alive connection stays open; keep it above a load balancer's idle timeout",
    default: String(DEFAULTS.HTTP_KEEP_ALIVE_TIMEOUT_MS),
  },
  {
    name: "HTTP_MAX_CONNECTIONS",
    meaning: "Open client connections at most; further ones are closed at once",
    default: String(DEFAULTS.HTTP_MAX_CONNECTIONS),
  },
  {
    name: "HTTP_MAX_BUFFERED_BODY_BYTES",
    meaning: "Request bodies being received, all requests together, at most (bytes); over it: 503",
    default: `${DEFAULTS.HTTP_MAX_BUFFERED_BODY_BYTES} (${DEFAULTS.HTTP_MAX_BUFFERED_BODY_BYTES / 1024 ** 2} MiB)`,
  },
  {
    name: "CORS_ORIGINS",
    meaning: "Comma-separated browser origins allowed to call /graphql (https://app.example.com); unset = same origin only",
    default: "unset",
  },
  {
    name: "REDIS_URL",
    meaning: "redis://host:port/db shared by replicas (cache, quota, 429 back-off, caller budgets); unset = in-process stores",
    default: "unset",
  },
  {
    name: "REDIS_TIMEOUT_MS",
    meaning: "Longest wait for Redis per command; beyond it the gateway serves uncached and unshared until Redis answers again",
    default: String(DEFAULTS.REDIS_TIMEOUT_MS),
  },
  {
    name: "CACHE_HOLDERS_TTL_MS",
    meaning: "How long a holder page is served from the cache (writes through the gateway invalidate it at once); 0 = off",
    default: String(DEFAULTS.CACHE_HOLDERS_TTL_MS),
  },
  {
    name: "CACHE_CUSTOMERS_TTL_MS",
    meaning: "How long a customer is served from the cache (addHolders invalidates the customers it upserts); 0 = off",
    default: String(DEFAULTS.CACHE_CUSTOMERS_TTL_MS),
  },
  {
    name: "CACHE_MAX_ENTRIES",
    meaning: "In-process cache (no REDIS_URL): entries kept at most, least recently used go first",
    default: String(DEFAULTS.CACHE_MAX_ENTRIES),
  },
  {
    name: "CACHE_MAX_BYTES",
    meaning: "In-process cache (no REDIS_URL): bytes of cached answers kept at most",
    default: `${DEFAULTS.CACHE_MAX_BYTES} (${DEFAULTS.CACHE_MAX_BYTES / 1024 ** 2} MiB)`,
  },
  {
    name: "VOUCHERIFY_QUOTA_PER_MINUTE",
    meaning: "The Voucherify plan's requests per minute: all replicas together never send more (RATE_LIMITED instead)",
    default: "unset (only 429s are honoured)",
  },
  {
    name: "TRUSTED_DOCUMENTS",
    meaning: "Comma-separated manifest files of the apps' operations (Apollo persisted query manifest, or {id: document} JSON)",
    default: "unset (the shipped operations only)",
  },
  {
    name: "TRUSTED_DOCUMENTS_ONLY",
    meaning: "true: only trusted documents run (by id or identical text), others get QUERY_NOT_IN_SAFELIST; the router is exempt",
    default: "false",
  },
  { name: "LOG_LEVEL", meaning: "fatal, error, warn, info, debug, trace or silent", default: DEFAULTS.LOG_LEVEL },
];

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;

type Env = Record<string, string | undefined>;

export function loadConfig(env: Env = process.env): Config {
  const problems: string[] = [];
  const text = (name: string) => {
    const value = env[name]?.trim();
    return value ? value : null;
  };
  const integer = (name: string, fallback: number, min: number, max: number) => {
    const raw = text(name);
    if (raw === null) return fallback;
    const value = Number(raw);
    if (!/^\d+$/.test(raw) || value < min || value > max) {
      problems.push(`${name} must be a whole number from ${min} to ${max}; got "${raw}"`);
      return fallback;
    }
    return value;
  };
  const flag = (name: string, fallback: boolean) => {
    const raw = text(name)?.toLowerCase();
    if (raw === undefined || raw === null) return fallback;
    if (["true", "1", "yes", "on"].includes(raw)) return true;
    if (["false", "0", "no", "off"].includes(raw)) return false;
    problems.push(`${name} must be true or false; got "${raw}"`);
    return fallback;
  };

  const production = text("NODE_ENV") === "production";
  const apiUrl = text("VOUCHERIFY_API_URL");
  if (apiUrl !== null) {
    const url = parseUrl(apiUrl, () => problems.push(`VOUCHERIFY_API_URL is not a URL; got "${apiUrl}"`));
    if (url && url.protocol !== "https:" && url.protocol !== "http:") {
      problems.push("VOUCHERIFY_API_URL must be an http or https URL");
    }
    if (url && (url.username || url.password)) {
      problems.push("VOUCHERIFY_API_URL must not carry credentials; use VOUCHERIFY_APP_ID and VOUCHERIFY_APP_TOKEN");
    }
  }
  const allowClientCredentials = flag("ALLOW_CLIENT_CREDENTIALS", false);
  const appId = text("VOUCHERIFY_APP_ID");
  const appToken = text("VOUCHERIFY_APP_TOKEN");
  if (apiUrl !== null && !allowClientCredentials) {
    if (appId === null) problems.push("VOUCHERIFY_API_URL is set but VOUCHERIFY_APP_ID is missing");
    if (appToken === null) problems.push("VOUCHERIFY_API_URL is set but VOUCHERIFY_APP_TOKEN is missing");
  }
  if ((apiUrl === null || allowClientCredentials) && (appId === null) !== (appToken === null)) {
    const [given, missing] = appId === null ? ["VOUCHERIFY_APP_TOKEN", "VOUCHERIFY_APP_ID"] : ["VOUCHERIFY_APP_ID", "VOUCHERIFY_APP_TOKEN"];
    problems.push(`${given} is set but ${missing} is missing`);
  }
  const logLevel = (text("LOG_LEVEL") ?? DEFAULTS.LOG_LEVEL).toLowerCase();
  if (!(LOG_LEVELS as readonly string[]).includes(logLevel)) {
    problems.push(`LOG_LEVEL must be one of ${LOG_LEVELS.join(", ")}; got "${logLevel}"`);
  }
  const maxOperationCost = integer("GRAPHQL_MAX_COST", MAX_OPERATION_COST, 1, 100_000);
  const auth = loadAuthConfig(text, integer, flag, production, maxOperationCost, problems);
  const metricsToken = text("METRICS_TOKEN");
  // Never echo the value: it is a secret.
  if (metricsToken !== null && !/^[\x21-\x7e]{16,512}$/.test(metricsToken)) {
    problems.push("METRICS_TOKEN must be 16 to 512 visible ASCII characters (no spaces)");
  }
  const port = integer("PORT", DEFAULTS.PORT, 0, 65535);
  const metricsPort = text("METRICS_PORT") === null ? null : integer("METRICS_PORT", 0, 0, 65535);
  if (metricsPort !== null && metricsPort !== 0 && metricsPort === port) {
    problems.push(`METRICS_PORT must differ from PORT; both are ${port}`);
  }
  const http: HttpLimitsConfig = {
    headersTimeoutMs: integer("HTTP_HEADERS_TIMEOUT_MS", DEFAULTS.HTTP_HEADERS_TIMEOUT_MS, 100, 600_000),
    requestTimeoutMs: integer("HTTP_REQUEST_TIMEOUT_MS", DEFAULTS.HTTP_REQUEST_TIMEOUT_MS, 100, 3_600_000),
    keepAliveTimeoutMs: integer("HTTP_KEEP_ALIVE_TIMEOUT_MS", DEFAULTS.HTTP_KEEP_ALIVE_TIMEOUT_MS, 100, 600_000),
    maxConnections: integer("HTTP_MAX_CONNECTIONS", DEFAULTS.HTTP_MAX_CONNECTIONS, 1, 1_000_000),
    maxBufferedBodyBytes: integer("HTTP_MAX_BUFFERED_BODY_BYTES", DEFAULTS.HTTP_MAX_BUFFERED_BODY_BYTES, 1024, 64 * 1024 ** 3),
  };
  // Node refuses a request timeout shorter than the headers timeout; say so in our words, at start-up.
  if (http.requestTimeoutMs < http.headersTimeoutMs) {
    problems.push(
      `HTTP_REQUEST_TIMEOUT_MS (${http.requestTimeoutMs}) must be at least HTTP_HEADERS_TIMEOUT_MS (${http.headersTimeoutMs}): ` +
        "it covers the headers and the body",
    );
  }
  const corsOrigins: string[] = [];
  for (const entry of (text("CORS_ORIGINS") ?? "")
    .split(",")
    .map((part) => part.trim())
    .filter(Boolean)) {
    const problem = corsOriginProblem(entry);
    if (problem) problems.push(`CORS_ORIGINS: ${problem}`);
    else if (!corsOrigins.includes(entry)) corsOrigins.push(entry);
  }
  const config: Config = {
    port,
    host: text("HOST") ?? DEFAULTS.HOST,
    production,
    introspection: flag("GRAPHQL_INTROSPECTION", !production),
    landingPage: flag("GRAPHQL_LANDING_PAGE", !production),
    operationTimeoutMs: integer("OPERATION_TIMEOUT_MS", DEFAULTS.OPERATION_TIMEOUT_MS, 100, 600_000),
    maxOperationCost,
    logLevel: (LOG_LEVELS as readonly string[]).includes(logLevel) ? (logLevel as Config["logLevel"]) : DEFAULTS.LOG_LEVEL,
    voucherify: {
      apiUrl: apiUrl?.replace(/\/+$/, "") ?? null,
      appId,
      appToken,
      timeoutMs: integer("VOUCHERIFY_TIMEOUT_MS", DEFAULTS.VOUCHERIFY_TIMEOUT_MS, 100, 120_000),
      maxConcurrency: integer("VOUCHERIFY_MAX_CONCURRENCY", DEFAULTS.VOUCHERIFY_MAX_CONCURRENCY, 1, 1024),
      allowClientCredentials,
    },
    auth,
    metrics: { token: metricsToken, port: metricsPort },
    http,
    corsOrigins,
    emulator: {
      port: integer("EMULATOR_PORT", DEFAULTS.EMULATOR_PORT, 0, 65535),
      dbFile: text("EMULATOR_DB") ?? DEFAULTS.EMULATOR_DB,
    },
    sharedState: loadSharedStateConfig(text, integer, problems),
    trustedDocuments: loadTrustedDocumentsConfig(text, flag, problems),
  };
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

function loadSharedStateConfig(
  text: (name: string) => string | null,
  integer: (name: string, fallback: number, min: number, max: number) => number,
  problems: string[],
): SharedStateConfig {
  const redisUrl = text("REDIS_URL");
  if (redisUrl !== null) {
    // Never echo it: a Redis URL may carry a password.
    const url = parseUrl(redisUrl, () => problems.push("REDIS_URL is not a URL (redis://host:port/db)"));
    if (url && url.protocol !== "redis:" && url.protocol !== "rediss:") problems.push("REDIS_URL must be a redis:// or rediss:// URL");
  }
  const quota = text("VOUCHERIFY_QUOTA_PER_MINUTE") === null ? null : integer("VOUCHERIFY_QUOTA_PER_MINUTE", 0, 1, 10_000_000);
  return {
    redisUrl,
    redisTimeoutMs: integer("REDIS_TIMEOUT_MS", DEFAULTS.REDIS_TIMEOUT_MS, 5, 60_000),
    holdersTtlMs: integer("CACHE_HOLDERS_TTL_MS", DEFAULTS.CACHE_HOLDERS_TTL_MS, 0, 86_400_000),
    customersTtlMs: integer("CACHE_CUSTOMERS_TTL_MS", DEFAULTS.CACHE_CUSTOMERS_TTL_MS, 0, 86_400_000),
    quotaPerMinute: quota === 0 ? null : quota,
    memoryMaxEntries: integer("CACHE_MAX_ENTRIES", DEFAULTS.CACHE_MAX_ENTRIES, 1, 10_000_000),
    memoryMaxBytes: integer("CACHE_MAX_BYTES", DEFAULTS.CACHE_MAX_BYTES, 1024, 64 * 1024 ** 3),
  };
}

function loadTrustedDocumentsConfig(
  text: (name: string) => string | null,
  flag: (name: string, fallback: boolean) => boolean,
  problems: string[],
): TrustedDocumentsConfig {
  const manifests: string[] = [];
  const raw = text("TRUSTED_DOCUMENTS");
  if (raw !== null) {
    const parts = raw.split(",").map((part) => part.trim());
    if (parts.some((part) => part.length === 0)) problems.push(`TRUSTED_DOCUMENTS has an empty entry; got "${raw}"`);
    // The files themselves are read and checked with the schema at start (src/documents), each problem reported there.
    for (const part of parts) if (part && !manifests.includes(part)) manifests.push(part);
  }
  return { manifests, only: flag("TRUSTED_DOCUMENTS_ONLY", false) };
}

const MIN_SECRET_LENGTH = 32;
const MIN_ROUTER_SECRET_LENGTH = 16;
const LOOPBACK_HOSTS = new Set(["localhost", "127.0.0.1", "[::1]"]);

function loadAuthConfig(
  text: (name: string) => string | null,
  integer: (name: string, fallback: number, min: number, max: number) => number,
  flag: (name: string, fallback: boolean) => boolean,
  production: boolean,
  maxOperationCost: number,
  problems: string[],
): AuthConfig {
  const jwksUrl = text("AUTH_JWT_JWKS_URL");
  // Environment files often carry a PEM on one line with literal "\n"s.
  const publicKey = text("AUTH_JWT_PUBLIC_KEY")?.replace(/\\n/g, "\n") ?? null;
  const secret = text("AUTH_JWT_SECRET");
  const disabled = flag("AUTH_DISABLED", false);
  const given = [jwksUrl && "AUTH_JWT_JWKS_URL", publicKey && "AUTH_JWT_PUBLIC_KEY", secret && "AUTH_JWT_SECRET"].filter(Boolean);
  if (given.length > 1)
    problems.push(`Set only one of AUTH_JWT_JWKS_URL, AUTH_JWT_PUBLIC_KEY, AUTH_JWT_SECRET; got ${given.join(" and ")}`);
  if (disabled && given.length > 0) problems.push(`AUTH_DISABLED=true contradicts ${given.join(" and ")}: remove one`);
  if (production && !disabled && given.length === 0) {
    problems.push(
      "NODE_ENV=production needs to know who is calling: set AUTH_JWT_JWKS_URL, AUTH_JWT_PUBLIC_KEY or AUTH_JWT_SECRET " +
        "(or AUTH_DISABLED=true when something in front of the gateway authenticates every request)",
    );
  }
  let keySource: JwtKeySource | null = null;
  if (jwksUrl) {
    const url = parseUrl(jwksUrl, () => problems.push(`AUTH_JWT_JWKS_URL is not a URL; got "${jwksUrl}"`));
    if (url && url.protocol !== "https:" && !(url.protocol === "http:" && LOOPBACK_HOSTS.has(url.hostname))) {
      problems.push("AUTH_JWT_JWKS_URL must be https (plain http only on loopback)");
    }
    keySource = { kind: "jwks", url: jwksUrl };
  } else if (publicKey) {
    try {
      const type = createPublicKey(publicKey).asymmetricKeyType;
      if (type !== "rsa" && type !== "ec") problems.push(`AUTH_JWT_PUBLIC_KEY must be an RSA or EC key; got ${type}`);
    } catch {
      problems.push("AUTH_JWT_PUBLIC_KEY is not a PEM public key");
    }
    keySource = { kind: "publicKey", pem: publicKey };
  } else if (secret) {
    if (secret.length < MIN_SECRET_LENGTH) problems.push(`AUTH_JWT_SECRET must be at least ${MIN_SECRET_LENGTH} characters`);
    keySource = { kind: "secret", secret };
  }
  const routerSecret = text("ROUTER_SECRET");
  if (routerSecret !== null && routerSecret.length < MIN_ROUTER_SECRET_LENGTH) {
    problems.push(`ROUTER_SECRET must be at least ${MIN_ROUTER_SECRET_LENGTH} characters`);
  }
  const callerBudgetPerMinute = integer("CALLER_BUDGET_PER_MINUTE", DEFAULT_CALLER_BUDGET_PER_MINUTE, 0, 10_000_000);
  if (callerBudgetPerMinute > 0 && callerBudgetPerMinute < maxOperationCost) {
    problems.push(
      `CALLER_BUDGET_PER_MINUTE (${callerBudgetPerMinute}) is below GRAPHQL_MAX_COST (${maxOperationCost}): ` +
        "the largest allowed operation could never run",
    );
  }
  return {
    keySource: disabled ? null : keySource,
    issuer: text("AUTH_JWT_ISSUER"),
    audience: text("AUTH_JWT_AUDIENCE"),
    routerSecret,
    callerBudgetPerMinute,
  };
}

/** The URL, or null after telling `invalid` (each setting words its own problem; some must not echo the value). */
function parseUrl(raw: string, invalid: () => void): URL | null {
  if (URL.canParse(raw)) return new URL(raw);
  invalid();
  return null;
}
