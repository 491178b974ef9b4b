/**
 * Environment -> typed, validated configuration. The settings themselves (name, meaning, default, parser) are declared
 * once, in the tables of src/settings/; this file reads them into the Config the gateway runs with, adds the rules that
 * combine several concerns (production's safety rules among them), and reports every problem at once, each in its
 * own words.
 */
import { DEVELOPMENT_JWT_SECRET, loadAuth, type AuthConfig } from "./settings/auth.js";
import { settingsReader } from "./settings/catalogue.js";
import { loadHttpLimits, type HttpLimitsConfig } from "./settings/http.js";
import type { LogLevel } from "./settings/logging.js";
import type { MetricsPlacement } from "./settings/metrics.js";
import type { Env } from "./settings/setting.js";
import { loadSharedState, type SharedStateConfig } from "./settings/shared-state.js";
import { loadTracing, type TracingConfig } from "./settings/tracing.js";
import { loadTrustedDocuments, type TrustedDocumentsConfig } from "./settings/trusted-documents.js";
import { loadUpstreamAddress, type VoucherifyConfig } from "./settings/upstream.js";

export { ENVIRONMENT } from "./settings/catalogue.js";
export type { AuthConfig, JwtKeySource } from "./settings/auth.js";
export { DEVELOPMENT_JWT_SECRET, MIN_JWT_SECRET_LENGTH } from "./settings/auth.js";
export type { HttpLimitsConfig } from "./settings/http.js";
export type { MetricsPlacement } from "./settings/metrics.js";
export type { RedisSentinelConfig, SharedStateConfig } from "./settings/shared-state.js";
export type { TrustedDocumentsConfig } from "./settings/trusted-documents.js";
export type { VoucherifyConfig } from "./settings/upstream.js";

export interface Config {
  port: number;
  host: string;
  production: boolean;
  introspection: boolean;
  landingPage: boolean;
  logLevel: LogLevel;
  /** Log output held for stdout's reader, at most; beyond it lines are dropped and counted (src/observability/log-destination.ts). */
  logMaxBufferedBytes: number;
  /** Longest one GraphQL operation may run, all its upstream calls included. */
  operationTimeoutMs: number;
  /** Most upstream calls one operation may be estimated to make (src/limits): size it to the Voucherify plan. */
  maxOperationCost: number;
  voucherify: VoucherifyConfig;
  auth: AuthConfig;
  /** GET /metrics: a bearer token it requires (null: open), its own port on HOST (null: the main port), and where it is served. */
  metrics: { token: string | null; port: number | null; served: MetricsPlacement };
  http: HttpLimitsConfig;
  /** Browser origins allowed to call /graphql (exact, normalised); empty = no CORS headers, same origin only. */
  corsOrigins: string[];
  /**
   * `embedded`: VOUCHERIFY_API_URL is unset, so main.ts starts the emulator in-process (set or not, valid or not: a
   * bad URL is its own problem, never a reason to fall back to the demo data). `inProduction`: EMULATOR_IN_PRODUCTION.
   */
  emulator: { port: number; dbFile: string; embedded: boolean; inProduction: boolean };
  sharedState: SharedStateConfig;
  /** OpenTelemetry traces over OTLP/HTTP (src/observability/tracing.ts); null: off, and no SDK is loaded. */
  tracing: TracingConfig | null;
  trustedDocuments: TrustedDocumentsConfig;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

/** The configuration, or ConfigError listing every problem found. */
export function loadConfig(env: Env = process.env): Config {
  const { config, problems } = readConfig(env);
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

/**
 * Every setting read and every problem found, without throwing: a bad value reads as its default. main.ts adds the
 * problems only a start can find (the emulator, the trusted documents) and reports them all in one pass.
 */
export function readConfig(env: Env = process.env): { config: Config; problems: string[] } {
  const settings = settingsReader(env);
  const problems = settings.problems;
  const production = settings.read("NODE_ENV") === "production";
  const voucherify = loadUpstreamAddress(settings);
  const logLevel = settings.read("LOG_LEVEL");
  const maxOperationCost = settings.read("GRAPHQL_MAX_COST");
  const auth = loadAuth(settings);
  const keyGiven = ["AUTH_JWT_JWKS_URL", "AUTH_JWT_PUBLIC_KEY", "AUTH_JWT_SECRET"] as const;
  if (production && !settings.read("AUTH_DISABLED") && !keyGiven.some((name) => settings.isSet(name))) {
    problems.push(
      "NODE_ENV=production needs to know who is calling: set AUTH_JWT_JWKS_URL, AUTH_JWT_PUBLIC_KEY or AUTH_JWT_SECRET " +
        "(or AUTH_DISABLED=true when something in front of the gateway authenticates every request)",
    );
  }
  if (production && auth.keySource?.kind === "secret" && auth.keySource.secret === DEVELOPMENT_JWT_SECRET) {
    problems.push("AUTH_JWT_SECRET is the documented development secret: anyone can mint tokens with it; set your own");
  }
  if (auth.callerBudgetPerMinute > 0 && auth.callerBudgetPerMinute < maxOperationCost) {
    problems.push(
      `CALLER_BUDGET_PER_MINUTE (${auth.callerBudgetPerMinute}) is below GRAPHQL_MAX_COST (${maxOperationCost}): ` +
        "the largest allowed operation could never run",
    );
  }
  const metricsToken = settings.read("METRICS_TOKEN");
  const port = settings.read("PORT");
  const metricsPort = settings.read("METRICS_PORT");
  if (metricsPort !== null && metricsPort !== 0 && metricsPort === port)
    problems.push(`METRICS_PORT must differ from PORT; both are ${port}`);
  const http = loadHttpLimits(settings);
  const corsOrigins = settings.read("CORS_ORIGINS") ?? [];
  const config: Config = {
    port,
    host: settings.read("HOST"),
    production,
    introspection: settings.read("GRAPHQL_INTROSPECTION") ?? !production,
    landingPage: settings.read("GRAPHQL_LANDING_PAGE") ?? !production,
    operationTimeoutMs: settings.read("OPERATION_TIMEOUT_MS"),
    maxOperationCost,
    logLevel,
    logMaxBufferedBytes: settings.read("LOG_MAX_BUFFERED_BYTES"),
    voucherify: {
      ...voucherify,
      timeoutMs: settings.read("VOUCHERIFY_TIMEOUT_MS"),
      maxConcurrency: settings.read("VOUCHERIFY_MAX_CONCURRENCY"),
    },
    auth,
    metrics: {
      token: metricsToken,
      port: metricsPort,
      served: metricsPort !== null ? "own-port" : metricsToken !== null || !production ? "public-port" : "off",
    },
    http,
    corsOrigins,
    emulator: {
      port: settings.read("EMULATOR_PORT"),
      dbFile: settings.read("EMULATOR_DB"),
      embedded: !settings.isSet("VOUCHERIFY_API_URL"),
      inProduction: settings.read("EMULATOR_IN_PRODUCTION"),
    },
    sharedState: loadSharedState(settings),
    tracing: loadTracing(settings),
    trustedDocuments: loadTrustedDocuments(settings),
  };
  return { config, problems };
}
