import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { runCacheBench, type CacheBenchResults } from "./cache-bench.js";
import type { CacheLaneResult } from "./cache-lanes.js";
import { cacheChart, cacheMarkdown, cacheTargets } from "./cache-report.js";
import { BenchChild } from "./children.js";
import { countCosts, countsUnavailable } from "./cost-counts.js";
import { laneRequest, LaneSkipped, startFront, type FrontContext } from "./fronts.js";
import { LANES, laneNamed, type LaneDefinition, type ReferenceAnswer } from "./lane-catalogue.js";
import { runLane, type Build, type LaneResult } from "./lane-runner.js";
import { graphqlRequest, holdersQuery, referenceBody, restHoldersRequest, TRUSTED_BENCH_DOCUMENTS, trustedManifest } from "./lanes.js";
import { describeMachine } from "./machine.js";
import { PAGE, updatePerformancePage } from "./performance-page.js";
import { profileMarkdown, summarizeProfile } from "./profile-summary.js";
import { checkTargets, computeRatios, lanesChart, markdownReport, scalingChart, type BenchResults } from "./report.js";
import { addBenchHolders } from "./seed-holders.js";

/**
 * `npm run bench`: loopback only, bounded, stops by itself. The lanes are lane-catalogue.ts's; each runs on a front
 * of its own (a fresh process), at each concurrency, and every response is compared with the uncached answer.
 *   BENCH_SMOKE=1        short form for CI (about a minute): every lane starts and answers, results are written;
 *                        timings never fail it (wrong answers do).
 *   BENCH_LANES=a,b      only these lanes (names in lane-catalogue.ts); `scaling`, `cached` and `redis` name the
 *                        page-size runs and the cache section's two setups. BENCH_SCALING=0 skips the page-size runs.
 *   BENCH_CONNECTIONS=32 only these concurrencies. BENCH_DURATION / BENCH_WARMUP: seconds.
 *   BENCH_REPEAT=3       every lane that many times, taking turns (every other turn in reverse order); the tables
 *                        show each lane's median run by CPU per request and, as ratios, the median of each turn's (a
 *                        run against the proxy's of its turn); bench.json keeps every run with its turn.
 *   BENCH_BASELINE=dir   also runs every gateway lane on another built checkout (its dist/, `npm run build &&
 *                        npm run build:tools` there), right after this build's: before and after from one run.
 *                        BENCH_BASELINE_LABEL names it in the tables (default: the folder's name).
 *   BENCH_PROFILE=1      CPU profiles of the measured run of BENCH_PROFILE_LANES (default `trusted`), at the highest
 *                        concurrency, written as profile-<lane>.md summaries (raw .cpuprofile beside, not committed).
 *   BENCH_COUNTS=1       also counts what one request costs each lane's front (and the baseline's): user-space
 *                        instructions under valgrind and system calls under strace (cost-counts.ts): figures a busy
 *                        machine does not move. About two minutes a lane; skipped with a notice without the tools.
 *   BENCH_GATEWAY_FLAGS="--max-semi-space-size=8"  extra node flags for the gateways (experiments).
 *   BENCH_OUT=dir        where results go (default test/bench/results, or its smoke/ folder).
 *   BENCH_NODE_ENV       the gateways' NODE_ENV (default production: how it is deployed, and graphql-js's fast paths).
 */
