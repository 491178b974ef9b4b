import type { LaneName, LaneResult, LaneSettings } from "./lane-runner.js";
import type { MachineInfo } from "./machine.js";
import { groupedBarChartSvg } from "./svg-chart.js";
import { tracingOverhead } from "./tracing-lanes.js";

export interface TargetCheck {
  name: string;
  measured: number | null;
  target: string;
  met: boolean;
}

export interface BenchResults {
  kind: "full" | "smoke";
  startedAt: string;
  machine: MachineInfo;
  settings: LaneSettings & { concurrency: number[]; scalingConcurrency: number[]; pageSizes: number[] };
  gatewayIdleRssMB: number;
  gatewayEnv: Record<string, unknown>;
  lanes: LaneResult[];
  scaling: LaneResult[];
  ratios: Array<{ connections: number; gatewayToDirect: number; gatewayToProxy: number; addedP50Ms: number }>;
  targets: TargetCheck[];
}

const LABEL: Record<LaneName, string> = {
  direct: "(a) direct REST",
  proxy: "(b) pass-through proxy",
  gateway: "(c) gateway",
  "gateway+customer": "(c') gateway + customer { name email }",
  "gateway+tracing": "(c'') gateway, tracing on (always_on, OTLP export)",
  trusted: "(t) trusted document by id (fast path)",
  "trusted+customer": "(t') trusted + customer { name email }",
  "trusted-cached": "(t-cached) trusted, in-process cache on",
  "trusted+tracing": "(t'') trusted, tracing on (always_on, OTLP export)",
};

const find = (lanes: LaneResult[], lane: LaneName, connections: number) =>
  lanes.find((l) => l.lane === lane && l.connections === connections);
const round2 = (value: number) => Math.round(value * 100) / 100;
/** One Markdown table row: `| a | b | c |`. */
const row = (cells: unknown[]) => `| ${cells.map(String).join(" | ")} |`;

export function computeRatios(lanes: LaneResult[], concurrency: number[]): BenchResults["ratios"] {
  return concurrency.flatMap((connections) => {
    const direct = find(lanes, "direct", connections);
    const proxy = find(lanes, "proxy", connections);
    const gateway = find(lanes, "gateway", connections);
    if (!direct || !proxy || !gateway) return [];
    return [
      {
        connections,
        gatewayToDirect: round2(gateway.requestsPerSecond / direct.requestsPerSecond),
        gatewayToProxy: round2(gateway.requestsPerSecond / proxy.requestsPerSecond),
        addedP50Ms: round2(gateway.latencyMs.p50 - direct.latencyMs.p50),
      },
    ];
  });
}

/** The targets, each with what was measured; the bench reports them and never fails on them. */
export function checkTargets(results: Omit<BenchResults, "targets">): TargetCheck[] {
  const highest = Math.max(...results.settings.concurrency);
  const lowest = Math.min(...results.settings.concurrency);
  const atHigh = results.ratios.find((r) => r.connections === highest);
  const atLow = results.ratios.find((r) => r.connections === lowest);
  const all = [...results.lanes, ...results.scaling];
  const errors = all.reduce((sum, l) => sum + l.errors.total, 0);
  const gatewayLanes = all.filter((l) => l.lane === "gateway");
  // Sockets the gateway opened during a lane (warm-up included) beyond that lane's concurrency: keep-alive failing.
  const socketExcess = Math.max(...gatewayLanes.map((l) => (l.front?.upstreamSocketsOpened ?? 0) - l.connections));
  const peakRss = Math.max(...all.filter((l) => l.lane.startsWith("gateway")).map((l) => l.front?.peakRssMB ?? 0));
  return [
    {
      name: `gateway req/s ÷ proxy req/s at c=${highest}`,
      measured: atHigh?.gatewayToProxy ?? null,
      target: ">= 0.8",
      met: (atHigh?.gatewayToProxy ?? 0) >= 0.8,
    },
    {
      name: `added p50 over direct REST at c=${lowest} (ms)`,
      measured: atLow?.addedP50Ms ?? null,
      target: "<= 1",
      met: atLow !== undefined && atLow.addedP50Ms <= 1,
    },
    { name: "errors, all lanes", measured: errors, target: "0", met: errors === 0 },
    {
      name: "new upstream sockets in a gateway lane minus its concurrency (worst lane)",
      measured: socketExcess,
      target: "<= 0",
      met: socketExcess <= 0,
    },
    { name: "gateway peak RSS (MB)", measured: peakRss, target: "< 150", met: peakRss < 150 },
    ...tracingOverhead(results.lanes).map(({ lane, connections, cpuRatio }) => ({
      name: `${LABEL[lane]}: CPU/request ÷ tracing off at c=${connections}`,
      measured: cpuRatio,
      target: "<= 1.15",
      met: cpuRatio <= 1.15,
    })),
    ...trustedTargets(results.lanes, highest),
  ];
}

