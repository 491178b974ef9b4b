import { loadConfig } from "../../src/config.js";
import { createLogger } from "../../src/observability/logger.js";
import { startGateway } from "../../src/server.js";
import { reportToParent } from "./child-reporter.js";

/**
 * Bench child: the gateway as `npm start` builds it (same config defaults, info-level logs to stdout, which the
 * bench discards), pointed at UPSTREAM_URL, on an ephemeral port.
 */
const upstreamUrl = process.env.UPSTREAM_URL;
const appId = process.env.UPSTREAM_APP_ID;
const appToken = process.env.UPSTREAM_APP_TOKEN;
if (!upstreamUrl || !appId || !appToken) throw new Error("UPSTREAM_URL, UPSTREAM_APP_ID and UPSTREAM_APP_TOKEN are required");
const config = loadConfig({
  ...process.env,
  PORT: "0",
  VOUCHERIFY_API_URL: upstreamUrl,
  VOUCHERIFY_APP_ID: appId,
  VOUCHERIFY_APP_TOKEN: appToken,
});
const gateway = await startGateway({
  config,
  upstreamUrl,
  credentials: { appId, appToken },
  logger: createLogger(config.logLevel, { traceContext: config.tracing !== null }),
});
reportToParent(gateway.graphqlUrl, () => gateway.stop(), { nodeEnv: process.env.NODE_ENV ?? "development", logLevel: config.logLevel });
