import { createHash, timingSafeEqual } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { GatewayMetrics } from "../observability/metrics.js";
import { sendJson } from "./send.js";

const BEARER = /^Bearer +(\S+) *$/i;
const digest = (text: string) => createHash("sha256").update(text, "utf8").digest();

/**
 * GET /metrics in Prometheus text format. With a token, only `Authorization: Bearer <token>` gets it; both sides are
 * hashed first so the comparison takes the same time whatever the length or the first differing byte.
 */
export function createMetricsEndpoint(metrics: GatewayMetrics, token: string | null) {
  const expected = token === null ? null : digest(token);
  const authorized = (request: IncomingMessage): boolean => {
    if (expected === null) return true;
    const match = BEARER.exec(request.headers.authorization ?? "");
    return match !== null && timingSafeEqual(digest(match[1]), expected);
  };
  return async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    if (!authorized(request)) {
      response.setHeader("www-authenticate", 'Bearer realm="metrics"');
      sendJson(response, 401, { error: "Send Authorization: Bearer <METRICS_TOKEN>." });
      return;
    }
    const text = await metrics.registry.metrics();
    response.writeHead(200, { "content-type": metrics.registry.contentType, "cache-control": "no-store" });
    response.end(text);
  };
}