/** Issue 16's targets for the trusted documents' fast path, at the highest concurrency; none when its lanes did not run. */
function trustedTargets(lanes: LaneResult[], connections: number): TargetCheck[] {
  const proxy = find(lanes, "proxy", connections);
  const trusted = find(lanes, "trusted", connections);
  const customer = find(lanes, "trusted+customer", connections);
  const cached = find(lanes, "trusted-cached", connections);
  const cpu = (lane: LaneResult | undefined) => lane?.front?.cpuMicrosPerRequest ?? null;
  const ratio = (a: number | null | undefined, b: number | null | undefined) => (a && b ? round2(a / b) : null);
  const checks: TargetCheck[] = [];
  const check = (name: string, measured: number | null, target: string, met: (value: number) => boolean) => {
    if (measured !== null) checks.push({ name, measured, target, met: met(measured) });
  };
  check(`trusted CPU/req ÷ proxy CPU/req at c=${connections}`, ratio(cpu(trusted), cpu(proxy)), "<= 1.6", (v) => v <= 1.6);
  check(
    `trusted req/s ÷ proxy req/s at c=${connections}`,
    ratio(trusted?.requestsPerSecond, proxy?.requestsPerSecond),
    ">= 0.6",
    (v) => v >= 0.6,
  );
  check(
    `trusted cached req/s ÷ trusted req/s at c=${connections}`,
    ratio(cached?.requestsPerSecond, trusted?.requestsPerSecond),
    ">= 3",
    (v) => v >= 3,
  );
  check(`trusted + customer CPU/req ÷ trusted CPU/req at c=${connections}`, ratio(cpu(customer), cpu(trusted)), "<= 3", (v) => v <= 3);
  const rss = Math.max(0, ...lanes.filter((l) => l.lane.startsWith("trusted")).map((l) => l.front?.peakRssMB ?? 0));
  if (trusted) checks.push({ name: "trusted lanes' peak RSS (MB)", measured: rss, target: "< 140", met: rss < 140 });
  return checks;
}

export function lanesTable(results: BenchResults): string {
  const rows = [
    "| lane | c | req/s | p50 ms | p99 ms | errors | front peak RSS MB | front CPU µs/req | emulator CPU µs/req | upstream calls/req | " +
      "upstream sockets opened |",
    "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
  ];
  for (const l of results.lanes) {
    rows.push(
      row([
        LABEL[l.lane],
        l.connections,
        l.requestsPerSecond,
        l.latencyMs.p50,
        l.latencyMs.p99,
        l.errors.total,
        l.front?.peakRssMB ?? "–",
        l.front?.cpuMicrosPerRequest ?? "–",
        l.emulator.cpuMicrosPerRequest,
        l.front ? l.emulator.requestsPerRequest : "–",
        l.front ? `${l.front.upstreamSocketsOpened} (total ${l.front.upstreamSocketsOpenedTotal})` : "–",
      ]),
    );
  }
  rows.push("", "| c | gateway ÷ direct (req/s) | gateway ÷ proxy (req/s) | added p50 over direct (ms) |", "|---:|---:|---:|---:|");
  for (const r of results.ratios) rows.push(`| ${r.connections} | ${r.gatewayToDirect} | ${r.gatewayToProxy} | ${r.addedP50Ms} |`);
  return rows.join("\n");
}

