import { UPSTREAM_SETTINGS } from "../../src/settings/upstream.js";
import type { CostCounts } from "./cost-counts.js";
import { LANES } from "./lane-catalogue.js";
import type { Build, LaneResult, LaneSettings } from "./lane-runner.js";
import type { MachineInfo } from "./machine.js";
import { groupedBarChartSvg } from "./svg-chart.js";

export interface TargetCheck {
  name: string;
  measured: number | null;
  target: string;
  met: boolean;
  /** The lane the figure is of, when it is one lane's: a lane that misses a target gets its profile taken. */
  lane?: string;
}

/** A lane's figures as ratios to the proxy's, the floor's and its twin's (same run, same concurrency). */
export interface LaneRatios {
  lane: string;
  build: Build;
  connections: number;
  cpuToProxy: number | null;
  cpuToFloor: number | null;
  throughputToProxy: number | null;
  throughputToFloor: number | null;
  /** CPU ÷ the CPU of the lane it is a variant of (lane-catalogue.ts `twin`), same build. */
  cpuToTwin: number | null;
}

export interface BenchResults {
  kind: "full" | "smoke" | "partial";
  startedAt: string;
  machine: MachineInfo;
  settings: LaneSettings & {
    concurrency: number[];
    scalingConcurrency: number[];
    pageSizes: number[];
    repeat: number;
    /** Every other turn ran the lanes in reverse order (absent from results made before it did). */
    alternateTurns?: boolean;
  };
  gatewayEnv: Record<string, unknown>;
  /** The build the `baseline` lanes ran on (BENCH_BASELINE), when there was one. */
  baseline: { root: string; label: string } | null;
  /** Each front's RSS right after it started, before any load. */
  idleRss: Array<{ lane: string; build: Build; rssMB: number }>;
  lanes: LaneResult[];
  /** With BENCH_REPEAT: every run of every lane (`lanes` holds each one's median run). */
  repeats?: LaneResult[];
  scaling: LaneResult[];
  ratios: LaneRatios[];
  /** OTLP exports the sink of each traced lane received (0: the gateway made no spans). */
  tracingExports: Array<{ lane: string; build: Build; exports: number }>;
  /** Lanes profiled after the run because they missed a target (results/profile-<lane>.md and .json). */
  profiles?: string[];
  /** With BENCH_COUNTS: instructions and system calls per request, per lane and build (cost-counts.ts). */
  counts?: CostCounts[];
  /** Lanes that could not run here, and why. */
  skipped: Array<{ lane: string; reason: string }>;
  targets: TargetCheck[];
}

const round2 = (value: number) => Math.round(value * 100) / 100;
const ratio = (a: number | null | undefined, b: number | null | undefined) => (a && b ? round2(a / b) : null);
/** One Markdown table row: `| a | b | c |`. */
const row = (cells: Array<string | number | null | undefined>) => `| ${cells.map((cell) => cell ?? "–").join(" | ")} |`;
const cpu = (lane: LaneResult | undefined) => lane?.front?.cpuMicrosPerRequest ?? null;

export function findLane(
  lanes: readonly LaneResult[],
  lane: string,
  connections: number,
  build: Build = "current",
): LaneResult | undefined {
  return lanes.find((l) => l.lane === lane && l.connections === connections && l.build === build);
}

export function labelOf(lane: string): string {
  return LANES.find((l) => l.name === lane)?.label ?? lane;
}

/**
 * Every lane against the proxy and the floor (the current build's) and against its twin. With repeats (BENCH_REPEAT),
 * each ratio is the median of the turns' ratios, each turn's run against the proxy's, floor's and twin's runs of that
 * same turn: load from outside that changes between turns then moves a lane and the proxy alike. Without, the runs
 * given (`lanes`) against each other.
 */
