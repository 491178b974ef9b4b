import { randomBytes } from "node:crypto";
import { context, type Span, type Tracer } from "@opentelemetry/api";
import { jest } from "@jest/globals";
import { SEED } from "../../src/emulator/seed.js";
import { activeTracer } from "../../src/observability/tracing.js";
import { captureLogs } from "../support/log-capture.js";
import { graphql, startStack, type Stack } from "../support/stack.js";
import { SpanKind, startOtlpReceiver, type OtlpReceiver } from "./otlp-receiver.js";

// A ratio sampler, as a busy deployment runs it: the requests it does not sample cost the decision and nothing else
// (no span made, no context entered, nothing exported), yet their trace still reaches the upstream and their logs.
// The real SDK and exporter run in this process around the real gateway; OTEL_TRACES_SAMPLER_ARG=0 makes "not sampled"
// certain for a new trace, while a caller's sampled trace is still continued (parent-based).

const PAGE = `query UnsampledPage { referralMember(memberId: "${SEED.code}") { holders(first: 2) { totalCount } } }`;
const ANSWER = { referralMember: { holders: { totalCount: SEED.refereeCount + 1 } } };
const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-(0[01])$/;

/** Every span the gateway's tracer starts, and every context the API enters, while `run` runs. */
async function watch(run: () => Promise<void>): Promise<{ started: { span: Span; recording: boolean }[]; contextsEntered: number }> {
  const tracer = activeTracer() as Tracer;
  const started: { span: Span; recording: boolean }[] = [];
  // The real tracer, watched: an own property in front of its prototype's startSpan, removed afterwards.
  const startSpan = tracer.startSpan.bind(tracer);
  tracer.startSpan = (...args: Parameters<Tracer["startSpan"]>) => {
    const span = startSpan(...args);
    started.push({ span, recording: span.isRecording() });
    return span;
  };
  const enter = jest.spyOn(context, "with");
  try {
    await run();
    return { started, contextsEntered: enter.mock.calls.length };
  } finally {
    enter.mockRestore();
    delete (tracer as Partial<Tracer>).startSpan;
  }
}

function startTracedStack(receiver: OtlpReceiver, logs: ReturnType<typeof captureLogs>): Promise<Stack> {
  return startStack({
    env: {
      LOG_LEVEL: "info",
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      OTEL_TRACES_SAMPLER: "parentbased_traceidratio",
      OTEL_TRACES_SAMPLER_ARG: "0",
      // Every request reads upstream (no cached page), so each has calls to look at.
      CACHE_HOLDERS_TTL_MS: "0",
    },
    gateway: { logger: logs.logger },
  });
}

