import { ConfigError, ENVIRONMENT, readConfig, type Config } from "./config.js";
import { EmulatorUnavailableError } from "./emulator/unavailable.js";
import { TrustedDocumentsError } from "./documents/load-trusted-documents.js";
import { createLogger, flushLogs } from "./observability/logger.js";
import { prepareGateway, SHUTDOWN_GRACE_MS, startGateway, type GatewayHandle } from "./server.js";
import { describeTracing } from "./observability/tracing-config.js";

/** The longest a stop waits for stdout's reader to take the last log lines. */
const LAST_LINES_MS = 1000;

function printHelp(): void {
  const width = Math.max(...ENVIRONMENT.map((v) => v.name.length));
  console.log("Referrals gateway: GraphQL (Apollo Federation 2 subgraph) over Voucherify's referral code holders API.\n");
  console.log("Usage: npm start            (configure with environment variables)\n");
  for (const variable of ENVIRONMENT) {
    console.log(`  ${variable.name.padEnd(width)}  ${variable.meaning} [default: ${variable.default}]`);
  }
}

/** One line for the start-up banner: an operator must see at once when anyone may call. */
function describeAuthentication(config: Config): string {
  const source = config.auth.keySource;
  if (!source) {
    return config.production
      ? "OFF (AUTH_DISABLED=true): every caller may read and write; something in front must authenticate"
      : "off (development, no AUTH_JWT_* key set): every caller may read and write";
  }
  const from = source.kind === "jwks" ? `JWKS ${source.url}` : source.kind === "publicKey" ? "a PEM public key" : "an HS256 secret";
  return `bearer JWTs verified with ${from}`;
}

/** One line for the start-up banner: where /metrics is, and whether anyone who reaches the port can read it. */
function describeMetrics(config: Config, url: string | null): string {
  const token = config.metrics.token ? " with bearer token" : "";
  switch (config.metrics.served) {
    case "own-port":
      return `on METRICS_PORT ${new URL(url!).port}${token}`;
    case "public-port":
      return `on :${new URL(url!).port}/metrics${token || (config.production ? "" : " (open: development)")}`;
    case "off":
      return "off (production: set METRICS_TOKEN or METRICS_PORT)";
  }
}

/** One line for the start-up banner: how many app deployments are served, and where their registry is. */
function describeAppDeployments(apps: GatewayHandle["appDeployments"]): string {
  if (apps.status === "unloaded") return `none served: the registry (${apps.location}) cannot be read; they are served once it answers`;
  return `${apps.publishedCount} published (registry: ${apps.location}; npm run app -- list)`;
}

/**
 * The embedded emulator's module, when VOUCHERIFY_API_URL is unset; null with a problem added when it may not or cannot
 * run: production serves real data only, unless EMULATOR_IN_PRODUCTION says the demo data is wanted, and the SQLite
 * driver is a development dependency, absent from a production install. Imported only then: a gateway in front of
 * Voucherify never loads it. Both problems are looked for, so that one start reports every one.
 */
async function embeddedEmulator(config: Config, problems: string[]): Promise<typeof import("./emulator/emulator.js") | null> {
  if (!config.emulator.embedded) return null;
  if (config.production && !config.emulator.inProduction) {
    problems.push(
      "NODE_ENV=production without VOUCHERIFY_API_URL would serve the embedded emulator's demo data: set VOUCHERIFY_API_URL, " +
        "VOUCHERIFY_APP_ID and VOUCHERIFY_APP_TOKEN to front Voucherify (or EMULATOR_IN_PRODUCTION=true to serve the emulator on purpose)",
    );
  }
  try {
    return await import("./emulator/emulator.js");
  } catch (error) {
    if (!(error instanceof EmulatorUnavailableError)) throw error;
    problems.push(error.message);
    return null;
  }
}

