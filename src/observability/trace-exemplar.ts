import { trace, TraceFlags } from "@opentelemetry/api";

/** Exemplar labels of an observation made outside any sampled span: prom-client stores no exemplar for them. */
const NO_EXEMPLAR: Readonly<Record<string, string>> = Object.freeze({});

/**
 * The active span's ids as exemplar labels, so a dashboard can jump from a slow bucket to its trace. Only sampled
 * spans: an unsampled trace id points at nothing in the tracing backend. Without an OpenTelemetry SDK the API is a
 * no-op, there is no active span, and observations carry no exemplar.
 */
export function traceExemplar(): Readonly<Record<string, string>> {
  const span = trace.getActiveSpan();
  if (span === undefined) return NO_EXEMPLAR;
  const { traceId, spanId, traceFlags } = span.spanContext();
  if ((traceFlags & TraceFlags.SAMPLED) === 0) return NO_EXEMPLAR;
  return { trace_id: traceId, span_id: spanId };
}
