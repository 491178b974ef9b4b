import { GatewayMetrics } from "../../src/observability/metrics.js";

// Series are bound once per label (prom-client label children); what they record must be what the label sets did.
describe("GatewayMetrics' bound series", () => {
  test("one operation name is bound once: the same series every time, under its bounded label", () => {
    const metrics = new GatewayMetrics({ operationLabels: { known: ["Known"], maxNames: 0 } });
    expect(metrics.operationSeries("Known")).toBe(metrics.operationSeries("Known"));
    expect(metrics.operationSeries("Known").label).toBe("Known");
    // Past the cap, other names share one label, and so one bound series.
    expect(metrics.operationSeries("Stranger")).toBe(metrics.operationSeries("Another"));
    expect(metrics.operationSeries("Stranger").label).toBe("other");
    expect(metrics.operationSeries(undefined).label).toBe("anonymous");
  });

  test("operations record outcome, duration and error codes as labelled samples", async () => {
    const metrics = new GatewayMetrics({ operationLabels: { known: ["Page"] } });
    const page = metrics.operationSeries("Page");
    metrics.recordOperation(page, [], 0.004);
    metrics.recordOperation(page, [], 0.02);
    metrics.recordOperation(page, ["NOT_FOUND", "NOT_FOUND", "UPSTREAM_ERROR"], 0.2);
    const text = await metrics.registry.metrics();
    expect(text).toContain('gateway_operations_total{operation="Page",outcome="ok"} 2');
    expect(text).toContain('gateway_operations_total{operation="Page",outcome="error"} 1');
    expect(text).toContain('gateway_operation_duration_seconds_count{operation="Page"} 3');
    expect(text).toContain('gateway_operation_duration_seconds_bucket{le="0.005",operation="Page"} 1');
    expect(text).toContain('gateway_errors_total{code="NOT_FOUND"} 2');
    expect(text).toContain('gateway_errors_total{code="UPSTREAM_ERROR"} 1');
  });

  test("upstream calls are counted by endpoint, method and status (none: no answer), timed by endpoint and status", async () => {
    const metrics = new GatewayMetrics();
    metrics.recordUpstreamCall({ endpoint: "listHolders", method: "GET", status: 200, durationMs: 3 });
    metrics.recordUpstreamCall({ endpoint: "listHolders", method: "GET", status: 200, durationMs: 30 });
    metrics.recordUpstreamCall({ endpoint: "listHolders", method: "GET", status: null, durationMs: 3000 });
    const text = await metrics.registry.metrics();
    expect(text).toContain('gateway_upstream_requests_total{endpoint="listHolders",method="GET",status="200"} 2');
    expect(text).toContain('gateway_upstream_requests_total{endpoint="listHolders",method="GET",status="none"} 1');
    expect(text).toContain('gateway_upstream_request_duration_seconds_count{endpoint="listHolders",status="200"} 2');
    expect(text).toContain('gateway_upstream_request_duration_seconds_sum{endpoint="listHolders",status="none"} 3');
  });

  test("a reset registry keeps counting through the bound series", async () => {
    const metrics = new GatewayMetrics({ operationLabels: { known: ["Page"] } });
    const page = metrics.operationSeries("Page");
    metrics.recordOperation(page, [], 0.01);
    metrics.registry.resetMetrics();
    metrics.recordOperation(page, [], 0.01);
    expect(await metrics.registry.metrics()).toContain('gateway_operations_total{operation="Page",outcome="ok"} 1');
  });
});