const env = process.env;
const smoke = env.BENCH_SMOKE === "1";
const profile = env.BENCH_PROFILE === "1";
const root = join(dirname(fileURLToPath(import.meta.url)), "../../..");
const outDir = env.BENCH_OUT ?? join(root, "test/bench/results", smoke ? "smoke" : "");
const seconds = (name: string, fallback: number) => (env[name] ? Number(env[name]) : fallback);
const numbers = (name: string) => env[name]?.split(",").map(Number);
const selected = env.BENCH_LANES?.split(",").map((lane) => lane.trim());
const profiled = (env.BENCH_PROFILE_LANES ?? env.BENCH_PROFILE_LANE ?? "trusted").split(",").map((lane) => lane.trim());
const baselineRoot = env.BENCH_BASELINE ? resolve(env.BENCH_BASELINE) : undefined;
const baseline = baselineRoot ? { root: baselineRoot, label: env.BENCH_BASELINE_LABEL ?? basename(baselineRoot) } : null;
const connectionsOverride = numbers("BENCH_CONNECTIONS");
const repeats = profile ? 1 : Math.max(1, Number(env.BENCH_REPEAT ?? 1));
const settings: BenchResults["settings"] = {
  warmupSeconds: seconds("BENCH_WARMUP", smoke ? 0.5 : 2),
  durationSeconds: seconds("BENCH_DURATION", smoke ? 1 : 8),
  concurrency: connectionsOverride ?? (smoke ? [8] : [1, 32]),
  scalingConcurrency: connectionsOverride ?? (smoke ? [8] : [1, 8, 32, 128]),
  pageSizes: [10, 100, 500],
  repeat: repeats,
  alternateTurns: repeats > 1,
};
const highest = Math.max(...settings.concurrency);
const wants = (name: string) => (profile ? profiled.includes(name) : !selected || selected.includes(name));
const lanes = LANES.filter((lane) => wants(lane.name));
for (const name of [...(selected ?? []), ...(profile ? profiled : [])]) {
  if (!["scaling", "cached", "redis"].includes(name)) laneNamed(name);
}
const runScaling = !profile && env.BENCH_SCALING !== "0" && wants("scaling");
const runCache = !profile && (wants("cached") || wants("redis"));
const EXTRA_HOLDERS = 500;

// A hard stop, whatever happens: lanes are bounded, but a wedged child must not keep CI waiting.
const laneRuns =
  lanes.length * (baseline ? 2 : 1) * (profile ? 1 : settings.concurrency.length) * repeats +
  (runScaling ? settings.scalingConcurrency.length * settings.pageSizes.length : 0) +
  (runCache ? 4 : 0);
// Counting runs under valgrind: up to ten minutes a lane on a busy machine (a start of about a minute, 1,500 requests).
const countsSeconds = env.BENCH_COUNTS === "1" ? lanes.length * (baseline ? 2 : 1) * 600 : 0;
setTimeout(
  () => {
    console.error("bench: overall time limit reached, stopping");
    process.exit(1);
  },
  (laneRuns * (settings.warmupSeconds + settings.durationSeconds + 20) + countsSeconds + 120) * 1000,
).unref();

/** Where a latency tail comes from, as the front process saw it (printed only; bench.json keeps the numbers). */
function tail(front: NonNullable<LaneResult["front"]>): string {
  const { eventLoopDelayMs: loop, serverLatencyMs: served, gcPauses: gc } = front;
  if (!loop || !served || !gc) return "";
  const gcText = `gc ${gc.count}× ${gc.totalMs} ms (max ${gc.maxMs})`;
  return `; server p50 ${served.p50} p99 ${served.p99} ms; loop delay p99 ${loop.p99} max ${loop.max} ms; ${gcText}`;
}

function printLane(result: LaneResult): void {
  const f = result.front;
  const front = f
    ? ` front ${f.peakRssMB} MB peak (heap ${f.heapUsedMB}), ${f.cpuMicrosPerRequest} µs CPU/req (user ${f.userCpuMicrosPerRequest}), ` +
      `${f.upstreamSocketsOpened} new upstream sockets${tail(f)}`
    : "";
  const lane = `${result.lane}${result.build === "baseline" ? "@baseline" : ""}`;
  console.log(
    `${lane.padEnd(28)} first=${String(result.pageSize).padEnd(3)} c=${String(result.connections).padEnd(3)} ` +
      `${String(result.requestsPerSecond).padStart(6)} req/s  p50 ${result.latencyMs.p50} ms  p99 ${result.latencyMs.p99} ms  ` +
      `errors ${result.errors.total};${front}`,
  );
}

