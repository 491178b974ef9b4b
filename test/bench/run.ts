import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { runCacheBench, type CacheBenchResults } from "./cache-bench.js";
import type { CacheLaneResult } from "./cache-lanes.js";
import { cacheChart, cacheMarkdown, cacheTargets } from "./cache-report.js";
import { BenchChild } from "./children.js";
import { runLane, type LaneName, type LaneResult, type LaneSettings } from "./lane-runner.js";
import {
  graphqlRequest,
  holdersQuery,
  referenceBody,
  restHoldersRequest,
  TRUSTED_BENCH_DOCUMENTS,
  trustedManifest,
  trustedRequest,
  type LaneRequest,
} from "./lanes.js";
import { describeMachine } from "./machine.js";
import { profileMarkdown, summarizeProfile } from "./profile-summary.js";
import { checkTargets, computeRatios, lanesChart, markdownReport, scalingChart, type BenchResults } from "./report.js";
import { addBenchHolders } from "./seed-holders.js";
import { isTracedLane, startTracedGateway, TRACED_LANES } from "./tracing-lanes.js";

/**
 * `npm run bench`: loopback only, bounded, stops by itself.
 *   BENCH_SMOKE=1    short form for CI (about a minute); writes results, never fails on a timing.
 *   BENCH_PROFILE=1  gateway lane only (BENCH_PROFILE_LANE=trusted: that lane), at the highest concurrency, under
 *                    `node --cpu-prof`; writes a summary.
 *   BENCH_LABEL=x    names the profile summary (profile-x.md); BENCH_DURATION / BENCH_WARMUP override seconds.
 *   BENCH_LANES=gateway,proxy  only these lanes; BENCH_SCALING=0 skips the scaling runs (quick iterations).
 *                  The trusted documents' lanes are `trusted`, `trusted+customer` and `trusted-cached` (by id).
 *                  The cache lanes are named `cached` (one gateway, cache on) and `redis` (two replicas on one Redis).
 *                  `gateway+tracing`: the gateway lane on a second gateway tracing every request (OTLP to a sink).
 *   BENCH_GATEWAY_FLAGS="--max-semi-space-size=8"  extra node flags for the gateway child (experiments).
 *   BENCH_OUT=dir    where results go (default test/bench/results, or its smoke/ folder).
 *   BENCH_NODE_ENV   the gateway's NODE_ENV (default production: how it is deployed, and graphql-js's fast paths).
 */
