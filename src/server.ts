import "reflect-metadata";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { ApolloServer } from "@apollo/server";
import {
  ApolloServerPluginLandingPageDisabled,
} from "@apollo/server/plugin/disabled";
import { ApolloServerPluginLandingPageLocalDefault } from "@apollo/server/plugin/landingPage/default";
import { GraphQLError } from "graphql";
import type { Config } from "./config.js";
import type { GatewayContext } from "./context.js";
import { ErrorCode } from "./errors.js";
import { createGraphQLHandler } from "./http/graphql-handler.js";
import { requestIdFrom } from "./http/request-id.js";
import { sendJson } from "./http/send.js";
import { SANDBOX_INITIAL_DOCUMENT, SANDBOX_INITIAL_VARIABLES } from "./landing-page.js";
import { createLogger, type Logger } from "./logger.js";
import { errorMaskingPlugin } from "./plugins/error-masking.plugin.js";
import { buildGatewaySchema } from "./schema.js";
import { VoucherifyClient } from "./voucherify/client.js";
import { createLoaders } from "./voucherify/loaders.js";
import { UpstreamTransport, type Credentials } from "./voucherify/transport.js";

export interface GatewayOptions {
  config: Config;
  /** Upstream base URL: the configured Voucherify URL, or the embedded emulator's. */
  upstreamUrl: string;
  /** Server-side credentials; null only when clients must bring their own. */
  credentials: Credentials | null;
  logger?: Logger;
  /** Upstream retry backoff base (tests shorten it). */
  retryBaseDelayMs?: number;
}

export interface GatewayHandle {
  /** http://host:port, no trailing slash */
  url: string;
  graphqlUrl: string;
  port: number;
  server: Server;
  transport: UpstreamTransport;
  stop(): Promise<void>;
}

function header(request: IncomingMessage, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

export async function startGateway(options: GatewayOptions): Promise<GatewayHandle> {
  const { config } = options;
  const logger = options.logger ?? createLogger(config.logLevel);
  const transport = new UpstreamTransport({
    baseUrl: options.upstreamUrl,
    timeoutMs: config.voucherify.timeoutMs,
    maxConcurrency: config.voucherify.maxConcurrency,
    retryBaseDelayMs: options.retryBaseDelayMs,
  });
  const apollo = new ApolloServer<GatewayContext>({
    schema: await buildGatewaySchema(),
    introspection: config.introspection,
    includeStacktraceInErrorResponses: !config.production,
    logger,
    plugins: [
      config.landingPage
        ? ApolloServerPluginLandingPageLocalDefault({
            embed: true,
            document: SANDBOX_INITIAL_DOCUMENT,
            variables: SANDBOX_INITIAL_VARIABLES,
            footer: false,
          })
        : ApolloServerPluginLandingPageDisabled(),
      errorMaskingPlugin({ mask: config.production, logger }),
    ],
  });
  await apollo.start();

  const context = async (request: IncomingMessage, requestId: string): Promise<GatewayContext> => {
    const clientId = header(request, "x-app-id");
    const clientToken = header(request, "x-app-token");
    // Client credentials are honoured only when the operator allows it; otherwise they are ignored entirely.
    const credentials =
      config.voucherify.allowClientCredentials && clientId && clientToken
        ? { appId: clientId, appToken: clientToken }
        : options.credentials;
    if (!credentials) {
      throw new GraphQLError("Send X-App-Id and X-App-Token: this gateway has no Voucherify credentials of its own.", {
        extensions: { code: ErrorCode.UNAUTHENTICATED, http: { status: 401 } },
      });
    }
    const voucherify = new VoucherifyClient(transport, credentials, requestId);
    return { voucherify, loaders: createLoaders(voucherify), requestId };
  };
  const handleGraphQL = createGraphQLHandler(apollo, context);

  const server = createServer(async (request, response) => {
    const requestId = requestIdFrom(request.headers["x-request-id"]);
    response.setHeader("x-request-id", requestId);
    const url = request.url ?? "/";
    const queryStart = url.indexOf("?");
    const path = queryStart === -1 ? url : url.slice(0, queryStart);
    const search = queryStart === -1 ? "" : url.slice(queryStart);
    try {
      if (path === "/graphql" || path === "/") {
        await handleGraphQL(request, response, requestId, search);
      } else if (path === "/healthz" && request.method === "GET") {
        sendJson(response, 200, { status: "ok" });
      } else {
        sendJson(response, 404, { error: "Not found. GraphQL is served at /graphql." });
      }
    } catch (error) {
      logger.error({ requestId, err: error }, "request failed");
      if (!response.headersSent) sendJson(response, 500, { errors: [{ message: "Unexpected error in the gateway.", extensions: { code: "INTERNAL_SERVER_ERROR", correlationId: requestId } }] });
      else response.destroy();
    }
  });
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(config.port, config.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const host = config.host.includes(":") ? `[${config.host}]` : config.host;
  const url = `http://${host}:${port}`;

  let stopping: Promise<void> | null = null;
  return {
    url,
    graphqlUrl: `${url}/graphql`,
    port,
    server,
    transport,
    stop() {
      stopping ??= (async () => {
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeIdleConnections();
        });
        await apollo.stop();
        transport.close();
      })();
      return stopping;
    },
  };
}