async function main(): Promise<void> {
  if (process.argv.includes("--help") || process.argv.includes("-h")) {
    printHelp();
    return;
  }
  // Every start problem of every concern in one pass (settings, the emulator, trusted documents), then exit 2: an
  // operator fixes them all at once instead of meeting them one restart at a time.
  const { config, problems } = readConfig();
  const emulatorModule = await embeddedEmulator(config, problems);
  const prepared = await prepareGateway(config);
  if (problems.length > 0 || prepared.trusted.problems.length > 0) {
    if (problems.length > 0) console.error(new ConfigError(problems).message);
    if (prepared.trusted.problems.length > 0) console.error(new TrustedDocumentsError(prepared.trusted.problems).message);
    process.exit(2);
  }
  const logger = createLogger(config.logLevel, {
    pretty: !config.production && process.stdout.isTTY,
    traceContext: config.tracing !== null,
    maxBufferedBytes: config.logMaxBufferedBytes,
  });
  const emulator = emulatorModule
    ? await emulatorModule.startEmulator({ port: config.emulator.port, dbFile: config.emulator.dbFile })
    : null;
  // Without the emulator, VOUCHERIFY_API_URL was set, and valid: no problem was found above.
  const upstreamUrl = emulator?.url ?? config.voucherify.apiUrl ?? "";
  const { appId, appToken } = emulator ?? config.voucherify;
  const credentials = appId && appToken ? { appId, appToken } : null;
  const gateway = await startGateway({ config, upstreamUrl, credentials, logger, prepared });
  // Before the gateway says it is ready: a signal sent the moment the banner is read must drain it, not kill it.
  let shuttingDown = false;
  const shutdown = async (signal: string) => {
    if (shuttingDown) {
      // A second signal means "now": skip the drain. The line is written if the reader has room, never waited for.
      logger.warn({ signal }, "second signal, exiting without draining");
      await flushLogs(logger, 0);
      process.exit(1);
    }
    shuttingDown = true;
    // The drain's grace is the whole stop's deadline: the last log lines get what is left of it, at most a second,
    // so a log reader that stopped reading cannot hold the exit.
    const deadline = Date.now() + SHUTDOWN_GRACE_MS;
    const exit = async (code: number) => {
      await flushLogs(logger, Math.min(LAST_LINES_MS, Math.max(0, deadline - Date.now())));
      process.exit(code);
    };
    logger.info({ signal }, "shutting down");
    try {
      await gateway.stop();
      await emulator?.stop();
      logger.info("stopped");
      await exit(0);
    } catch (error) {
      logger.error({ err: error }, "shutdown failed");
      await exit(1);
    }
  };
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
  process.on("SIGINT", () => void shutdown("SIGINT"));

  const backend = emulator
    ? `embedded Voucherify emulator at ${emulator.url} (db: ${config.emulator.dbFile})`
    : `Voucherify at ${upstreamUrl}`;
  logger.info({ url: gateway.graphqlUrl, backend }, "gateway ready");
  console.log(`Referrals gateway ready at ${gateway.graphqlUrl}`);
  console.log(`Backend: ${backend}`);
  console.log(`Authentication: ${describeAuthentication(config)}`);
  console.log(`Tracing: ${describeTracing(config.tracing)}`);
  const { documents, fromManifests } = gateway.trustedDocuments;
  console.log(
    `Trusted documents: ${documents.size} (${fromManifests} from manifests); ` +
      `safelisting ${config.trustedDocuments.only ? "on: other documents are refused (the router excepted)" : "off"}`,
  );
  console.log(`App deployments: ${describeAppDeployments(gateway.appDeployments)}`);
  if (config.landingPage) console.log(`Explore it in Apollo Sandbox: open ${gateway.url}/ in a browser`);
  console.log(`Metrics: ${describeMetrics(config, gateway.metricsUrl)}`);
}

main().catch((error: unknown) => {
  console.error("Gateway failed to start:", error instanceof Error ? error.message : error);
  process.exit(1);
});