export function computeRatios(lanes: readonly LaneResult[], repeats?: readonly LaneResult[]): LaneRatios[] {
  const rounds = new Set((repeats ?? []).map((run) => run.round));
  if (!repeats || rounds.size < 2 || rounds.has(undefined)) return ratiosWithin(lanes);
  const perRound = [...rounds].flatMap((round) => ratiosWithin(repeats.filter((run) => run.round === round)));
  return lanes.map((result) => {
    const same = perRound.filter((r) => r.lane === result.lane && r.build === result.build && r.connections === result.connections);
    const median = (field: Exclude<keyof LaneRatios, "lane" | "build" | "connections">) => {
      const values = same.map((r) => r[field]).filter((value): value is number => value !== null);
      if (values.length === 0) return null;
      const sorted = values.sort((x, y) => x - y);
      const middle = Math.floor(sorted.length / 2);
      return sorted.length % 2 === 1 ? sorted[middle] : round2((sorted[middle - 1] + sorted[middle]) / 2);
    };
    return {
      lane: result.lane,
      build: result.build,
      connections: result.connections,
      cpuToProxy: median("cpuToProxy"),
      cpuToFloor: median("cpuToFloor"),
      throughputToProxy: median("throughputToProxy"),
      throughputToFloor: median("throughputToFloor"),
      cpuToTwin: median("cpuToTwin"),
    };
  });
}

/**
 * How the repeats were run and read, for the report and the performance page: "every lane 3 times taking turns, every
 * other turn in reverse order" and what each figure and ratio is. Empty without repeats.
 */
export function turnsClause(results: Pick<BenchResults, "settings" | "repeats">): { taken: string; read: string } | null {
  if (results.settings.repeat <= 1) return null;
  return {
    taken: `${results.settings.repeat} times taking turns` + (results.settings.alternateTurns ? ", every other turn in reverse order" : ""),
    read:
      "each figure its median run by CPU per request" +
      (ratiosByRound(results) ? ", each ratio the median of the turns' ratios, a run against the proxy's of its turn" : ""),
  };
}

/** Whether the ratios are the medians of each turn's (runs carry their turn), rather than the median runs' ratios. */
export function ratiosByRound(results: Pick<BenchResults, "repeats">): boolean {
  return (results.repeats ?? []).some((run) => run.round !== undefined);
}

/** Each run against the proxy, floor and twin runs among the same `lanes`. */
function ratiosWithin(lanes: readonly LaneResult[]): LaneRatios[] {
  return lanes.map((result) => {
    const proxy = findLane(lanes, "proxy", result.connections);
    const floor = findLane(lanes, "floor", result.connections);
    const twinName = LANES.find((l) => l.name === result.lane)?.twin;
    const twin = twinName ? findLane(lanes, twinName, result.connections, result.build) : undefined;
    return {
      lane: result.lane,
      build: result.build,
      connections: result.connections,
      cpuToProxy: ratio(cpu(result), cpu(proxy)),
      cpuToFloor: ratio(cpu(result), cpu(floor)),
      throughputToProxy: ratio(result.requestsPerSecond, proxy?.requestsPerSecond),
      throughputToFloor: ratio(result.requestsPerSecond, floor?.requestsPerSecond),
      cpuToTwin: ratio(cpu(result), cpu(twin)),
    };
  });
}

