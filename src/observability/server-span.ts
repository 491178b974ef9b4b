import type { IncomingMessage, ServerResponse } from "node:http";
import { context, propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } from "@opentelemetry/api";
import { markUnsampled } from "./request-trace.js";
import { activeTracer } from "./tracing.js";

/**
 * The SERVER span of one HTTP request, for every execution path behind the HTTP layer (src/http/routes.ts): it
 * continues the caller's W3C trace (a router's `traceparent`; its sampled flag decides under the parent-based
 * samplers) and is the active span while `handle` runs, so operation, upstream and log lines nest under it.
 *
 * `route` is the matched route (`/graphql`), never the raw path: a client's path is not a span name. Unmatched
 * paths get the route "other" and no `url.path`. The query string (GET ?query=&variables=) is never recorded.
 *
 * The sampler decides here, once per request. A request it does not sample costs this decision and nothing more: no
 * span to end, no context entered (so no nested span either, tracing.ts), nothing exported; the trace ids it still
 * propagates upstream and names in its logs are kept with the request (request-trace.ts).
 */
export function traceHttpRequest(
  request: IncomingMessage,
  response: ServerResponse,
  route: string,
  handle: () => Promise<void>,
): Promise<void> {
  const tracer = activeTracer();
  if (!tracer) return handle();
  const parent = propagation.extract(ROOT_CONTEXT, request.headers);
  const method = request.method ?? "GET";
  const span = tracer.startSpan(`${method} ${route}`, { kind: SpanKind.SERVER }, parent);
  if (!span.isRecording()) {
    markUnsampled(request, span.spanContext());
    return handle();
  }
  span.setAttributes({
    "http.request.method": method,
    "http.route": route,
    "url.scheme": "http",
    ...(route === "other" ? {} : { "url.path": route }),
  });
  response.once("close", () => {
    const status = response.statusCode;
    span.setAttribute("http.response.status_code", status);
    // Server spans: only 5xx are the server's errors (4xx are the client's, per the HTTP conventions).
    if (status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
    if (!response.writableFinished) span.setAttribute("error.type", "response_aborted");
    span.end();
  });
  return context.with(trace.setSpan(parent, span), handle);
}
