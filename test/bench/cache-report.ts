import type { CacheBenchResults } from "./cache-bench.js";
import type { CacheLaneResult, CacheSetup, CacheVariant } from "./cache-lanes.js";
import type { LaneResult } from "./lane-runner.js";
import { findLane, type TargetCheck } from "./report.js";
import { groupedBarChartSvg } from "./svg-chart.js";

/** The customer variant's uncached throughput on the reference machine before the cache: 488-527 req/s. */
const CUSTOMER_BASELINE_REQ_S = { low: 488, high: 527 };
const SETUPS: CacheSetup[] = ["in-process cache", "2 replicas on Redis"];
const VARIANT_LABEL: Record<CacheVariant, string> = {
  holders: "10-holder page",
  customer: "+ customer { name email } (11 calls uncached)",
};
const round2 = (value: number) => Math.round(value * 100) / 100;
/** One Markdown table row: `| a | b | c |`. */
const row = (cells: unknown[]) => `| ${cells.map(String).join(" | ")} |`;

const cacheLane = (cache: CacheBenchResults, setup: CacheSetup, variant: CacheVariant) =>
  cache.lanes.find((l) => l.setup === setup && l.variant === variant);
const uncachedLane = (lanes: LaneResult[], variant: CacheVariant, connections: number) =>
  findLane(lanes, variant === "holders" ? "general" : "general+customers", connections);

/** The issue's cache targets, each with what was measured; like every bench target, reported and never enforced. */
export function cacheTargets(cache: CacheBenchResults, lanes: LaneResult[]): TargetCheck[] {
  const checks: TargetCheck[] = [];
  for (const setup of SETUPS) {
    const page = cacheLane(cache, setup, "holders");
    const customer = cacheLane(cache, setup, "customer");
    if (!page || !customer) continue;
    const uncached = uncachedLane(lanes, "holders", page.connections);
    const ratio = uncached ? round2(page.requestsPerSecond / uncached.requestsPerSecond) : null;
    checks.push({
      name: `${setup}: 10-holder page req/s ÷ uncached gateway req/s at c=${page.connections}`,
      measured: ratio,
      target: ">= 3",
      met: ratio !== null && ratio >= 3,
    });
    const wanted = 5 * CUSTOMER_BASELINE_REQ_S.high;
    checks.push({
      name: `${setup}: customer variant req/s once warm, c=${customer.connections}`,
      measured: customer.requestsPerSecond,
      target: `>= ${wanted} (5 × ${CUSTOMER_BASELINE_REQ_S.low}–${CUSTOMER_BASELINE_REQ_S.high})`,
      met: customer.requestsPerSecond >= wanted,
    });
  }
  const shared = cacheLane(cache, "2 replicas on Redis", "holders");
  if (shared) {
    const calls = shared.repeatedReads.upstreamCalls;
    checks.push({
      name: `2 replicas on Redis: upstream calls per ${shared.repeatedReads.reads} repeated reads of the 10-holder page within the TTL`,
      measured: calls,
      target: "<= 1",
      met: calls <= 1 && shared.repeatedReads.withinTtl,
    });
  }
  return checks;
}

export function cacheTable(cache: CacheBenchResults, lanes: LaneResult[]): string {
  const rows = [
    "| setup | read | c | req/s | × uncached | p50 ms | p99 ms | errors | gateway CPU µs/req | upstream calls/req | " +
      "upstream calls per 1,000 repeated reads | redis-server CPU µs/req | gateway peak RSS MB |",
    "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
  ];
  for (const variant of ["holders", "customer"] as const) {
    const uncached = uncachedLane(lanes, variant, Math.max(0, ...cache.lanes.map((l) => l.connections)));
    if (uncached) {
      rows.push(
        row([
          "uncached gateway (cache off)",
          VARIANT_LABEL[variant],
          uncached.connections,
          uncached.requestsPerSecond,
          1,
          uncached.latencyMs.p50,
          uncached.latencyMs.p99,
          uncached.errors.total,
          uncached.front?.cpuMicrosPerRequest ?? "–",
          uncached.emulator.requestsPerRequest,
          "–",
          "–",
          uncached.front?.peakRssMB ?? "–",
        ]),
      );
    }
    for (const l of cache.lanes.filter((lane) => lane.variant === variant)) {
      const times = uncached ? round2(l.requestsPerSecond / uncached.requestsPerSecond) : "–";
      const { upstreamCalls, elapsedMs, withinTtl, wrongAnswers } = l.repeatedReads;
      const repeated = `${upstreamCalls} (${elapsedMs} ms${withinTtl ? "" : ", longer than the TTL"})`;
      rows.push(
        row([
          `${l.setup}${l.replicas > 1 ? ` (${l.replicas} replicas)` : ""}`,
          VARIANT_LABEL[variant],
          l.connections,
          l.requestsPerSecond,
          times,
          l.latencyMs.p50,
          l.latencyMs.p99,
          l.errors.total + wrongAnswers,
          l.gatewayCpuMicrosPerRequest,
          l.upstreamCallsPerRequest,
          repeated,
          l.redisCpuMicrosPerRequest ?? "–",
          l.gatewayPeakRssMB,
        ]),
      );
    }
  }
  return rows.join("\n");
}

export function cacheMarkdown(cache: CacheBenchResults, lanes: LaneResult[], targets: TargetCheck[]): string {
  return [
    "## Cache: warm in-process cache and two replicas on one Redis",
    "",
    `Default TTLs (holder pages ${cache.holdersTtlMs} ms, customers ${cache.customersTtlMs} ms); the warm-up fills the cache, so`,
    "the measured run includes the refills after each TTL. Two replicas: the connections are split evenly between them;",
    "Redis is the bench's own redis-server (free port, no persistence). Gateway CPU is the gateway processes' only.",
    "Repeated reads: 1,000 reads of the same query right after the run, the first with `Cache-Control: no-cache`",
    "(it reads upstream and refreshes the entries), the rest spread over the replicas at the same concurrency.",
    "The machine is shared and noisy: throughput varies from run to run; targets are reported, never enforced.",
    ...(cache.redisSkipped ? ["", `**Skipped:** ${cache.redisSkipped}.`] : []),
    "",
    cacheTable(cache, lanes),
    "",
    "| cache target | measured | wanted | met |",
    "|---|---:|---:|:---:|",
    ...targets.map((t) => `| ${t.name} | ${t.measured ?? "–"} | ${t.target} | ${t.met ? "yes" : "no"} |`),
    "",
  ].join("\n");
}

export function cacheChart(cache: CacheBenchResults, lanes: LaneResult[], nproc: number): string {
  const connections = Math.max(0, ...cache.lanes.map((l) => l.connections));
  const variants: CacheVariant[] = ["holders", "customer"];
  const value = (lane: CacheLaneResult | LaneResult | undefined) => lane?.requestsPerSecond ?? null;
  return groupedBarChartSvg({
    title: `Requests/s with and without the cache, c=${connections} (${nproc} CPUs, shared machine)`,
    unit: "requests/s",
    groups: ["10-holder page", "+ customer { name email }"],
    series: [
      { name: "uncached gateway", values: variants.map((v) => value(uncachedLane(lanes, v, connections))) },
      ...SETUPS.map((setup) => ({ name: setup, values: variants.map((v) => value(cacheLane(cache, setup, v))) })),
    ],
  });
}