/** The targets of the current build (issue 22's, plus the older ones still kept); reported, never enforced. */
export function checkTargets(results: Omit<BenchResults, "targets">): TargetCheck[] {
  const high = Math.max(...results.settings.concurrency);
  const low = Math.min(...results.settings.concurrency);
  const current = [...results.lanes, ...results.scaling].filter((l) => l.build === "current");
  const ratios = (lane: string) => results.ratios.find((r) => r.lane === lane && r.connections === high && r.build === "current");
  const checks: TargetCheck[] = [];
  const check = (name: string, measured: number | null | undefined, target: string, met: (value: number) => boolean, lane?: string) => {
    if (measured !== null && measured !== undefined) checks.push({ name, measured, target, met: met(measured), ...(lane ? { lane } : {}) });
  };
  const at = `at c=${high}`;
  check(`trusted page, cache off: CPU/request ÷ proxy's ${at}`, ratios("trusted")?.cpuToProxy, "<= 1.6", (v) => v <= 1.6, "trusted");
  check(`trusted page, cache off: requests/s ÷ proxy's ${at}`, ratios("trusted")?.throughputToProxy, ">= 0.6", (v) => v >= 0.6, "trusted");
  check(
    `trusted page, in-process cache hit: CPU/request ÷ proxy's ${at}`,
    ratios("trusted-hit")?.cpuToProxy,
    "<= 1.1",
    (v) => v <= 1.1,
    "trusted-hit",
  );
  check(
    `trusted page, Redis cache hit: CPU/request ÷ proxy's ${at}`,
    ratios("trusted-hit-redis")?.cpuToProxy,
    "<= 1.1",
    (v) => v <= 1.1,
    "trusted-hit-redis",
  );
  check(`general path: CPU/request ÷ proxy's ${at}`, ratios("general")?.cpuToProxy, "<= 2.5", (v) => v <= 2.5, "general");
  check(
    `trusted + customers ÷ trusted page: CPU/request ${at}`,
    ratios("trusted+customers")?.cpuToTwin,
    "<= 3",
    (v) => v <= 3,
    "trusted+customers",
  );
  check(
    `tracing at a 10% ratio: CPU/request ÷ untraced ${at}`,
    ratios("trusted+tracing-10%")?.cpuToTwin,
    "<= 1.15",
    (v) => v <= 1.15,
    "trusted+tracing-10%",
  );
  // The twin ratio is warn ÷ info; the line's cost is its reciprocal (the median of the turns' either way, three turns).
  const withoutLine = ratios("trusted+warn")?.cpuToTwin;
  check(
    `the operation log line: CPU/request at info ÷ at LOG_LEVEL=warn ${at}`,
    withoutLine ? round2(1 / withoutLine) : undefined,
    "<= 1.03",
    (v) => v <= 1.03,
    "trusted",
  );
  const hit = findLane(current, "trusted-hit", high);
  check(`peak RSS, trusted page with the default cache ${at} (MB)`, hit?.front?.peakRssMB, "<= 150", (v) => v <= 150, "trusted-hit");
  const errors = current.reduce((sum, l) => sum + l.errors.total - l.errors.mismatches, 0);
  const mismatches = current.reduce((sum, l) => sum + l.errors.mismatches, 0);
  check("errors, every lane", errors, "0", (v) => v === 0);
  check("answers differing from the uncached answer, every lane", mismatches, "0", (v) => v === 0);
  const direct = findLane(current, "direct", low);
  const general = findLane(current, "general", low);
  if (direct && general) {
    check(
      `general path: added p50 over direct REST at c=${low} (ms)`,
      round2(general.latencyMs.p50 - direct.latencyMs.p50),
      "<= 1",
      (v) => v <= 1,
    );
  }
  // Sockets a gateway opened during a lane (warm-up included) beyond the upstream calls that lane has in flight at once
  // (its connections times its calls per request, within the gateway's pool): keep-alive failing.
  const gateways = current.filter((l) => l.front?.role === "gateway");
  if (gateways.length > 0) {
    const pool = UPSTREAM_SETTINGS.settings.VOUCHERIFY_MAX_CONCURRENCY.default;
    const inFlight = (l: LaneResult) => Math.min(pool, l.connections * Math.max(1, Math.ceil(l.emulator.requestsPerRequest)));
    const excess = Math.max(...gateways.map((l) => (l.front?.upstreamSocketsOpened ?? 0) - inFlight(l)));
    check("new upstream sockets in a gateway lane beyond the upstream calls it has in flight (worst lane)", excess, "<= 0", (v) => v <= 0);
  }
  return checks;
}

