import { OPERATOR_ERROR_CODES } from "../errors.js";
import type { Logger } from "../logger.js";
import type { UpstreamTransport } from "../voucherify/transport.js";
import type { GatewayMetrics } from "./metrics.js";

/**
 * Every upstream call feeds the metrics; only the failures an operator must act on are logged. Client-caused answers
 * (404, 409, ...) are normal traffic: the operation's own log line already names them.
 */
export function observeUpstreamCalls(transport: UpstreamTransport, options: { logger: Logger; metrics: GatewayMetrics }): void {
  const { logger, metrics } = options;
  transport.onCall((event) => {
    metrics.recordUpstreamCall(event);
    if (event.errorCode && OPERATOR_ERROR_CODES.has(event.errorCode)) {
      logger.warn(
        {
          requestId: event.requestId,
          endpoint: event.endpoint,
          status: event.status,
          code: event.errorCode,
          upstreamRequestId: event.upstreamRequestId,
          durationMs: Math.round(event.durationMs),
        },
        "upstream call failed",
      );
    }
  });
}