function printCacheLane(result: CacheLaneResult): void {
  const r = result.repeatedReads;
  console.log(
    `${`${result.setup} ${result.variant}`.padEnd(36)} c=${String(result.connections).padEnd(3)} ` +
      `${String(result.requestsPerSecond).padStart(6)} req/s  ` +
      `p50 ${result.latencyMs.p50} ms  p99 ${result.latencyMs.p99} ms  errors ${result.errors.total}; ` +
      `gateway ${result.gatewayCpuMicrosPerRequest} µs CPU/req, ` +
      `${result.upstreamCallsPerRequest} upstream calls/req, ` +
      `${r.upstreamCalls} upstream calls per ${r.reads} repeated reads (${r.elapsedMs} ms)`,
  );
}

/** The answers every lane's responses must equal: the emulator's REST body, and the cache-off gateway's GraphQL answers. */
async function referenceAnswers(context: FrontContext): Promise<Record<ReferenceAnswer, string>> {
  const gateway = await BenchChild.start("gateway", { ...context.gatewayEnv, CACHE_HOLDERS_TTL_MS: "0", CACHE_CUSTOMERS_TTL_MS: "0" });
  try {
    return {
      rest: await referenceBody(context.emulator.url, restHoldersRequest(context.credentials), 10),
      page: await referenceBody(gateway.url, graphqlRequest(holdersQuery(10)), 10),
      "page+customers": await referenceBody(gateway.url, graphqlRequest(holdersQuery(10, true)), 10),
    };
  } finally {
    await gateway.stop();
  }
}

/** One lane on one build: its own front, a first answer checked, each concurrency measured, the front stopped. */
async function runOneLane(
  lane: LaneDefinition,
  build: Build,
  context: FrontContext,
  expected: Record<ReferenceAnswer, string>,
  results: Omit<BenchResults, "targets" | "ratios">,
  mode: { connections: readonly number[]; profile: boolean },
): Promise<void> {
  let front;
  try {
    front = await startFront(lane, build, context);
  } catch (error) {
    if (!(error instanceof LaneSkipped)) throw error;
    console.log(`bench: ${lane.name} skipped: ${error.message}`);
    results.skipped.push({ lane: lane.name, reason: error.message });
    return;
  }
  try {
    if (front.front)
      results.idleRss.push({ lane: lane.name, build, rssMB: Math.round(((await front.front.stats()).rssBytes / 2 ** 20) * 10) / 10 });
    const request = laneRequest(lane.request, context.credentials);
    // Its first answer, before any load: a lane that answers otherwise is a bug, not a figure.
    const first = await referenceBody(front.url, request, 10);
    if (first !== expected[lane.answer]) {
      throw new Error(
        `${lane.name} (${build}) answered otherwise than the uncached answer:\n` +
          `${first.slice(0, 400)}\n${expected[lane.answer].slice(0, 400)}`,
      );
    }
    for (const connections of mode.connections) {
      const result = await runLane({
        lane: lane.name,
        build,
        pageSize: 10,
        baseUrl: front.url,
        request,
        expectBody: expected[lane.answer],
        connections,
        settings,
        emulator: context.emulator,
        front: front.front,
        redisPid: front.redisPid,
        profileTo: mode.profile && build === "current" ? join(outDir, `profile-${lane.name}.cpuprofile`) : undefined,
      });
      printLane(result);
      results.lanes.push(result);
    }
    if (front.sink) {
      // The gateway flushes its spans when it stops: count the exports after that.
      await front.front?.stop();
      const exports = (await front.sink.stats()).requestsServed;
      results.tracingExports.push({ lane: lane.name, build, exports });
      console.log(`bench: ${lane.name}${build === "baseline" ? "@baseline" : ""}: ${exports} OTLP exports received by the sink`);
    }
  } finally {
    await front.stop();
  }
}