const smoke = process.env.BENCH_SMOKE === "1";
const profile = process.env.BENCH_PROFILE === "1";
const label = process.env.BENCH_LABEL ?? "latest";
const root = join(dirname(fileURLToPath(import.meta.url)), "../../..");
const outDir = process.env.BENCH_OUT ?? join(root, "test/bench/results", smoke ? "smoke" : "");
const seconds = (name: string, fallback: number) => (process.env[name] ? Number(process.env[name]) : fallback);
const settings: LaneSettings & { concurrency: number[]; scalingConcurrency: number[]; pageSizes: number[] } = {
  warmupSeconds: seconds("BENCH_WARMUP", smoke ? 0.5 : 2),
  durationSeconds: seconds("BENCH_DURATION", smoke ? 1 : 8),
  concurrency: smoke ? [1, 8] : [1, 32],
  scalingConcurrency: smoke ? [1, 8] : [1, 8, 32, 128],
  pageSizes: [10, 100, 500],
};
const EXTRA_HOLDERS = 500;
const onlyLanes = process.env.BENCH_LANES?.split(",").map((lane) => lane.trim());
const runScaling = !profile && process.env.BENCH_SCALING !== "0";
const gatewayNodeEnv = process.env.BENCH_NODE_ENV ?? "production";
// A hard stop, whatever happens: lanes are bounded, but a wedged child must not keep CI waiting.
const CACHE_LANES = 4;
const laneCount = settings.concurrency.length * 9 + settings.scalingConcurrency.length * settings.pageSizes.length + CACHE_LANES;
setTimeout(
  () => {
    console.error("bench: overall time limit reached, stopping");
    process.exit(1);
  },
  (laneCount * (settings.warmupSeconds + settings.durationSeconds + 15) + 120) * 1000,
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
    ? ` front ${f.peakRssMB} MB peak (heap ${f.heapUsedMB}), ${f.cpuMicrosPerRequest} µs CPU/req, ` +
      `${f.upstreamSocketsOpened} new upstream sockets${tail(f)}`
    : "";
  console.log(
    `${result.lane.padEnd(17)} first=${String(result.pageSize).padEnd(3)} c=${String(result.connections).padEnd(3)} ` +
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

async function main(): Promise<void> {
  const machine = describeMachine();
  console.log(
    `bench (${smoke ? "smoke" : profile ? "profile" : "full"}): ${machine.nproc} CPUs, ${machine.cpuModel}, Node ${machine.node}`,
  );
  const children: BenchChild[] = [];
  try {
    const emulator = await BenchChild.start("emulator");
    children.push(emulator);
    const credentials = { appId: String(emulator.detail.appId), appToken: String(emulator.detail.appToken) };
    const upstreamEnv = { UPSTREAM_URL: emulator.url, UPSTREAM_APP_ID: credentials.appId, UPSTREAM_APP_TOKEN: credentials.appToken };
    // The general lanes' documents, registered as trusted: the trusted lanes send them by id (the fast path).
    const manifestDir = mkdtempSync(join(tmpdir(), "bench-trusted-"));
    const manifest = join(manifestDir, "persisted-documents.json");
    writeFileSync(manifest, trustedManifest(TRUSTED_BENCH_DOCUMENTS));
    process.once("exit", () => rmSync(manifestDir, { recursive: true, force: true }));
    const profileName = `gateway-${label}.cpuprofile`;
    // The gateway's own cost, without JWT verification or one client's budget (all load comes from one address).
    // The cache stays off: these lanes measure the gateway's cost per upstream call, as before the cache existed.
    const gatewayEnv = {
      ...upstreamEnv,
      NODE_ENV: gatewayNodeEnv,
      AUTH_DISABLED: "true",
      CALLER_BUDGET_PER_MINUTE: "0",
      CACHE_HOLDERS_TTL_MS: "0",
      CACHE_CUSTOMERS_TTL_MS: "0",
      TRUSTED_DOCUMENTS: manifest,
    };
    const gatewayFlags = process.env.BENCH_GATEWAY_FLAGS?.split(" ").filter(Boolean) ?? [];
    const gateway = await BenchChild.start("gateway", gatewayEnv, [
      ...gatewayFlags,
      ...(profile ? ["--cpu-prof", "--cpu-prof-dir", outDir, "--cpu-prof-name", profileName] : []),
    ]);
    children.push(gateway);
    const proxy = await BenchChild.start("proxy", upstreamEnv);
    children.push(proxy);
    const gatewayIdleRssMB = Math.round(((await gateway.stats()).rssBytes / 2 ** 20) * 10) / 10;
    const wants = (lane: LaneName) => !onlyLanes || onlyLanes.includes(lane);
    // The trusted lanes on a gateway of their own (same settings), so that their peak RSS is the fast path's, not
    // what Apollo's pipeline left behind; when profiling, on the profiled gateway.
    const trustedGateway =
      !profile && (wants("trusted") || wants("trusted+customer"))
        ? await BenchChild.start("gateway", {
            ...upstreamEnv,
            NODE_ENV: gatewayNodeEnv,
            AUTH_DISABLED: "true",
            CALLER_BUDGET_PER_MINUTE: "0",
            CACHE_HOLDERS_TTL_MS: "0",
            CACHE_CUSTOMERS_TTL_MS: "0",
            TRUSTED_DOCUMENTS: manifest,
          })
        : gateway;
    if (trustedGateway !== gateway) children.push(trustedGateway);
    const wantsCachedTrusted = !profile && wants("trusted-cached");
    // The trusted page with the in-process cache on, as shipped (default TTLs): its own gateway.
    const cachedGateway = wantsCachedTrusted
      ? await BenchChild.start("gateway", {
          ...upstreamEnv,
          NODE_ENV: gatewayNodeEnv,
          AUTH_DISABLED: "true",
          CALLER_BUDGET_PER_MINUTE: "0",
          TRUSTED_DOCUMENTS: manifest,
        })
      : null;
    if (cachedGateway) children.push(cachedGateway);
    const [page, customerPage] = TRUSTED_BENCH_DOCUMENTS;

    const base: Partial<Record<LaneName, { url: string; front: BenchChild | null; request: LaneRequest }>> = {
      direct: { url: emulator.url, front: null, request: restHoldersRequest(credentials) },
      proxy: { url: proxy.url, front: proxy, request: restHoldersRequest(credentials) },
      gateway: { url: gateway.url, front: gateway, request: graphqlRequest(holdersQuery(10)) },
      "gateway+customer": { url: gateway.url, front: gateway, request: graphqlRequest(holdersQuery(10, true)) },
      trusted: { url: trustedGateway.url, front: trustedGateway, request: trustedRequest(page) },
      "trusted+customer": { url: trustedGateway.url, front: trustedGateway, request: trustedRequest(customerPage) },
      "trusted-cached": { url: cachedGateway?.url ?? "", front: cachedGateway, request: trustedRequest(page) },
    };
    const lanes: LaneResult[] = [];
    const profiled = (process.env.BENCH_PROFILE_LANE ?? "gateway") as LaneName;
    const allLanes: LaneName[] = [
      "direct",
      "proxy",
      "gateway",
      "gateway+customer",
      "trusted",
      "trusted+customer",
      "trusted-cached",
      "gateway+tracing",
      "trusted+tracing",
    ];
    const laneNames = (profile ? [profiled] : allLanes).filter((lane) => !onlyLanes || onlyLanes.includes(lane));
    // Tracing lanes: a second gateway, same settings plus an OTLP endpoint (a sink the bench runs), always sampling.
    const traced = laneNames.some(isTracedLane) ? await startTracedGateway(gatewayEnv, gatewayFlags) : null;
    if (traced) {
      children.push(traced.sink, traced.gateway);
      for (const [lane, twin] of Object.entries(TRACED_LANES) as [LaneName, LaneName][]) {
        base[lane] = { url: traced.gateway.url, front: traced.gateway, request: base[twin]!.request };
      }
    }
    const expected = new Map<LaneName, string>();
    for (const lane of laneNames) expected.set(lane, await referenceBody(base[lane]!.url, base[lane]!.request, 10));
    // Direct REST and the proxy must answer byte for byte the same: the proxy is a pure pass-through.
    if (expected.has("direct") && expected.has("proxy") && expected.get("direct") !== expected.get("proxy"))
      throw new Error("the proxy changed the upstream's answer");
    // A trusted document by id must answer exactly what the same text answers on the general path.
    for (const [trusted, general] of [
      ["trusted", "gateway"],
      ["trusted+customer", "gateway+customer"],
      ["trusted-cached", "gateway"],
    ] as const) {
      if (expected.has(trusted) && expected.has(general) && expected.get(trusted) !== expected.get(general))
        throw new Error(`the ${trusted} lane answered otherwise than the ${general} lane`);
    }

    const concurrency = profile ? [Math.max(...settings.concurrency)] : settings.concurrency;
    for (const connections of concurrency) {
      for (const lane of laneNames) {
        const { url, front, request } = base[lane]!;
        const result = await runLane({
          lane,
          pageSize: 10,
          baseUrl: url,
          request,
          expectBody: expected.get(lane)!,
          connections,
          settings,
          emulator,
          front,
        });
        printLane(result);
        lanes.push(result);
      }
    }

    const scaling: LaneResult[] = [];
    if (runScaling) {
      await addBenchHolders(emulator.url, credentials, EXTRA_HOLDERS);
      for (const pageSize of settings.pageSizes) {
        const request = graphqlRequest(holdersQuery(pageSize));
        const expectBody = await referenceBody(gateway.url, request, pageSize);
        for (const connections of settings.scalingConcurrency) {
          const result = await runLane({
            lane: "gateway",
            pageSize,
            baseUrl: gateway.url,
            request,
            expectBody,
            connections,
            settings,
            emulator,
            front: gateway,
          });
          printLane(result);
          scaling.push(result);
        }
      }
    }

    // A traced lane that exported nothing measured a gateway that made no spans.
    const exports = traced ? (await traced.sink.stats()).requestsServed : null;
    if (exports !== null) console.log(`tracing lanes: ${exports} OTLP exports received by the sink`);
    if (exports === 0) {
      console.error("bench: the traced gateway exported no spans");
      process.exitCode = 1;
    }

    let cache: CacheBenchResults | null = null;
    if (!profile) {
      cache = await runCacheBench({
        emulator,
        gatewayEnv: { ...upstreamEnv, NODE_ENV: gatewayNodeEnv, AUTH_DISABLED: "true", CALLER_BUDGET_PER_MINUTE: "0" },
        connections: Math.max(...settings.concurrency),
        settings,
        only: (lane) => !onlyLanes || onlyLanes.includes(lane),
        print: printCacheLane,
      });
    }

    for (const child of children.splice(0).reverse()) await child.stop();

    mkdirSync(outDir, { recursive: true });
    if (profile) {
      const file = join(outDir, profileName);
      const summary = summarizeProfile(JSON.parse(readFileSync(file, "utf8")));
      const markdown = profileMarkdown(
        summary,
        `Gateway CPU profile (${label}): gateway lane, c=${concurrency[0]}, ${settings.durationSeconds} s + warm-up`,
      );
      writeFileSync(join(outDir, `profile-${label}.md`), `${markdown}\nLane: ${JSON.stringify(lanes[0])}\n`);
      console.log(markdown);
      console.log(`wrote ${relative(root, join(outDir, `profile-${label}.md`))} (raw profile: ${relative(root, file)}, not committed)`);
      return;
    }

    const partial: Omit<BenchResults, "targets"> = {
      kind: smoke ? "smoke" : "full",
      startedAt: new Date().toISOString(),
      machine,
      settings,
      gatewayIdleRssMB,
      gatewayEnv: { ...gateway.detail, flags: process.env.BENCH_GATEWAY_FLAGS ?? "" },
      lanes,
      scaling,
      ratios: computeRatios(lanes, settings.concurrency),
    };
    const results: BenchResults = { ...partial, targets: checkTargets(partial) };
    const cacheChecks = cache ? cacheTargets(cache, lanes) : [];
    const cacheSection = cache ? cacheMarkdown(cache, lanes, cacheChecks) : "";
    writeFileSync(
      join(outDir, "bench.json"),
      `${JSON.stringify({ ...results, cache: cache && { ...cache, targets: cacheChecks } }, null, 2)}\n`,
    );
    writeFileSync(join(outDir, "bench.md"), `${markdownReport(results)}\n${cacheSection}`);
    if (cache) writeFileSync(join(outDir, "cache-throughput.svg"), cacheChart(cache, lanes, machine.nproc));
    writeFileSync(join(outDir, "lanes.svg"), lanesChart(results));
    writeFileSync(join(outDir, "scaling-throughput.svg"), scalingChart(results, "requestsPerSecond"));
    writeFileSync(join(outDir, "scaling-latency.svg"), scalingChart(results, "p50"));
    console.log(`\n${markdownReport(results)}\n${cacheSection}`);
    console.log(
      `wrote ${relative(root, outDir) || "."}/` +
        "{bench.json,bench.md,lanes.svg,scaling-throughput.svg,scaling-latency.svg,cache-throughput.svg}",
    );

    // Timings never fail the bench; a wrong answer under load does (a mismatch or a non-2xx is a bug, not a timing).
    const wrong = [...lanes, ...scaling].filter((l) => l.errors.mismatches > 0 || l.errors.non2xx > 0);
    if (wrong.length > 0) {
      console.error(
        `bench: wrong answers under load in ${wrong.map((l) => `${l.lane} first=${l.pageSize} c=${l.connections}`).join(", ")}`,
      );
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
    for (const child of children.reverse()) await child.stop();
  }
}

main().catch((error: unknown) => {
  console.error("bench failed:", error);
  process.exit(1);
});
