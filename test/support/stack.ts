import { loadConfig, type Config } from "../../src/config.js";
import { startEmulator, type EmulatorHandle, type EmulatorOptions } from "../../src/emulator/emulator.js";
import { createLogger } from "../../src/observability/logger.js";
import { startGateway, type GatewayHandle, type GatewayOptions } from "../../src/server.js";
import { NO_APP_DEPLOYMENTS_DIR } from "./app-deployments.js";

export interface Stack {
  emulator: EmulatorHandle;
  gateway: GatewayHandle;
  stop(): Promise<void>;
}

/** The real thing on ephemeral ports: the emulator (in-memory SQLite) and the gateway in front of it. */
export async function startStack(
  options: {
    env?: Record<string, string>;
    emulator?: EmulatorOptions;
    gateway?: Partial<Omit<GatewayOptions, "config">>;
  } = {},
): Promise<Stack> {
  const emulator = await startEmulator({ dbFile: ":memory:", port: 0, ...options.emulator });
  let gateway: GatewayHandle;
  try {
    const config: Config = loadConfig({ PORT: "0", LOG_LEVEL: "silent", APP_DEPLOYMENTS_DIR: NO_APP_DEPLOYMENTS_DIR, ...options.env });
    gateway = await startGateway({
      config,
      upstreamUrl: emulator.url,
      credentials: { appId: emulator.appId, appToken: emulator.appToken },
      logger: createLogger(config.logLevel),
      retryBaseDelayMs: 5,
      ...options.gateway,
    });
  } catch (error) {
    await emulator.stop();
    throw error;
  }
  return {
    emulator,
    gateway,
    async stop() {
      await gateway.stop();
      await emulator.stop();
    },
  };
}

export interface GraphQLResponse<TData = Record<string, unknown>> {
  status: number;
  data?: TData | null;
  errors?: Array<{ message: string; path?: (string | number)[]; extensions?: Record<string, unknown> }>;
  headers: Headers;
}

/** POSTs one operation over real HTTP, as a client would. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- untyped by default: tests assert on the shape of the JSON they get
export async function graphql<TData = any>(
  url: string,
  query: string,
  variables?: Record<string, unknown>,
  headers: Record<string, string> = {},
): Promise<GraphQLResponse<TData>> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { data?: TData; errors?: GraphQLResponse["errors"] };
  return { status: response.status, data: body.data, errors: body.errors, headers: response.headers };
}

/** Where the gateway serves /metrics, for stacks that serve it somewhere (production without a token or port does not). */
export function metricsUrlOf(stack: Stack): string {
  if (stack.gateway.metricsUrl === null) throw new Error("this gateway serves no /metrics");
  return stack.gateway.metricsUrl;
}