/** For each lane, build and concurrency, the run whose CPU per request is the median of its repeats. */
function medianRuns(runs: readonly LaneResult[]): LaneResult[] {
  const groups = new Map<string, LaneResult[]>();
  for (const run of runs) {
    const key = `${run.lane} ${run.build} ${run.connections}`;
    groups.set(key, [...(groups.get(key) ?? []), run]);
  }
  return [...groups.values()].map((group) => {
    const sorted = [...group].sort((a, b) => (a.front?.cpuMicrosPerRequest ?? 0) - (b.front?.cpuMicrosPerRequest ?? 0));
    return sorted[Math.floor((sorted.length - 1) / 2)];
  });
}

function writeProfiles(results: LaneResult[]): void {
  for (const result of results.filter((l) => l.build === "current")) {
    const file = join(outDir, `profile-${result.lane}.cpuprofile`);
    const summary = summarizeProfile(JSON.parse(readFileSync(file, "utf8")));
    const title = `Gateway CPU profile: ${result.lane} lane, c=${result.connections}, the ${settings.durationSeconds} s measured run`;
    const markdown = profileMarkdown(summary, title);
    const figures =
      `Lane: ${result.requestsPerSecond} req/s, ${result.front?.cpuMicrosPerRequest} µs CPU/request with the profiler on, ` +
      `peak RSS ${result.front?.peakRssMB} MB.`;
    writeFileSync(join(outDir, `profile-${result.lane}.md`), `${markdown}\n${figures}\n`);
    const lane = { requestsPerSecond: result.requestsPerSecond, cpuMicrosPerRequest: result.front?.cpuMicrosPerRequest ?? null };
    writeFileSync(
      join(outDir, `profile-${result.lane}.json`),
      `${JSON.stringify({ lane: result.lane, connections: result.connections, ...lane, summary }, null, 2)}\n`,
    );
    console.log(`wrote ${relative(root, join(outDir, `profile-${result.lane}.md`))} (raw profile: ${relative(root, file)}, not committed)`);
  }
}

