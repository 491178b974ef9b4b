import { OPERATOR_ERROR_CODES } from "../errors/error-codes.js";
import type { Logger } from "./logger.js";
import type { UnsampledTrace } from "./request-trace.js";
import type { GatewayMetrics, UpstreamCallSample } from "./metrics.js";

/** What this module needs of an upstream call: the metric sample, and what an operator's log line names. */
export interface ObservedUpstreamCall extends UpstreamCallSample {
  requestId?: string;
  errorCode?: string;
  upstreamRequestId?: string;
  trace?: UnsampledTrace;
}

/**
 * Every upstream call feeds the metrics; only the failures an operator must act on are logged. Client-caused answers
 * (404, 409, ...) are normal traffic: the operation's own log line already names them.
 */
export function observeUpstreamCalls(
  source: { onCall(listener: (event: ObservedUpstreamCall) => void): void },
  options: { logger: Logger; metrics: GatewayMetrics },
): void {
  const { logger, metrics } = options;
  source.onCall((event) => {
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
          // An unsampled request's trace ids (a sampled one's come from its active span, the logger's mixin).
          ...(event.trace ? { trace_id: event.trace.traceId, span_id: event.trace.spanId } : {}),
        },
        "upstream call failed",
      );
    }
  });
}
