import type { IncomingMessage, ServerResponse } from "node:http";
import { bearerCredential, SecretDigest } from "../auth/authenticator.js";
import { CONTENT_TYPES, negotiateFormat, openMetricsText } from "../observability/exposition.js";
import type { GatewayMetrics } from "../observability/metrics.js";
import { sendJson } from "./send.js";

/**
 * GET /metrics: OpenMetrics (with trace-id exemplars on the latency histograms) when the scraper's Accept asks for
 * `application/openmetrics-text`, as Prometheus does; Prometheus text format 0.0.4 otherwise. With a token, only
 * `Authorization: Bearer <token>` gets it (compared as SecretDigest compares, in constant time).
 */
export function createMetricsEndpoint(metrics: GatewayMetrics, token: string | null) {
  const expected = token === null ? null : new SecretDigest(token);
  const authorized = (request: IncomingMessage): boolean => {
    if (expected === null) return true;
    const given = bearerCredential(request.headers.authorization);
    return given !== null && expected.matches(given);
  };
  return async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    if (!authorized(request)) {
      response.setHeader("www-authenticate", 'Bearer realm="metrics"');
      sendJson(response, 401, { error: "Send Authorization: Bearer <METRICS_TOKEN>." });
      return;
    }
    const format = negotiateFormat(request.headers.accept);
    const text = format === "openmetrics" ? await openMetricsText(metrics.registry) : await metrics.registry.metrics();
    response.writeHead(200, { "content-type": CONTENT_TYPES[format], vary: "Accept", "cache-control": "no-store" });
    response.end(text);
  };
}