async function main(): Promise<void> {
  const machine = describeMachine();
  console.log(
    `bench (${smoke ? "smoke" : profile ? "profile" : "full"}): ${machine.nproc} CPUs, ${machine.cpuModel}, Node ${machine.node}`,
  );
  mkdirSync(outDir, { recursive: true });
  const stopLast: BenchChild[] = [];
  try {
    const emulator = await BenchChild.start("emulator");
    stopLast.push(emulator);
    const credentials = { appId: String(emulator.detail.appId), appToken: String(emulator.detail.appToken) };
    const upstreamEnv = { UPSTREAM_URL: emulator.url, UPSTREAM_APP_ID: credentials.appId, UPSTREAM_APP_TOKEN: credentials.appToken };
    // The general lanes' documents, registered as trusted: the trusted lanes send them by id (the fast path).
    const manifestDir = mkdtempSync(join(tmpdir(), "bench-trusted-"));
    const manifest = join(manifestDir, "persisted-documents.json");
    writeFileSync(manifest, trustedManifest(TRUSTED_BENCH_DOCUMENTS));
    process.once("exit", () => rmSync(manifestDir, { recursive: true, force: true }));
    const gatewayNodeEnv = env.BENCH_NODE_ENV ?? "production";
    // The gateway's own cost, without JWT verification or one client's budget (all load comes from one address).
    const gatewayEnv = {
      ...upstreamEnv,
      NODE_ENV: gatewayNodeEnv,
      AUTH_DISABLED: "true",
      CALLER_BUDGET_PER_MINUTE: "0",
      TRUSTED_DOCUMENTS: manifest,
    };
    const context: FrontContext = {
      emulator,
      credentials,
      upstreamEnv,
      gatewayEnv,
      gatewayFlags: env.BENCH_GATEWAY_FLAGS?.split(" ").filter(Boolean) ?? [],
      baselineRoot,
    };
    const expected = await referenceAnswers(context);
    const results: Omit<BenchResults, "targets" | "ratios"> = {
      kind: smoke ? "smoke" : profile || selected || connectionsOverride ? "partial" : "full",
      startedAt: new Date().toISOString(),
      machine,
      settings,
      gatewayEnv: { NODE_ENV: gatewayNodeEnv, AUTH_DISABLED: "true", CALLER_BUDGET_PER_MINUTE: "0", flags: env.BENCH_GATEWAY_FLAGS ?? "" },
      baseline,
      idleRss: [],
      lanes: [],
      scaling: [],
      tracingExports: [],
      skipped: [],
    };

    // Repeats take turns lane by lane (this build, then the baseline), so that a burst of load from outside the
    // bench falls on both; each lane's reported run is its median by CPU per request. Every other turn runs the lanes
    // in reverse, so a load that rises or falls over a turn weighs on the lanes at its start and at its end alike.
    const runs: LaneResult[] = [];
    const mode = { connections: profile ? [highest] : settings.concurrency, profile };
    for (let round = 0; round < repeats; round++) {
      for (const lane of round % 2 === 0 ? lanes : [...lanes].reverse()) {
        const first = runs.length;
        await runOneLane(lane, "current", context, expected, { ...results, lanes: runs }, mode);
        if (baseline && lane.front === "gateway" && !profile)
          await runOneLane(lane, "baseline", context, expected, { ...results, lanes: runs }, mode);
        if (repeats > 1) for (const run of runs.slice(first)) run.round = round;
      }
    }
    results.lanes.push(...medianRuns(runs));
    if (repeats > 1) results.repeats = runs;
    if (env.BENCH_COUNTS === "1" && !profile) {
      const unavailable = countsUnavailable();
      if (unavailable) console.log(`bench: counts skipped: ${unavailable}`);
      results.counts = [];
      for (const lane of unavailable ? [] : lanes.filter((l) => l.front !== "direct")) {
        for (const build of baseline && lane.front === "gateway" ? (["current", "baseline"] as const) : (["current"] as const)) {
          const counts = await countCosts(lane, build, context, laneRequest(lane.request, credentials), expected[lane.answer]);
          console.log(
            `${`${lane.name}${build === "baseline" ? "@baseline" : ""}`.padEnd(28)} ${counts.instructionsPerRequest} instructions/req ` +
              `(${counts.jitInstructionsPerRequest ?? "?"} compiling), ` +
              `${counts.syscallsPerRequest} syscalls/req (${Object.entries(counts.syscalls)
                .map(([name, n]) => `${name} ${n}`)
                .join(", ")})`,
          );
          results.counts.push(counts);
        }
      }
    }
    if (profile) {
      writeProfiles(results.lanes);
      return;
    }

    if (runScaling) {
      const front = await startFront(laneNamed("general"), "current", context);
      try {
        await addBenchHolders(emulator.url, credentials, EXTRA_HOLDERS);
        for (const pageSize of settings.pageSizes) {
          const request = graphqlRequest(holdersQuery(pageSize));
          const expectBody = await referenceBody(front.url, request, pageSize);
          for (const connections of settings.scalingConcurrency) {
            const result = await runLane({
              lane: "general",
              build: "current",
              pageSize,
              baseUrl: front.url,
              request,
              expectBody,
              connections,
              settings,
              emulator,
              front: front.front,
            });
            printLane(result);
            results.scaling.push(result);
          }
        }
      } finally {
        await front.stop();
      }
    }

    let cache: CacheBenchResults | null = null;
    if (runCache) {
      cache = await runCacheBench({
        emulator,
        gatewayEnv: { ...upstreamEnv, NODE_ENV: gatewayNodeEnv, AUTH_DISABLED: "true", CALLER_BUDGET_PER_MINUTE: "0" },
        connections: highest,
        settings,
        only: (lane) => wants(lane),
        print: printCacheLane,
      });
    }

    const ratios = computeRatios(results.lanes, results.repeats);
    const partial = { ...results, ratios };
    const report: BenchResults = { ...partial, targets: checkTargets(partial) };
    // Where a lane misses a target, its profile says why: one more run of it, under the profiler (full runs only).
    const missed = [...new Set(report.targets.filter((t) => !t.met && t.lane).map((t) => t.lane!))];
    if (report.kind === "full" && env.BENCH_PROFILE_MISSES !== "0" && missed.length > 0) {
      const profiledRuns: LaneResult[] = [];
      // The scaling runs added holders to the page's code since: the answers to check against are today's.
      const expectedNow = await referenceAnswers(context);
      for (const lane of missed) {
        await runOneLane(
          laneNamed(lane),
          "current",
          context,
          expectedNow,
          { ...results, lanes: profiledRuns },
          { connections: [highest], profile: true },
        );
      }
      writeProfiles(profiledRuns);
      report.profiles = profiledRuns.map((run) => run.lane);
    }
    const cacheChecks = cache ? cacheTargets(cache, results.lanes) : [];
    const cacheSection = cache ? cacheMarkdown(cache, results.lanes, cacheChecks) : "";
    writeFileSync(
      join(outDir, "bench.json"),
      `${JSON.stringify({ ...report, cache: cache && { ...cache, targets: cacheChecks } }, null, 2)}\n`,
    );
    writeFileSync(join(outDir, "bench.md"), `${markdownReport(report)}\n${cacheSection}`);
    if (cache) writeFileSync(join(outDir, "cache-throughput.svg"), cacheChart(cache, results.lanes, machine.nproc));
    writeFileSync(join(outDir, "lanes.svg"), lanesChart(report));
    if (results.scaling.length > 0) {
      writeFileSync(join(outDir, "scaling-throughput.svg"), scalingChart(report, "requestsPerSecond"));
      writeFileSync(join(outDir, "scaling-latency.svg"), scalingChart(report, "p50"));
    }
    console.log(`\n${markdownReport(report)}\n${cacheSection}`);
    console.log(`wrote ${relative(root, outDir) || "."}/{bench.json,bench.md,*.svg}`);
    // A full run into the committed results is the page's source: its tables are regenerated from it now.
    if (report.kind === "full" && !env.BENCH_OUT) {
      updatePerformancePage(root);
      console.log(`updated ${PAGE}'s tables`);
    }

    // Timings never fail the bench; a wrong answer under load does (a mismatch or a non-2xx is a bug, not a timing),
    // and so does a traced lane whose gateway exported nothing (it measured a gateway that made no spans).
    const wrong = [...results.lanes, ...results.scaling].filter((l) => l.errors.mismatches > 0 || l.errors.non2xx > 0);
    if (wrong.length > 0) {
      console.error(
        `bench: wrong answers under load in ` +
          wrong.map((l) => `${l.lane} (${l.build}) first=${l.pageSize} c=${l.connections}`).join(", "),
      );
      process.exitCode = 1;
    }
    const silent = results.tracingExports.filter((t) => t.exports === 0);
    if (silent.length > 0) {
      console.error(`bench: traced lanes exported no spans: ${silent.map((t) => `${t.lane} (${t.build})`).join(", ")}`);
      process.exitCode = 1;
    }
    const wrongCached = (cache?.lanes ?? []).filter(
      (l) => l.errors.mismatches > 0 || l.errors.non2xx > 0 || l.repeatedReads.wrongAnswers > 0,
    );
    if (wrongCached.length > 0) {
      console.error(`bench: wrong answers under load in ${wrongCached.map((l) => `${l.setup} ${l.variant}`).join(", ")}`);
      process.exitCode = 1;
    }
  } finally {
    for (const child of stopLast.reverse()) await child.stop();
  }
}

main().catch((error: unknown) => {
  console.error("bench failed:", error);
  process.exit(1);
});
