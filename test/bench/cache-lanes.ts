import type { BenchChild } from "./children.js";
import type { ChildStats } from "./ipc.js";
import { processCpuMicros, type LaneSettings } from "./lane-runner.js";
import { graphqlRequest, holdersQuery, referenceBody } from "./lanes.js";
import type { LatencySummary, LoadResult } from "./load.js";
import { loadAcross } from "./load-across.js";

/** The two reads the cache lanes measure: the 10-holder page, and the same with each holder's customer (11 calls uncached). */
export type CacheVariant = "holders" | "customer";
export type CacheSetup = "in-process cache" | "2 replicas on Redis";

export interface RepeatedReads {
  reads: number;
  /** Upstream calls made by all the reads: the first is sent with `Cache-Control: no-cache` (it reads upstream and
   * refreshes the entries), the others are served from the cache while it is fresh. */
  upstreamCalls: number;
  elapsedMs: number;
  /** All reads finished within the holder-page TTL (otherwise a refill is expected and not a fault). */
  withinTtl: boolean;
  wrongAnswers: number;
}

export interface CacheLaneResult {
  setup: CacheSetup;
  variant: CacheVariant;
  replicas: number;
  connections: number;
  requestsPerSecond: number;
  requests: number;
  latencyMs: LatencySummary;
  errors: LoadResult["errors"];
  /** CPU time (user + system) of the gateway processes only, summed, per request answered. */
  gatewayCpuMicrosPerRequest: number;
  gatewayPeakRssMB: number;
  /** Requests the emulator received per request answered, measured run only (refills after a TTL included). */
  upstreamCallsPerRequest: number;
  /** redis-server's CPU per request answered (Linux /proc), for information; null without Redis. */
  redisCpuMicrosPerRequest: number | null;
  repeatedReads: RepeatedReads;
}

const MB = 1024 * 1024;
const cpuOf = (stats: ChildStats) => stats.cpuUserMicros + stats.cpuSystemMicros;
const REPEATED_READS = 1000;

async function repeatedReads(
  fronts: BenchChild[],
  request: ReturnType<typeof graphqlRequest>,
  expectBody: string,
  connections: number,
  emulator: BenchChild,
  ttlMs: number,
): Promise<RepeatedReads> {
  const send = async (url: string, headers: Record<string, string>) => {
    const response = await fetch(new URL(request.path, url), {
      method: request.method,
      headers: { ...request.headers, ...headers },
      body: request.body,
    });
    const text = await response.text();
    return response.status === 200 && text === expectBody;
  };
  const before = (await emulator.stats()).requestsServed;
  const started = performance.now();
  let wrong = (await send(fronts[0].url, { "cache-control": "no-cache" })) ? 0 : 1;
  let next = 1;
  await Promise.all(
    Array.from({ length: connections }, async () => {
      while (next < REPEATED_READS) {
        const index = next++;
        if (!(await send(fronts[index % fronts.length].url, {}))) wrong++;
      }
    }),
  );
  const elapsedMs = Math.round(performance.now() - started);
  const upstreamCalls = (await emulator.stats()).requestsServed - before;
  return { reads: REPEATED_READS, upstreamCalls, elapsedMs, withinTtl: elapsedMs < ttlMs, wrongAnswers: wrong };
}

/** One cache lane: reference answer, warm-up (fills the cache), measured run across the replicas, repeated reads. */
export async function runCacheLane(options: {
  setup: CacheSetup;
  variant: CacheVariant;
  fronts: BenchChild[];
  emulator: BenchChild;
  redisPid?: number;
  connections: number;
  settings: LaneSettings;
  holdersTtlMs: number;
}): Promise<CacheLaneResult> {
  const { fronts, emulator, connections, settings } = options;
  const request = graphqlRequest(holdersQuery(10, options.variant === "customer"));
  const expectBody = await referenceBody(fronts[0].url, request, 10);
  const spec = {
    urls: fronts.map((front) => new URL(request.path, front.url).href),
    method: request.method,
    headers: request.headers,
    body: request.body,
    connections,
    expectBody,
  };
  if (settings.warmupSeconds > 0) await loadAcross(spec, settings.warmupSeconds, false);
  const [emulatorBefore, ...frontsBefore] = await Promise.all([emulator.stats(), ...fronts.map((front) => front.stats(true))]);
  const redisBefore = processCpuMicros(options.redisPid);
  const load = await loadAcross(spec, settings.durationSeconds);
  const redisAfter = processCpuMicros(options.redisPid);
  const [emulatorAfter, ...frontsAfter] = await Promise.all([emulator.stats(), ...fronts.map((front) => front.stats())]);
  const answered = Math.max(1, load.requests + load.errors.total);
  const gatewayCpu = frontsAfter.reduce((sum, after, i) => sum + cpuOf(after) - cpuOf(frontsBefore[i]), 0);
  const repeated = await repeatedReads(fronts, request, expectBody, connections, emulator, options.holdersTtlMs);
  return {
    setup: options.setup,
    variant: options.variant,
    replicas: fronts.length,
    connections,
    requestsPerSecond: load.requestsPerSecond,
    requests: load.requests,
    latencyMs: load.latencyMs,
    errors: load.errors,
    gatewayCpuMicrosPerRequest: Math.round(gatewayCpu / answered),
    gatewayPeakRssMB: Math.round((Math.max(...frontsAfter.map((after) => after.peakRssBytes)) / MB) * 10) / 10,
    upstreamCallsPerRequest: Math.round(((emulatorAfter.requestsServed - emulatorBefore.requestsServed) / answered) * 10_000) / 10_000,
    redisCpuMicrosPerRequest: redisBefore !== null && redisAfter !== null ? Math.round((redisAfter - redisBefore) / answered) : null,
    repeatedReads: repeated,
  };
}
