import { trace, type Span, type Tracer } from "@opentelemetry/api";
import type { Logger } from "./logger.js";
import type { TracingConfig } from "./tracing-config.js";

/**
 * Whether this process traces, and its tracer. Only `@opentelemetry/api` is imported by the gateway's code; the SDK,
 * the exporter and their dependencies are loaded by startTracing, and only when an endpoint is configured. While
 * tracing is off every span helper (server-span.ts, operation-span.ts, ...) returns after one null check: no API
 * call, no attribute object, no context switch.
 *
 * With tracing on, the sampling decision is made once per request, at its server span (server-span.ts). A sampled
 * request runs inside its spans' context and its helpers nest spans under the active one (sampledSpan). An unsampled
 * request enters no context at all: its helpers find no sampled span and return after that check, so it makes no
 * span and exports nothing; the ids it still propagates travel with the request (request-trace.ts).
 */
let tracer: Tracer | null = null;
let running: { users: number; shutdown: () => Promise<void> } | null = null;

/** Whether spans are being made: callers that would build an argument object for a helper ask this first. */
export function tracingOn(): boolean {
  return tracer !== null;
}

/** The tracer, or null while tracing is off. Helpers check this first, on every call. */
export function activeTracer(): Tracer | null {
  return tracer;
}

/**
 * The active span when it is recorded (this request is sampled), the parent of any span a helper starts now;
 * undefined while tracing is off or outside a sampled request. Helpers start no span without it: an unsampled
 * request's work never becomes a trace of its own.
 */
export function sampledSpan(): Span | undefined {
  if (tracer === null) return undefined;
  const span = trace.getActiveSpan();
  return span !== undefined && span.isRecording() ? span : undefined;
}

export interface TracingHandle {
  /** Exports what is buffered and stops; the last gateway of the process to stop shuts the SDK down. */
  shutdown(): Promise<void>;
}

const NOTHING_TO_STOP: TracingHandle = { shutdown: async () => {} };

/**
 * Starts the OpenTelemetry SDK once per process (several gateways in one process, as in tests, share it: the API's
 * globals are per process anyway). With `config` null, nothing is loaded and nothing is exported.
 */
export async function startTracing(config: TracingConfig | null, logger: Logger): Promise<TracingHandle> {
  if (config === null) return NOTHING_TO_STOP;
  // The SDK module is loaded here, and only here; the check after the await keeps two gateways starting at once
  // from registering it twice.
  const sdk = await import("./tracing-sdk.js");
  if (!running) {
    const started = sdk.startSdk(config, logger);
    tracer = started.tracer;
    running = { users: 0, shutdown: started.shutdown };
  }
  const handle = running;
  handle.users++;
  let stopped = false;
  return {
    async shutdown() {
      if (stopped) return;
      stopped = true;
      if (--handle.users > 0) return;
      tracer = null;
      running = null;
      await handle.shutdown();
    },
  };
}
