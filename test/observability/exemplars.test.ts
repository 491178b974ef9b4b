import type { IncomingMessage, RequestListener, ServerResponse } from "node:http";
import { context, propagation, trace, type Tracer } from "@opentelemetry/api";
import { AlwaysOffSampler, InMemorySpanExporter, NodeTracerProvider, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-node";
import { SEED } from "../../src/emulator/seed.js";
import { findOsBinary } from "../support/os-binary.js";
import { startPrometheus, type PrometheusServer } from "../support/prometheus-server.js";
import { graphql, metricsUrlOf, startStack, type Stack } from "../support/stack.js";

// Trace-linked latency: after a traced request, an OpenMetrics scrape shows the request's trace id as an exemplar on
// the latency histograms; a plain scrape stays Prometheus text 0.0.4 without exemplars. A real OpenTelemetry SDK
// (NodeTracerProvider, in-memory exporter) runs in this process around the real gateway.

const PAGE = `query ReferralHolders($memberId: ID!) { referralMember(memberId: $memberId) { holders(first: 1) { totalCount } } }`;
// What Prometheus 2.x sends.
const OPENMETRICS_ACCEPT = [
  "application/openmetrics-text;version=1.0.0",
  "application/openmetrics-text;version=0.0.1;q=0.75",
  "text/plain;version=0.0.4;q=0.5",
  "*/*;q=0.1",
].join(",");

/**
 * Every request the gateway's server handles runs inside a span of this tracer, as with the gateway's own tracing:
 * the histograms read whatever span is active where they observe.
 */
function traceEveryRequest(stack: Stack, tracer: Tracer): void {
  const listeners = stack.gateway.server.listeners("request") as RequestListener[];
  stack.gateway.server.removeAllListeners("request");
  stack.gateway.server.on("request", (request: IncomingMessage, response: ServerResponse) => {
    tracer.startActiveSpan(`${request.method} ${request.url}`, (span) => {
      response.once("close", () => span.end());
      for (const listener of listeners) listener(request, response);
    });
  });
}

const scrape = async (stack: Stack, accept?: string) => {
  const response = await fetch(metricsUrlOf(stack), { headers: accept ? { accept } : {} });
  return { contentType: response.headers.get("content-type"), vary: response.headers.get("vary"), text: await response.text() };
};

/** The exemplars (`# {labels} value timestamp`) on the bucket lines of one histogram. */
function exemplarsOf(text: string, histogram: string): Array<{ traceId: string; spanId: string; line: string }> {
  return text
    .split("\n")
    .filter((line) => line.startsWith(`${histogram}_bucket{`) && line.includes(" # {"))
    .map((line) => {
      const match = /# \{trace_id="([0-9a-f]{32})",span_id="([0-9a-f]{16})"\} [0-9.e+-]+ [0-9.]+$/.exec(line);
      if (!match) throw new Error(`malformed exemplar: ${line}`);
      return { traceId: match[1], spanId: match[2], line };
    });
}

function withProvider(sampled: boolean): { provider: NodeTracerProvider; exporter: InMemorySpanExporter } {
  const exporter = new InMemorySpanExporter();
  const provider = new NodeTracerProvider({
    spanProcessors: [new SimpleSpanProcessor(exporter)],
    ...(sampled ? {} : { sampler: new AlwaysOffSampler() }),
  });
  provider.register();
  return { provider, exporter };
}

async function unregister(provider: NodeTracerProvider): Promise<void> {
  await provider.shutdown();
  trace.disable();
  context.disable();
  propagation.disable();
}

describe("a sampled trace", () => {
  let stack: Stack;
  let provider: NodeTracerProvider;
  let exporter: InMemorySpanExporter;
  beforeAll(async () => {
    ({ provider, exporter } = withProvider(true));
    stack = await startStack();
    traceEveryRequest(stack, trace.getTracer("exemplar-test"));
  });
  afterAll(async () => {
    await stack?.stop();
    await unregister(provider);
  });

  test("OpenMetrics: the operation and upstream latency histograms carry the request's trace id", async () => {
    const answer = await graphql(stack.gateway.graphqlUrl, PAGE, { memberId: SEED.code });
    expect(answer.errors).toBeUndefined();
    const requestSpan = exporter.getFinishedSpans().find((span) => span.name === "POST /graphql");
    expect(requestSpan).toBeDefined();
    const traceId = requestSpan!.spanContext().traceId;

    const { contentType, vary, text } = await scrape(stack, OPENMETRICS_ACCEPT);
    expect(contentType).toBe("application/openmetrics-text; version=1.0.0; charset=utf-8");
    expect(vary).toBe("Accept");
    expect(text.endsWith("# EOF\n")).toBe(true);
    const operation = exemplarsOf(text, "gateway_operation_duration_seconds").filter((e) => e.line.includes('operation="ReferralHolders"'));
    expect(operation).toHaveLength(1);
    expect(operation[0].traceId).toBe(traceId);
    expect(operation[0].spanId).toBe(requestSpan!.spanContext().spanId);
    const upstream = exemplarsOf(text, "gateway_upstream_request_duration_seconds").filter((e) =>
      e.line.includes('endpoint="listHolders"'),
    );
    expect(upstream.length).toBeGreaterThanOrEqual(1);
    expect(upstream.every((e) => e.traceId === traceId)).toBe(true);
    // OpenMetrics names a counter's family without `_total`; its samples keep it.
    expect(text).toMatch(/^# TYPE gateway_operations counter$/m);
    expect(text).toMatch(/^gateway_operations_total\{operation="ReferralHolders",outcome="ok"\} 1$/m);
  });

  test("plain Accept (and none): Prometheus text 0.0.4, no exemplars, counter names unchanged after an OpenMetrics scrape", async () => {
    await scrape(stack, OPENMETRICS_ACCEPT);
    for (const accept of [undefined, "text/plain", "*/*", "text/plain;version=0.0.4;q=0.9,application/openmetrics-text;q=0.5"]) {
      const { contentType, text } = await scrape(stack, accept);
      expect(contentType).toBe("text/plain; version=0.0.4; charset=utf-8");
      expect(text).not.toContain("# {");
      expect(text).not.toContain("# EOF");
      expect(text).toMatch(/^# TYPE gateway_operations_total counter$/m);
      expect(text).toMatch(/^gateway_operation_duration_seconds_bucket\{le="\+Inf",operation="ReferralHolders"\} 1$/m);
    }
  });
});

const prometheus = findOsBinary("prometheus", { debianPackage: "prometheus" });

prometheus.describe("exemplars through a real Prometheus", () => {
  let stack: Stack;
  let provider: NodeTracerProvider;
  let exporter: InMemorySpanExporter;
  let server: PrometheusServer;
  beforeAll(async () => {
    ({ provider, exporter } = withProvider(true));
    stack = await startStack();
    traceEveryRequest(stack, trace.getTracer("exemplar-test"));
    const target = new URL(metricsUrlOf(stack)).host;
    const config = [
      "global: { scrape_interval: 1s }",
      "scrape_configs:",
      `  - { job_name: gateway, static_configs: [{ targets: ["${target}"] }] }`,
    ].join("\n");
    server = await startPrometheus(prometheus.path!, config);
  });
  afterAll(async () => {
    await server?.stop();
    await stack?.stop();
    await unregister(provider);
  });

  test("Prometheus (exemplar storage on) stores the trace id of a slow bucket: the dashboard's jump to the trace", async () => {
    expect((await graphql(stack.gateway.graphqlUrl, PAGE, { memberId: SEED.code })).errors).toBeUndefined();
    const traceId = exporter
      .getFinishedSpans()
      .find((span) => span.name === "POST /graphql")!
      .spanContext().traceId;
    type Exemplars = Array<{ seriesLabels: Record<string, string>; exemplars: Array<{ labels: Record<string, string> }> }>;
    const query = 'gateway_operation_duration_seconds_bucket{operation="ReferralHolders"}';
    const now = Date.now() / 1000;
    let found: Exemplars = [];
    // Prometheus scrapes every second on its own schedule: poll (bounded) until it has stored the exemplar.
    for (const until = Date.now() + 15_000; found.length === 0 && Date.now() < until;) {
      found = await server.api<Exemplars>("query_exemplars", { query, start: String(now - 60), end: String(now + 60) });
      if (found.length === 0) await new Promise((resolve) => setTimeout(resolve, 250));
    }
    expect(found.flatMap((series) => series.exemplars.map((exemplar) => exemplar.labels.trace_id))).toContain(traceId);
    const targets = await server.api<{ activeTargets: Array<{ health: string; lastError: string }> }>("targets");
    expect(targets.activeTargets.map((target) => [target.health, target.lastError])).toEqual([["up", ""]]);
  });
});

describe("an unsampled trace", () => {
  let stack: Stack;
  let provider: NodeTracerProvider;
  beforeAll(async () => {
    ({ provider } = withProvider(false));
    stack = await startStack();
    traceEveryRequest(stack, trace.getTracer("exemplar-test"));
  });
  afterAll(async () => {
    await stack?.stop();
    await unregister(provider);
  });

  test("no exemplar: its trace id would point at nothing in the tracing backend", async () => {
    expect((await graphql(stack.gateway.graphqlUrl, PAGE, { memberId: SEED.code })).errors).toBeUndefined();
    const { contentType, text } = await scrape(stack, OPENMETRICS_ACCEPT);
    expect(contentType).toMatch(/^application\/openmetrics-text/);
    expect(text).toMatch(/^gateway_operation_duration_seconds_count\{operation="ReferralHolders"\} 1$/m);
    expect(text).not.toContain("# {");
  });
});
