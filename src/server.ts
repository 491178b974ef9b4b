import "reflect-metadata";
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { ApolloServer } from "@apollo/server";
import {
  ApolloServerPluginCacheControlDisabled,
  ApolloServerPluginLandingPageDisabled,
} from "@apollo/server/plugin/disabled";
import { ApolloServerPluginLandingPageLocalDefault } from "@apollo/server/plugin/landingPage/default";
import { GraphQLError } from "graphql";
import { Authenticator } from "./auth/authenticator.js";
import type { Config } from "./config.js";
import type { GatewayContext } from "./context.js";
import { ErrorCode } from "./errors.js";
import { BodyBudget } from "./http/body-budget.js";
import { createCors } from "./http/cors.js";
import { createGraphQLHandler } from "./http/graphql-handler.js";
import { createHttpServer } from "./http/http-server.js";
import { requestIdFrom } from "./http/request-id.js";
import { createMetricsEndpoint } from "./http/metrics-endpoint.js";
import { sendJson } from "./http/send.js";
import { SANDBOX_INITIAL_DOCUMENT, SANDBOX_INITIAL_VARIABLES } from "./landing-page.js";
import { createLogger, type Logger } from "./logger.js";
import { GatewayMetrics } from "./observability/metrics.js";
import { ReadinessProbe } from "./http/readiness.js";
import { operationObserverPlugin } from "./plugins/operation-observer.plugin.js";
import { errorMaskingPlugin, formatApolloRequestError } from "./plugins/error-masking.plugin.js";
import { MAX_QUERY_TOKENS } from "./limits/operation-limits.js";
import { operationLimitRules, operationLimitsPlugin } from "./plugins/operation-limits.js";
import { compiledExecutionGateway } from "./execution/compiled-execution.js";
import { buildGatewaySchema } from "./schema.js";
import { createSharedState, type SharedState } from "./shared-state/shared-state.js";
import { tenantOf } from "./shared-state/tenant.js";
import { AcceptedCredentials } from "./voucherify/accepted-credentials.js";
import { VoucherifyClient } from "./voucherify/client.js";
import { createLoaders } from "./voucherify/loaders.js";
import { OperationScope } from "./voucherify/operation-scope.js";
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
  /** How long stop() lets in-flight requests finish before closing their connections. */
  shutdownGraceMs?: number;
  /** Least time between two JWKS fetches for unknown key ids (tests shorten it; jose's default is 30 s). */
  jwksCooldownMs?: number;
}

/** `Cache-Control: no-cache` (or no-store, or Pragma: no-cache): this request reads upstream, not the cache. */
function wantsFresh(request: IncomingMessage): boolean {
  const cacheControl = header(request, "cache-control") ?? "";
  return /\bno-(cache|store)\b/i.test(cacheControl) || /\bno-cache\b/i.test(header(request, "pragma") ?? "");
}

export interface GatewayHandle {
  /** http://host:port, no trailing slash */
  url: string;
  graphqlUrl: string;
  /** Where GET /metrics is served: on the main port, or on METRICS_PORT's own listener. */
  metricsUrl: string;
  port: number;
  server: Server;
  transport: UpstreamTransport;
  /** Bytes of request bodies being received right now (HTTP_MAX_BUFFERED_BODY_BYTES caps it). */
  bodyBudget: BodyBudget;
  metrics: GatewayMetrics;
  /** Stops accepting connections, lets in-flight operations finish (bounded), then closes upstream sockets. */
  stop(): Promise<void>;
}

/** Upstream failures an operator must hear about: credentials, quota, outages. */
const OPERATOR_ERRORS = new Set<string>([
  ErrorCode.UNAUTHENTICATED,
  ErrorCode.RATE_LIMITED,
  ErrorCode.UPSTREAM_ERROR,
  ErrorCode.UPSTREAM_TIMEOUT,
]);

