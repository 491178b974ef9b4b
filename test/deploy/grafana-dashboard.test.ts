import { readFileSync } from "node:fs";

// The dashboard's model as Grafana reads it: one Prometheus data source variable used by every panel, distinct
// panel ids, no two panels on the same cells, and a panel for each thing operators were promised. Whether the
// queries return data is test/deploy/dashboard-on-prometheus.test.ts's job (a real Prometheus).

interface Panel {
  id: number;
  type: string;
  title: string;
  datasource?: { type: string; uid: string };
  gridPos: { x: number; y: number; w: number; h: number };
  targets?: Array<{ datasource: { type: string; uid: string }; expr: string; refId: string }>;
}
const dashboard = JSON.parse(readFileSync("deploy/grafana/referrals-gateway.json", "utf8")) as {
  uid: string;
  templating: { list: Array<{ name: string; type: string; query: unknown }> };
  panels: Panel[];
};
const graphs = dashboard.panels.filter((panel) => panel.type !== "row");
const DATA_SOURCE = { type: "prometheus", uid: "${DS_PROMETHEUS}" };

test("a Prometheus data source variable, used by every panel and query; job and replica variables", () => {
  expect(dashboard.templating.list.map(({ name, type }) => [name, type])).toEqual([
    ["DS_PROMETHEUS", "datasource"],
    ["job", "query"],
    ["instance", "query"],
  ]);
  expect(dashboard.templating.list[0].query).toBe("prometheus");
  for (const panel of graphs) {
    expect(panel.datasource).toEqual(DATA_SOURCE);
    for (const target of panel.targets ?? []) {
      expect(target.datasource).toEqual(DATA_SOURCE);
      expect(target.expr).toContain('job=~"$job", instance=~"$instance"');
    }
  }
});

test("distinct ids and refIds, no overlapping panels", () => {
  expect(new Set(dashboard.panels.map((panel) => panel.id)).size).toBe(dashboard.panels.length);
  const cells = new Set<string>();
  for (const panel of dashboard.panels) {
    const refIds = (panel.targets ?? []).map((target) => target.refId);
    expect(new Set(refIds).size).toBe(refIds.length);
    const { x, y, w, h } = panel.gridPos;
    expect(x + w).toBeLessThanOrEqual(24);
    for (let row = y; row < y + h; row++) {
      for (let column = x; column < x + w; column++) {
        expect(cells.has(`${row}:${column}`)).toBe(false);
        cells.add(`${row}:${column}`);
      }
    }
  }
});

test.each([
  ["request rate", "gateway_operations_total"],
  ["errors by code", "sum by (code) (rate(gateway_errors_total"],
  ["latency by operation", "histogram_quantile(0.99, sum by (operation, le) (rate(gateway_operation_duration_seconds_bucket"],
  ["upstream calls by route and status", "sum by (endpoint, status) (rate(gateway_upstream_requests_total"],
  ["upstream 429s", 'status="429"'],
  ["quota refusals", "gateway_upstream_refusals_total"],
  ["cache hit ratio", 'gateway_cache_lookups_total{job=~"$job", instance=~"$instance", result="hit"}'],
  ["caller budget refusals", "gateway_caller_budget_refusals_total"],
  ["Redis degraded", "gateway_shared_state_degraded"],
  ["event-loop delay", "nodejs_eventloop_lag_p99_seconds"],
  ["memory", "process_resident_memory_bytes"],
  ["readiness", "gateway_ready"],
])("a panel for %s", (_topic, fragment) => {
  expect(graphs.some((panel) => (panel.targets ?? []).some((target) => target.expr.includes(fragment)))).toBe(true);
});

test("the latency panels ask Grafana for exemplars (trace ids on the buckets)", () => {
  const exemplarQueries = graphs.flatMap((panel) => (panel.targets ?? []).filter((target) => (target as { exemplar?: boolean }).exemplar));
  expect(exemplarQueries.map((target) => target.expr.match(/gateway_\w+_bucket/)?.[0])).toEqual([
    "gateway_operation_duration_seconds_bucket",
    "gateway_upstream_request_duration_seconds_bucket",
  ]);
});
