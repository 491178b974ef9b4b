import type { IncomingMessage, RequestListener, ServerResponse } from "node:http";
import { GraphQLError } from "graphql";
import type { Authenticator } from "../auth/authenticator.js";
import type { Caller } from "../auth/caller.js";
import type { GatewayContext } from "../request-context/gateway-context.js";
import type { ContextFactory } from "../request-context/context-factory.js";
import type { Logger } from "../observability/logger.js";
import { INLINE_TRACE_HEADER, refusalAnswer } from "../plugins/apollo-http-behaviour.js";
import { MASKED_MESSAGE } from "../plugins/error-masking.plugin.js";
import type { Cors } from "./cors.js";
import type { HttpDrain } from "./drain.js";
import type { GraphQLHandler } from "./graphql-handler.js";
import type { ReadinessProbe } from "./readiness.js";
import { requestIdFrom } from "./request-id.js";
import { sendRefusal } from "./refusal.js";
import { sendJson } from "./send.js";
import { UNEXPECTED_ERROR_CODE } from "../errors/error-codes.js";
import { traceHttpRequest } from "../observability/server-span.js";
import { tracingOn } from "../observability/tracing.js";

type Endpoint = (request: IncomingMessage, response: ServerResponse) => Promise<void>;

const ROUTES = new Set(["/graphql", "/", "/healthz", "/readyz", "/metrics"]);

/** The route a request matched, for its span's name: never the raw path (a client's path is not a span name). */
function routeOf(url: string | undefined): string {
  const end = url?.indexOf("?") ?? -1;
  const path = url === undefined ? "/" : end === -1 ? url : url.slice(0, end);
  return ROUTES.has(path) ? path : "other";
}

/** What a request that failed outside GraphQL's own error handling answers: the masked message, never the error. */
function sendUnexpected(request: IncomingMessage, response: ServerResponse, requestId: string): void {
  const error = new GraphQLError(MASKED_MESSAGE, { extensions: { code: UNEXPECTED_ERROR_CODE, correlationId: requestId } });
  sendRefusal(request, response, refusalAnswer(error, request.headers.accept, "request"));
}

/** The main listener: GraphQL at /graphql (and /), probes, and /metrics unless it has its own port. */
export function gatewayRoutes(deps: {
  drain: HttpDrain;
  cors: Cors | null;
  authenticator: Authenticator;
  handleGraphQL: GraphQLHandler<GatewayContext>;
  context: ContextFactory;
  readiness: ReadinessProbe;
  /** null when /metrics is served on METRICS_PORT's own listener, or not at all (production without a token). */
  serveMetrics: Endpoint | null;
  logger: Logger;
}): RequestListener {
  const { drain, cors, authenticator, handleGraphQL, context, readiness, serveMetrics, logger } = deps;
  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    drain.track(response);
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
        // Safelisting exempts only a request that proves it is the router (`router` is true of everyone in development
        // without a ROUTER_SECRET).
        const { router, proven: routerProven } = authenticator.routerOf(request);
        // Inline traces (resolver paths and timings) are for the router only; Apollo's subgraph plugin reads this header.
        if (!router) delete request.headers[INLINE_TRACE_HEADER];
        // Who is calling is settled once, from the headers, before the body is read (the handler refuses an
        // unauthenticated POST without reading it); the context reuses the same answer.
        let caller: Promise<Caller> | undefined;
        const callerOnce = () => (caller ??= authenticator.authenticate(request, router));
        const contextOf = () => context(request, response, requestId, router, callerOnce());
        await handleGraphQL(request, response, search, contextOf, callerOnce, routerProven);
      } else if (path === "/healthz" && request.method === "GET") {
        sendJson(response, 200, { status: "ok" });
      } else if (path === "/readyz" && request.method === "GET") {
        const state = await readiness.check();
        sendJson(response, state.ready ? 200 : 503, state);
      } else if (path === "/metrics" && request.method === "GET" && serveMetrics) {
        await serveMetrics(request, response);
      } else {
        sendJson(response, 404, { error: "Not found. GraphQL is served at /graphql." });
      }
    } catch (error) {
      logger.error({ requestId, err: error }, "request failed");
      if (!response.headersSent) sendUnexpected(request, response, requestId);
      else response.destroy();
    }
  };
  // handle answers its own failures (a 500, or a destroyed socket): nothing is left to reject. With tracing on, every
  // request runs inside its server span (any execution path behind this listener gets it).
  return (request, response) =>
    void (tracingOn()
      ? traceHttpRequest(request, response, routeOf(request.url), () => handle(request, response))
      : handle(request, response));
}

/** METRICS_PORT's listener: /metrics only, so operators can firewall it apart from GraphQL. */
export function metricsRoutes(deps: { serveMetrics: Endpoint; logger: Logger }): RequestListener {
  const { serveMetrics, logger } = deps;
  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const path = (request.url ?? "/").split("?")[0];
    try {
      if (path === "/metrics" && request.method === "GET") await serveMetrics(request, response);
      else sendJson(response, 404, { error: "Not found. Metrics are served at /metrics." });
    } catch (error) {
      logger.error({ err: error }, "metrics request failed");
      if (!response.headersSent) sendJson(response, 500, { error: MASKED_MESSAGE });
      else response.destroy();
    }
  };
  // handle answers its own failures (a 500, or a destroyed socket): nothing is left to reject.
  return (request, response) => void handle(request, response);
}