const INLINE_TRACE_HEADER = "apollo-federation-include-trace";

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
  const metrics = new GatewayMetrics();
  const shared: SharedState = await createSharedState(config.sharedState, {
    callerBudgetPerMinute: config.auth.callerBudgetPerMinute,
    logger,
    metrics,
  });
  // Cache keys name the application, never its token: a client's own credentials read the cache only once the
  // upstream has accepted that exact token in this process (otherwise a wrong token could read a tenant's entries).
  const accepted = new AcceptedCredentials();
  const admissionOf = (credentials: Credentials, clientOwned = false) => ({
    gate: shared.gate,
    tenant: tenantOf(options.upstreamUrl, credentials.appId),
    onAccepted: clientOwned ? () => accepted.add(credentials) : undefined,
  });
  transport.onCall((event) => {
    metrics.recordUpstreamCall(event);
    // Client-caused answers (404, 409, ...) are normal traffic; the operation log line already names them.
    if (event.errorCode && OPERATOR_ERRORS.has(event.errorCode)) {
      logger.warn(
        { requestId: event.requestId, endpoint: event.endpoint, status: event.status, code: event.errorCode, upstreamRequestId: event.upstreamRequestId, durationMs: Math.round(event.durationMs) },
        "upstream call failed",
      );
    }
  });
  const readiness = new ReadinessProbe(
    options.credentials ? new VoucherifyClient(transport, options.credentials, undefined, undefined, admissionOf(options.credentials)) : null,
    Date.now,
    () => shared.status(),
  );
  const authenticator = new Authenticator(config.auth, config.production, { jwksCooldownMs: options.jwksCooldownMs });
  const schema = await buildGatewaySchema();
  const apollo = new ApolloServer<GatewayContext>({
    // Apollo's one hook for a custom executor: operations run compiled by graphql-jit once seen (src/execution).
    gateway: compiledExecutionGateway(schema),
    introspection: config.introspection,
    // No "Did you mean ...?" in production: suggestions let a client rebuild the schema with introspection off.
    hideSchemaDetailsFromClientErrors: config.production,
    // Shutdown belongs to the process (main.ts drains HTTP first); Apollo's own signal handlers would race it.
    stopOnTerminationSignals: false,
    includeStacktraceInErrorResponses: !config.production,
    formatError: formatApolloRequestError,
    logger,
    // Operation limits (src/limits): tokens at parse time, depth and aliases as validation rules, cost and
    // variable checks in a plugin. Batched HTTP requests (JSON arrays) stay off, as Apollo defaults.
    parseOptions: { maxTokens: MAX_QUERY_TOKENS },
    validationRules: operationLimitRules,
    allowBatchedHttpRequests: false,
    plugins: [
      config.landingPage
        ? ApolloServerPluginLandingPageLocalDefault({
            // No telemetry from Sandbox: people explore customer data here.
            embed: { runTelemetry: false },
            document: SANDBOX_INITIAL_DOCUMENT,
            variables: SANDBOX_INITIAL_VARIABLES,
            footer: false,
          })
        : ApolloServerPluginLandingPageDisabled(),
      errorMaskingPlugin({ mask: config.production, logger }),
      operationLimitsPlugin({
        schema,
        maxCost: config.maxOperationCost,
        budget: shared.budget,
      }),
      operationObserverPlugin({ logger, metrics }),
      // Apollo's default cache-control plugin wraps every field resolver of the schema (about 150 calls for a
      // 10-holder page) to compute a policy that is always "no-store" here (no @cacheControl hints): about 14% of
      // the gateway's CPU per request (test/bench). The HTTP handler sends the same `cache-control: no-store`.
      ApolloServerPluginCacheControlDisabled(),
    ],
  });
  await apollo.start();

  const context = async (request: IncomingMessage, response: ServerResponse, requestId: string, router: boolean): Promise<GatewayContext> => {
    // Who is calling comes first: a refused caller costs no upstream call and sees nothing of the schema.
    const caller = await authenticator.authenticate(request, router);
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
    // The operation ends at its deadline or when its client goes away, whichever is first; either way its pending
    // upstream reads stop rather than spend the rate limit for nobody.
    const scope = new OperationScope();
    const deadline = setTimeout(() => scope.expire(), config.operationTimeoutMs);
    response.once("close", () => {
      clearTimeout(deadline);
      // Only an answer that never finished means the client went away; a finished one has nothing left to stop.
      if (!response.writableFinished) scope.abandon();
    });
    const clientOwned = credentials !== options.credentials;
    const admission = admissionOf(credentials, clientOwned);
    const voucherify = new VoucherifyClient(transport, credentials, requestId, scope, admission);
    const fresh = wantsFresh(request) || (clientOwned && !accepted.has(credentials));
    const loaders = createLoaders(voucherify, { cache: shared.cache, tenant: admission.tenant, fresh });
    return { caller, voucherify, loaders, requestId };
  };
  const bodyBudget = new BodyBudget(config.http.maxBufferedBodyBytes);
  const handleGraphQL = createGraphQLHandler(apollo, { bodyBudget });
  const cors = config.corsOrigins.length > 0 ? createCors(config.corsOrigins) : null;
  const serveMetrics = createMetricsEndpoint(metrics, config.metrics.token);
  const separateMetrics = config.metrics.port !== null;

  let draining = false;
  const inFlight = new Set<ServerResponse>();
  // While draining, tell keep-alive clients to reconnect elsewhere and close each socket once its answer is out.
  const closeAfterAnswer = (response: ServerResponse) => {
    if (!response.headersSent) response.setHeader("connection", "close");
    response.once("finish", () => server.closeIdleConnections());
  };
  const server = createHttpServer(config.http, async (request, response) => {
    inFlight.add(response);
    response.once("close", () => inFlight.delete(response));
    if (draining) closeAfterAnswer(response);
    const requestId = requestIdFrom(request.headers["x-request-id"]);
    response.setHeader("x-request-id", requestId);
    const url = request.url ?? "/";
    const queryStart = url.indexOf("?");
    const path = queryStart === -1 ? url : url.slice(0, queryStart);
    const search = queryStart === -1 ? "" : url.slice(queryStart);
    try {
      if (path === "/graphql" && cors?.handle(request, response)) {
        // A CORS preflight, answered.
      } else if (path === "/graphql" || path === "/") {
        const router = authenticator.isRouter(request);
        // Inline traces (resolver paths and timings) are for the router only; Apollo's subgraph plugin reads this header.
        if (!router) delete request.headers[INLINE_TRACE_HEADER];
        await handleGraphQL(request, response, search, () => context(request, response, requestId, router));
      } else if (path === "/healthz" && request.method === "GET") {
        sendJson(response, 200, { status: "ok" });
      } else if (path === "/readyz" && request.method === "GET") {
        const state = await readiness.check();
        sendJson(response, state.ready ? 200 : 503, state);
      } else if (path === "/metrics" && request.method === "GET" && !separateMetrics) {
        await serveMetrics(request, response);
      } else {
        sendJson(response, 404, { error: "Not found. GraphQL is served at /graphql." });
      }
    } catch (error) {
      logger.error({ requestId, err: error }, "request failed");
      if (!response.headersSent) sendJson(response, 500, { errors: [{ message: "Unexpected error in the gateway.", extensions: { code: "INTERNAL_SERVER_ERROR", correlationId: requestId } }] });
      else response.destroy();
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(config.port, config.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const host = config.host.includes(":") ? `[${config.host}]` : config.host;
  const url = `http://${host}:${port}`;

  // METRICS_PORT: /metrics on its own listener (same HOST), so operators can firewall it apart from GraphQL.
  let metricsServer: Server | null = null;
  let metricsUrl = `${url}/metrics`;
  if (config.metrics.port !== null) {
    const listener = createHttpServer(config.http, async (request, response) => {
      const path = (request.url ?? "/").split("?")[0];
      try {
        if (path === "/metrics" && request.method === "GET") await serveMetrics(request, response);
        else sendJson(response, 404, { error: "Not found. Metrics are served at /metrics." });
      } catch (error) {
        logger.error({ err: error }, "metrics request failed");
        if (!response.headersSent) sendJson(response, 500, { error: "Unexpected error in the gateway." });
        else response.destroy();
      }
    });
    try {
      await new Promise<void>((resolve, reject) => {
        listener.once("error", reject);
        listener.listen(config.metrics.port!, config.host, () => resolve());
      });
    } catch (error) {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      throw error;
    }
    metricsServer = listener;
    metricsUrl = `http://${host}:${(listener.address() as AddressInfo).port}/metrics`;
  }

  let stopping: Promise<void> | null = null;
  return {
    url,
    graphqlUrl: `${url}/graphql`,
    metricsUrl,
    port,
    server,
    transport,
    bodyBudget,
    metrics,
    stop() {
      stopping ??= (async () => {
        draining = true;
        inFlight.forEach(closeAfterAnswer);
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        // Scrapes are short and idempotent: no grace for them.
        const metricsClosed = new Promise<void>((resolve) => (metricsServer ? metricsServer.close(() => resolve()) : resolve()));
        metricsServer?.closeAllConnections();
        // Idle keep-alive sockets would hold close() open; busy ones finish their request first.
        server.closeIdleConnections();
        const grace = setTimeout(() => server.closeAllConnections(), options.shutdownGraceMs ?? 10_000);
        await closed;
        await metricsClosed;
        clearTimeout(grace);
        await apollo.stop();
        transport.close();
        await shared.close();
      })();
      return stopping;
    },
  };
}
