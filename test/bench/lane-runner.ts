import { readFileSync } from "node:fs";
import type { BenchChild } from "./children.js";
import type { ChildStats } from "./ipc.js";
import type { LaneRequest } from "./lanes.js";
import { measure, warmUp, type LatencySummary, type LoadResult } from "./load.js";

/** Which code served a lane: this checkout, or the build named by BENCH_BASELINE (before/after in one run). */
export type Build = "current" | "baseline";

export interface LaneResult {
  /** A lane of lane-catalogue.ts. */
  lane: string;
  build: Build;
  /** With BENCH_REPEAT: which turn this run was (0, 1, ...): its ratios are to the proxy's run of the same turn. */
  round?: number;
  pageSize: number;
  connections: number;
  requestsPerSecond: number;
  requests: number;
  latencyMs: LatencySummary;
  errors: LoadResult["errors"];
  /** The process in front of the emulator (proxy, floor or gateway); null for direct REST. */
  front: null | {
    role: string;
    peakRssMB: number;
    rssMB: number;
    heapUsedMB: number;
    /** CPU time (user + system) the front process spent per request answered, measured run only. */
    cpuMicrosPerRequest: number;
    /** Its user-space part: less moved than the kernel's by other load on a shared machine (a second opinion). */
    userCpuMicrosPerRequest: number;
    /** Upstream TCP connections the front opened during this lane (warm-up included). */
    upstreamSocketsOpened: number;
    /** ... and since it started. */
    upstreamSocketsOpenedTotal: number;
    /** Measured run only (see ChildStats): event-loop delay, the server's own latency, GC pauses. */
    eventLoopDelayMs?: ChildStats["eventLoopDelayMs"];
    serverLatencyMs?: ChildStats["serverLatencyMs"];
    gcPauses?: ChildStats["gcPauses"];
  };
  emulator: { cpuMicrosPerRequest: number; requestsPerRequest: number; connectionsAccepted: number };
  /** redis-server's CPU per request answered, for lanes on Redis (Linux /proc); absent otherwise. */
  redisCpuMicrosPerRequest?: number | null;
}

export interface LaneSettings {
  warmupSeconds: number;
  durationSeconds: number;
}

const MB = 1024 * 1024;
const round1 = (value: number) => Math.round(value * 10) / 10;
const cpuOf = (stats: ChildStats) => stats.cpuUserMicros + stats.cpuSystemMicros;

/** CPU microseconds a process has used (Linux: /proc/<pid>/stat, in clock ticks of 10 ms); null elsewhere. */
export function processCpuMicros(pid: number | undefined): number | null {
  if (pid === undefined) return null;
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
    // utime and stime are fields 14 and 15 of the whole line, 12 and 13 after "pid (comm) ".
    return (Number(fields[11]) + Number(fields[12])) * 10_000;
  } catch {
    return null;
  }
}

/**
 * One lane at one concurrency: warm-up, counters reset, measured run, counters read. With `profileTo`, the front
 * records a CPU profile of the measured run into that file (the run's figures then include the profiler's cost).
 */
export async function runLane(options: {
  lane: string;
  build: Build;
  pageSize: number;
  baseUrl: string;
  request: LaneRequest;
  expectBody: string;
  connections: number;
  settings: LaneSettings;
  emulator: BenchChild;
  front: BenchChild | null;
  redisPid?: number;
  profileTo?: string;
}): Promise<LaneResult> {
  const { emulator, front, request } = options;
  const spec = {
    url: new URL(request.path, options.baseUrl).href,
    method: request.method,
    headers: request.headers,
    body: request.body,
    connections: options.connections,
    warmupSeconds: options.settings.warmupSeconds,
    durationSeconds: options.settings.durationSeconds,
    expectBody: options.expectBody,
  };
  const frontAtStart = await front?.stats();
  await warmUp(spec);
  if (options.profileTo) await front?.startProfile();
  const [emulatorBefore, frontBefore] = await Promise.all([emulator.stats(), front?.stats(true)]);
  const redisBefore = processCpuMicros(options.redisPid);
  const load = await measure(spec);
  const redisAfter = processCpuMicros(options.redisPid);
  const [emulatorAfter, frontAfter] = await Promise.all([emulator.stats(), front?.stats()]);
  if (options.profileTo) await front?.stopProfile(options.profileTo);
  const answered = Math.max(1, load.requests + load.errors.total);
  return {
    lane: options.lane,
    build: options.build,
    pageSize: options.pageSize,
    connections: options.connections,
    requestsPerSecond: load.requestsPerSecond,
    requests: load.requests,
    latencyMs: load.latencyMs,
    errors: load.errors,
    front:
      front && frontAtStart && frontBefore && frontAfter
        ? {
            role: front.role,
            peakRssMB: round1(frontAfter.peakRssBytes / MB),
            rssMB: round1(frontAfter.rssBytes / MB),
            heapUsedMB: round1(frontAfter.heapUsedBytes / MB),
            cpuMicrosPerRequest: Math.round((cpuOf(frontAfter) - cpuOf(frontBefore)) / answered),
            userCpuMicrosPerRequest: Math.round((frontAfter.cpuUserMicros - frontBefore.cpuUserMicros) / answered),
            upstreamSocketsOpened: frontAfter.connectionsOpened - frontAtStart.connectionsOpened,
            upstreamSocketsOpenedTotal: frontAfter.connectionsOpened,
            eventLoopDelayMs: frontAfter.eventLoopDelayMs,
            serverLatencyMs: frontAfter.serverLatencyMs,
            gcPauses: frontAfter.gcPauses,
          }
        : null,
    emulator: {
      cpuMicrosPerRequest: Math.round((cpuOf(emulatorAfter) - cpuOf(emulatorBefore)) / answered),
      requestsPerRequest: round1((emulatorAfter.requestsServed - emulatorBefore.requestsServed) / answered),
      connectionsAccepted: emulatorAfter.connectionsAccepted - emulatorBefore.connectionsAccepted,
    },
    ...(options.redisPid !== undefined
      ? { redisCpuMicrosPerRequest: redisBefore !== null && redisAfter !== null ? Math.round((redisAfter - redisBefore) / answered) : null }
      : {}),
  };
}