/** Each lane at one concurrency: absolute figures and ratios, current build first, then the baseline's. */
export function lanesTable(results: BenchResults, connections: number): string {
  const rows = [
    "| lane | build | req/s | p50 ms | p99 ms | errors | CPU µs/req | of it user | CPU ÷ proxy | CPU ÷ floor | req/s ÷ proxy | " +
      "req/s ÷ floor | peak RSS MB | upstream calls/req |",
    "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
  ];
  for (const build of ["current", "baseline"] as const) {
    for (const definition of LANES) {
      const l = findLane(results.lanes, definition.name, connections, build);
      if (!l) continue;
      const r = results.ratios.find((x) => x.lane === l.lane && x.connections === connections && x.build === build);
      rows.push(
        row([
          definition.label,
          build === "current" ? "this" : (results.baseline?.label ?? "baseline"),
          l.requestsPerSecond,
          l.latencyMs.p50,
          l.latencyMs.p99,
          l.errors.total,
          cpu(l),
          l.front?.userCpuMicrosPerRequest,
          r?.cpuToProxy,
          r?.cpuToFloor,
          r?.throughputToProxy,
          r?.throughputToFloor,
          l.front?.peakRssMB,
          l.front ? l.emulator.requestsPerRequest : null,
        ]),
      );
    }
  }
  return rows.join("\n");
}

/** Before and after, lane by lane, from the same run (BENCH_BASELINE). */
export function baselineTable(results: BenchResults, connections: number): string {
  const rows = [
    "| lane | CPU µs/req before | after | change | user CPU µs/req before | after | req/s before | after | CPU ÷ proxy before | after | " +
      "peak RSS MB before | after |",
    "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
  ];
  for (const definition of LANES) {
    const before = findLane(results.lanes, definition.name, connections, "baseline");
    const after = findLane(results.lanes, definition.name, connections, "current");
    if (!before || !after) continue;
    const ratios = (build: Build) =>
      results.ratios.find((x) => x.lane === definition.name && x.connections === connections && x.build === build);
    const change = cpu(before) && cpu(after) ? `${Math.round((cpu(after)! / cpu(before)! - 1) * 100)}%` : null;
    rows.push(
      row([
        definition.label,
        cpu(before),
        cpu(after),
        change,
        before.front?.userCpuMicrosPerRequest,
        after.front?.userCpuMicrosPerRequest,
        before.requestsPerSecond,
        after.requestsPerSecond,
        ratios("baseline")?.cpuToProxy,
        ratios("current")?.cpuToProxy,
        before.front?.peakRssMB,
        after.front?.peakRssMB,
      ]),
    );
  }
  return rows.length > 2 ? rows.join("\n") : "";
}

/** Instructions per request less V8's compilers' (null when either is not counted). */
const withoutJit = (c: CostCounts): number | null =>
  c.instructionsPerRequest === null || c.jitInstructionsPerRequest == null ? null : c.instructionsPerRequest - c.jitInstructionsPerRequest;