export function scalingTable(results: BenchResults): string {
  const rows = [
    "| first | c | req/s | p50 ms | p99 ms | errors | gateway peak RSS MB | gateway CPU µs/req | upstream calls/req |",
    "|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
  ];
  for (const l of results.scaling) {
    rows.push(
      row([
        l.pageSize,
        l.connections,
        l.requestsPerSecond,
        l.latencyMs.p50,
        l.latencyMs.p99,
        l.errors.total,
        l.front?.peakRssMB ?? "–",
        l.front?.cpuMicrosPerRequest ?? "–",
        l.emulator.requestsPerRequest,
      ]),
    );
  }
  return rows.join("\n");
}

export function targetsTable(results: BenchResults): string {
  const rows = ["| target | measured | wanted | met |", "|---|---:|---:|:---:|"];
  for (const t of results.targets) rows.push(`| ${t.name} | ${t.measured ?? "–"} | ${t.target} | ${t.met ? "yes" : "no"} |`);
  return rows.join("\n");
}

export function markdownReport(results: BenchResults): string {
  const m = results.machine;
  return [
    `# Benchmark (${results.kind}), ${results.startedAt}`,
    "",
    `Machine: ${m.nproc} CPUs (${m.cpuModel}), ${m.memoryGiB} GiB, Node ${m.node}, ${m.platform}.`,
    `Each lane: ${results.settings.warmupSeconds} s warm-up, then ${results.settings.durationSeconds} s measured, ` +
      "autocannon closed loop in the parent process;",
    "emulator, proxy and gateway each in their own child process. " +
      "Every response is compared with a reference body (a mismatch counts as an error).",
    `Gateway idle RSS after start: ${results.gatewayIdleRssMB} MB.`,
    "",
    "## Same 10-holder page, by lane",
    "",
    lanesTable(results),
    "",
    "## Gateway scaling with page size and concurrency",
    "",
    scalingTable(results),
    "",
    "## Targets",
    "",
    targetsTable(results),
    "",
  ].join("\n");
}

export function lanesChart(results: BenchResults): string {
  const concurrency = results.settings.concurrency;
  const lanes = (["direct", "proxy", "gateway", "gateway+customer", "trusted", "trusted+customer", "trusted-cached"] as LaneName[]).filter(
    (lane) => results.lanes.some((l) => l.lane === lane),
  );
  return groupedBarChartSvg({
    title: `Same 10-holder page: requests/s by lane (${results.machine.nproc} CPUs, Node ${results.machine.node})`,
    unit: "requests/s",
    groups: concurrency.map((c) => `${c} connection${c === 1 ? "" : "s"}`),
    series: lanes.map((lane) => ({
      name: LABEL[lane],
      values: concurrency.map((c) => find(results.lanes, lane, c)?.requestsPerSecond ?? null),
    })),
  });
}

export function scalingChart(results: BenchResults, metric: "requestsPerSecond" | "p50"): string {
  const { scalingConcurrency, pageSizes } = results.settings;
  const value = (l: LaneResult | undefined) => (l ? (metric === "p50" ? l.latencyMs.p50 : l.requestsPerSecond) : null);
  return groupedBarChartSvg({
    title: metric === "p50" ? "Gateway p50 latency by page size and concurrency" : "Gateway requests/s by page size and concurrency",
    unit: metric === "p50" ? "p50 latency (ms)" : "requests/s",
    groups: scalingConcurrency.map((c) => `c=${c}`),
    series: pageSizes.map((size) => ({
      name: `first: ${size}`,
      values: scalingConcurrency.map((c) => value(results.scaling.find((l) => l.pageSize === size && l.connections === c))),
    })),
  });
}
