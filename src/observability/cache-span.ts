import { context, SpanKind, trace, type Tracer } from "@opentelemetry/api";
import { activeTracer, sampledSpan } from "./tracing.js";

export type CacheLookupResult = "hit" | "miss" | "bypass";

/**
 * One cache lookup as a span, `cache {name}`: which cache (holders, customers), where it lives (memory: this
 * process; redis: shared by replicas) and what it found. Keys are not recorded (they name tenants and members).
 */
export function traceCacheLookup<T>(
  cache: string,
  store: "memory" | "redis",
  lookup: () => Promise<T>,
  resultOf: (found: T) => CacheLookupResult,
): Promise<T> {
  // Not async itself: outside a sampled request the lookup's own promise is returned, no extra one per lookup.
  const tracer = activeTracer();
  return tracer && sampledSpan() ? tracedLookup(tracer, cache, store, lookup, resultOf) : lookup();
}

async function tracedLookup<T>(
  tracer: Tracer,
  cache: string,
  store: "memory" | "redis",
  lookup: () => Promise<T>,
  resultOf: (found: T) => CacheLookupResult,
): Promise<T> {
  const span = tracer.startSpan(`cache ${cache}`);
  try {
    const found = await context.with(trace.setSpan(context.active(), span), lookup);
    span.setAttributes({ "referrals.cache.name": cache, "referrals.cache.store": store, "referrals.cache.result": resultOf(found) });
    return found;
  } finally {
    span.end();
  }
}

/**
 * One Redis command (or script, or MULTI batch) as a CLIENT span named for its operation (`GET`, `readPage`).
 * Never its keys or values: keys name tenants and members, values are cached customers. A failure is recorded by
 * class only (Redis failures are survived: the gateway serves uncached, src/shared-state/redis-health.ts).
 */
export function traceRedisCommand<T>(operation: string, command: () => Promise<T>): Promise<T> {
  const tracer = activeTracer();
  return tracer && sampledSpan() ? tracedCommand(tracer, operation, command) : command();
}

async function tracedCommand<T>(tracer: Tracer, operation: string, command: () => Promise<T>): Promise<T> {
  const span = tracer.startSpan(operation, { kind: SpanKind.CLIENT });
  span.setAttributes({ "db.system.name": "redis", "db.operation.name": operation });
  try {
    return await command();
  } catch (error) {
    span.setAttribute("error.type", error instanceof Error ? error.name : "unknown");
    throw error;
  } finally {
    span.end();
  }
}