/** Counted costs per request (BENCH_COUNTS), each as a ratio to the proxy's and the floor's. */
export function countsTable(results: BenchResults): string {
  const counts = results.counts ?? [];
  const of = (lane: string) => counts.find((c) => c.lane === lane && c.build === "current");
  const proxy = of("proxy");
  const floor = of("floor");
  const rows = [
    "| lane | build | instructions/req | ÷ proxy | ÷ floor | of it JIT compiling | the rest ÷ proxy's | syscalls/req | ÷ proxy | " +
      "most frequent syscalls per request |",
    "|---|---|---:|---:|---:|---:|---:|---:|---:|---|",
  ];
  for (const build of ["current", "baseline"] as const) {
    for (const definition of LANES) {
      const c = counts.find((x) => x.lane === definition.name && x.build === build);
      if (!c) continue;
      rows.push(
        row([
          definition.label,
          build === "current" ? "this" : (results.baseline?.label ?? "baseline"),
          c.instructionsPerRequest,
          ratio(c.instructionsPerRequest, proxy?.instructionsPerRequest),
          ratio(c.instructionsPerRequest, floor?.instructionsPerRequest),
          c.jitInstructionsPerRequest ?? "–",
          ratio(withoutJit(c), proxy ? withoutJit(proxy) : null),
          c.syscallsPerRequest,
          ratio(c.syscallsPerRequest, proxy?.syscallsPerRequest),
          Object.entries(c.syscalls)
            .map(([name, n]) => `${name} ${n}`)
            .join(", "),
        ]),
      );
    }
  }
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
        l.front?.peakRssMB,
        cpu(l),
        l.emulator.requestsPerRequest,
      ]),
    );
  }
  return rows.join("\n");
}

export function targetsTable(targets: readonly TargetCheck[]): string {
  const rows = ["| target | measured | wanted | met |", "|---|---:|---:|:---:|"];
  for (const t of targets) rows.push(row([t.name, t.measured, t.target, t.met ? "yes" : "no"]));
  return rows.join("\n");
}

export function markdownReport(results: BenchResults): string {
  const m = results.machine;
  const turns = turnsClause(results);
  const high = Math.max(...results.settings.concurrency);
  const sections = [
    `# Benchmark (${results.kind}), ${results.startedAt}`,
    "",
    `Machine: ${m.nproc} CPUs (${m.cpuModel}), ${m.memoryGiB} GiB, Node ${m.node}, ${m.platform}.`,
    `Each lane: ${results.settings.warmupSeconds} s warm-up, then ${results.settings.durationSeconds} s measured, ` +
      "autocannon closed loop in the parent process; the emulator and each lane's front in their own child process " +
      "(a fresh one per lane). Every response is compared with the uncached answer (a mismatch counts as an error).",
    ...(turns ? [`Every lane ran ${turns.taken}; ${turns.read}.`] : []),
    ...(results.baseline ? [`Baseline lanes: the gateway of ${results.baseline.label}, run beside this build's in the same run.`] : []),
    ...results.skipped.map((s) => `Skipped: ${labelOf(s.lane)}: ${s.reason}.`),
    "",
  ];
  for (const connections of results.settings.concurrency) {
    sections.push(
      `## The same 10-holder page, by lane, ${connections} connection${connections === 1 ? "" : "s"}`,
      "",
      lanesTable(results, connections),
      "",
    );
  }
  const before = results.baseline ? baselineTable(results, high) : "";
  if (before) sections.push(`## Before and after, ${high} connections`, "", before, "");
  if (results.counts && results.counts.length > 0) sections.push("## Counted costs per request", "", countsTable(results), "");
  if (results.scaling.length > 0) sections.push("## Gateway scaling with page size and concurrency", "", scalingTable(results), "");
  sections.push("## Targets", "", targetsTable(results.targets), "");
  return sections.join("\n");
}

/** CPU per request by lane at the highest concurrency: this build's, and the baseline's when it ran. */
export function lanesChart(results: BenchResults): string {
  const high = Math.max(...results.settings.concurrency);
  const lanes = LANES.filter((lane) => lane.front !== "direct" && findLane(results.lanes, lane.name, high));
  const builds: Build[] = results.baseline ? ["baseline", "current"] : ["current"];
  return groupedBarChartSvg({
    title: `CPU per request by lane, c=${high} (${results.machine.nproc} CPUs, Node ${results.machine.node})`,
    unit: "front CPU µs per request",
    groups: lanes.map((lane) => lane.name),
    series: builds.map((build) => ({
      name: build === "current" ? "this build" : (results.baseline?.label ?? "baseline"),
      values: lanes.map((lane) => cpu(findLane(results.lanes, lane.name, high, build))),
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
