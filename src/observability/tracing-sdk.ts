import { context, propagation, trace, type Tracer } from "@opentelemetry/api";
import { W3CTraceContextPropagator } from "@opentelemetry/core";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-proto";
import { defaultResource, resourceFromAttributes } from "@opentelemetry/resources";
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  BatchSpanProcessor,
  ParentBasedSampler,
  TraceIdRatioBasedSampler,
  type Sampler,
} from "@opentelemetry/sdk-trace-base";
import { NodeTracerProvider } from "@opentelemetry/sdk-trace-node";
import { ATTR_SERVICE_NAME } from "@opentelemetry/semantic-conventions";
import type { Logger } from "./logger.js";
import { withExportHealth } from "./export-health.js";
import type { TracingConfig } from "./tracing-config.js";

/**
 * Longest a graceful stop waits for the last spans to be exported: an unreachable collector (the exporter retries
 * for OTEL_EXPORTER_OTLP_TIMEOUT, 10 s by default) must not hold a rolling deployment back.
 */
const SHUTDOWN_BUDGET_MS = 5000;

/** The tracer's name: the instrumentation scope every span of the gateway is reported under. */
const SCOPE = "referrals-gateway";

/** The standard sampler names, built from the checked settings (not re-read from the environment by the SDK). */
function samplerOf(config: TracingConfig): Sampler {
  const ratio = () => new TraceIdRatioBasedSampler(config.samplerRatio);
  switch (config.sampler) {
    case "always_on":
      return new AlwaysOnSampler();
    case "always_off":
      return new AlwaysOffSampler();
    case "traceidratio":
      return ratio();
    case "parentbased_always_off":
      return new ParentBasedSampler({ root: new AlwaysOffSampler() });
    case "parentbased_traceidratio":
      return new ParentBasedSampler({ root: ratio() });
    case "parentbased_always_on":
      return new ParentBasedSampler({ root: new AlwaysOnSampler() });
  }
}

/**
 * The SDK, loaded only by startTracing (tracing.ts) when an endpoint is configured: spans batched (the SDK's
 * defaults, or OTEL_BSP_*), sent as OTLP protobuf over HTTP; W3C trace context in and out; AsyncLocalStorage carries
 * the active span through a request's async work (what the log mixin and upstream calls read).
 */
export function startSdk(config: TracingConfig, logger: Logger): { tracer: Tracer; shutdown: () => Promise<void> } {
  const resource = defaultResource().merge(
    resourceFromAttributes({ ...config.resourceAttributes, [ATTR_SERVICE_NAME]: config.serviceName }),
  );
  const exporter = new OTLPTraceExporter({ url: config.endpoint, headers: config.headers });
  const provider = new NodeTracerProvider({
    resource,
    sampler: samplerOf(config),
    spanProcessors: [new BatchSpanProcessor(withExportHealth(exporter, logger))],
  });
  // Only traceparent/tracestate: baggage is not read (a caller's baggage could carry anything, personal data included).
  provider.register({ propagator: new W3CTraceContextPropagator() });
  return {
    tracer: provider.getTracer(SCOPE),
    async shutdown() {
      let timer: NodeJS.Timeout | undefined;
      try {
        const budget = new Promise<void>((resolve) => (timer = setTimeout(resolve, SHUTDOWN_BUDGET_MS)));
        await Promise.race([provider.shutdown(), budget]);
      } finally {
        clearTimeout(timer);
        // A later start in the same process (tests) registers afresh; the API refuses a second registration otherwise.
        trace.disable();
        context.disable();
        propagation.disable();
      }
    },
  };
}
