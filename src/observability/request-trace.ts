import type { IncomingMessage } from "node:http";
import { propagation, ROOT_CONTEXT, trace, type SpanContext } from "@opentelemetry/api";

/**
 * What an unsampled request still carries of its trace, with no async context (see tracing.ts): the ids its log
 * lines name, and the headers each of its upstream calls sends, so the next hop joins the same trace and, flagged
 * unsampled, makes the same decision under a parent-based sampler.
 */
export interface UnsampledTrace {
  readonly traceId: string;
  /** The id this request goes by in its trace (the server span it would have had), the parent of its upstream calls. */
  readonly spanId: string;
  /** `traceparent` (sampled flag off), and the caller's `tracestate` when it sent one: formatted once per request. */
  readonly headers: Readonly<Record<string, string>>;
}

const unsampled = new WeakMap<IncomingMessage, UnsampledTrace>();

/** Called by the server span's decision (server-span.ts) for a request it does not sample. */
export function markUnsampled(request: IncomingMessage, spanContext: SpanContext): void {
  const headers: Record<string, string> = {};
  propagation.inject(trace.setSpanContext(ROOT_CONTEXT, spanContext), headers);
  unsampled.set(request, { traceId: spanContext.traceId, spanId: spanContext.spanId, headers });
}

/** The request's trace when tracing is on and it was not sampled; undefined otherwise. */
export function unsampledTraceOf(request: IncomingMessage): UnsampledTrace | undefined {
  return unsampled.get(request);
}
