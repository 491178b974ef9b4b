import { ConfigError, ENVIRONMENT, loadConfig, type Config } from "./config.js";
import type { EmulatorHandle } from "./emulator/emulator.js";
import { EmulatorUnavailableError } from "./emulator/unavailable.js";
import { TrustedDocumentsError } from "./documents/load-trusted-documents.js";
import { createLogger } from "./observability/logger.js";
import { startGateway, type GatewayHandle } from "./server.js";
import { describeTracing } from "./observability/tracing-config.js";

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
 * The embedded emulator, imported only when it is used: its SQLite driver is a development dependency, absent from a
 * production install, and a gateway in front of Voucherify never loads it. Without it: exit 2 and say what to do.
 */
async function startEmbeddedEmulator(config: Config): Promise<EmulatorHandle> {
  try {
    const { startEmulator } = await import("./emulator/emulator.js");
    return await startEmulator({ port: config.emulator.port, dbFile: config.emulator.dbFile });
  } catch (error) {
    if (error instanceof EmulatorUnavailableError) {
      console.error(error.message);
      process.exit(2);
    }
    throw error;
  }
}

async function main(): Promise<void> {
  if (process.argv.includes("--help") || process.argv.includes("-h")) {
    printHelp();
    return;
  }
  let config: Config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(2);
    }
    throw error;
  }
  const logger = createLogger(config.logLevel, undefined, {
    pretty: !config.production && process.stdout.isTTY,
    traceContext: config.tracing !== null,
  });
  let emulator: EmulatorHandle | null = null;
  let upstreamUrl = config.voucherify.apiUrl;
  let credentials =
    config.voucherify.appId && config.voucherify.appToken ? { appId: config.voucherify.appId, appToken: config.voucherify.appToken } : null;
  if (upstreamUrl === null) {
    emulator = await startEmbeddedEmulator(config);
    upstreamUrl = emulator.url;
    credentials = { appId: emulator.appId, appToken: emulator.appToken };
  }
  let gateway: Awaited<ReturnType<typeof startGateway>>;
  try {
    gateway = await startGateway({ config, upstreamUrl, credentials, logger });
  } catch (error) {
    // A trusted document the served schema would break is a configuration error: the same exit, one line each.
    if (error instanceof TrustedDocumentsError) {
      console.error(error.message);
      process.exit(2);
    }
    throw error;
  }
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

  let shuttingDown = false;
  const shutdown = async (signal: string) => {
    if (shuttingDown) {
      // A second signal means "now": skip the drain.
      logger.warn({ signal }, "second signal, exiting without draining");
      process.exit(1);
    }
    shuttingDown = true;
    logger.info({ signal }, "shutting down");
    try {
      await gateway.stop();
      await emulator?.stop();
      logger.info("stopped");
      process.exit(0);
    } catch (error) {
      logger.error({ err: error }, "shutdown failed");
      process.exit(1);
    }
  };
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
  process.on("SIGINT", () => void shutdown("SIGINT"));
}

main().catch((error: unknown) => {
  console.error("Gateway failed to start:", error instanceof Error ? error.message : error);
  process.exit(1);
});