describe("a request the ratio sampler does not sample", () => {
  let receiver: OtlpReceiver;
  let stack: Stack | undefined;
  const logs = captureLogs("info", { traceContext: true });
  let watched: Awaited<ReturnType<typeof watch>>;
  let forwarded: string[];

  beforeAll(async () => {
    receiver = await startOtlpReceiver();
    stack = await startTracedStack(receiver, logs);
    // Warm (the first request compiles and fills caches), then the request under watch.
    expect((await graphql(stack.gateway.graphqlUrl, PAGE)).data).toEqual(ANSWER);
    stack.emulator.resetRequests();
    watched = await watch(async () => {
      const result = await graphql(stack!.gateway.graphqlUrl, PAGE, undefined, { "x-request-id": "unsampled-1" });
      expect(result.data).toEqual(ANSWER);
    });
    forwarded = stack.emulator.requests.map((request) => request.traceparent ?? "");
    // Stopping exports whatever the SDK holds: after it, the receiver has everything it will ever get.
    await stack.stop();
    stack = undefined;
  });

  afterAll(async () => {
    await stack?.stop();
    await receiver?.close();
  });

  test("makes no span: the sampler's decision at the server span is the only one started, and it records nothing", () => {
    expect(watched.started).toHaveLength(1);
    expect(watched.started[0].recording).toBe(false);
  });

  test("enters no trace context", () => {
    expect(watched.contextsEntered).toBe(0);
  });

  test("exports nothing: the collector never hears from the gateway", () => {
    expect(receiver.requests).toEqual([]);
  });

  test("still sends a valid traceparent upstream, sampled flag off, one trace for all of the request's calls", () => {
    expect(forwarded.length).toBeGreaterThan(0);
    const parsed = forwarded.map((header) => TRACEPARENT.exec(header));
    for (const match of parsed) expect(match).not.toBeNull();
    const [, traceId, spanId, flags] = parsed[0]!;
    expect(flags).toBe("00");
    expect(traceId).not.toMatch(/^0+$/);
    expect(spanId).not.toMatch(/^0+$/);
    expect(new Set(forwarded)).toEqual(new Set([forwarded[0]]));
  });

  test("its operation log line names the trace it sent upstream", () => {
    const line = logs.lines().find((entry) => entry.msg === "graphql operation" && entry.requestId === "unsampled-1");
    const [, traceId, spanId] = TRACEPARENT.exec(forwarded[0])!;
    expect(line).toMatchObject({ trace_id: traceId, span_id: spanId, outcome: "ok" });
  });
});

describe("a caller's sampled trace, under the same ratio sampler", () => {
  let receiver: OtlpReceiver;
  let stack: Stack | undefined;
  const logs = captureLogs("info", { traceContext: true });
  const caller = { traceId: randomBytes(16).toString("hex"), spanId: randomBytes(8).toString("hex") };
  let watched: Awaited<ReturnType<typeof watch>>;
  let forwarded: string[];

  beforeAll(async () => {
    receiver = await startOtlpReceiver();
    stack = await startTracedStack(receiver, logs);
    stack.emulator.resetRequests();
    watched = await watch(async () => {
      const headers = { traceparent: `00-${caller.traceId}-${caller.spanId}-01` };
      expect((await graphql(stack!.gateway.graphqlUrl, PAGE, undefined, headers)).data).toEqual(ANSWER);
    });
    forwarded = stack.emulator.requests.map((request) => request.traceparent ?? "");
    await stack.stop();
    stack = undefined;
  });

  afterAll(async () => {
    await stack?.stop();
    await receiver?.close();
  });

  test("is continued: the server span is the caller's child, the operation and upstream spans nest under it", () => {
    const spans = receiver.spans.filter((span) => span.traceId === caller.traceId);
    const server = spans.find((span) => span.kind === SpanKind.SERVER)!;
    expect(server.parentSpanId).toBe(caller.spanId);
    const operation = spans.find((span) => span.name === "query UnsampledPage")!;
    expect(operation.parentSpanId).toBe(server.spanId);
    const upstream = spans.filter((span) => span.kind === SpanKind.CLIENT);
    expect(upstream.length).toBeGreaterThan(0);
    // Every span the tracer started was recorded and exported (the control for the unsampled request above).
    expect(watched.started.every((start) => start.recording)).toBe(true);
    expect(spans).toHaveLength(watched.started.length);
    expect(watched.contextsEntered).toBeGreaterThan(0);
  });

  test("its upstream calls carry their own client spans' ids, sampled", () => {
    const upstream = receiver.spans.filter((span) => span.traceId === caller.traceId && span.kind === SpanKind.CLIENT);
    expect(forwarded.sort()).toEqual(upstream.map((span) => `00-${caller.traceId}-${span.spanId}-01`).sort());
  });

  test("its operation log line names the caller's trace and the operation span", () => {
    const operation = receiver.spans.find((span) => span.name === "query UnsampledPage")!;
    const line = logs.lines().find((entry) => entry.msg === "graphql operation");
    expect(line).toMatchObject({ trace_id: caller.traceId, span_id: operation.spanId });
  });
});
