import type { BenchChild } from "./children.js";
import type { ChildStats } from "./ipc.js";
import type { LaneRequest } from "./lanes.js";
import { measure, warmUp, type LatencySummary, type LoadResult } from "./load.js";

export type LaneName =
  | "direct"
  | "proxy"
  | "gateway"
  | "gateway+customer"
  /** The same page as a trusted document sent by id: the fast path (src/execution/trusted-execution.ts). */
  | "trusted"
  | "trusted+customer"
  /** The trusted page on a gateway with the in-process cache on (default TTLs). */
  | "trusted-cached"
  /** The same requests on a gateway that traces every request and exports it (test/bench/tracing-lanes.ts). */
  | "gateway+tracing"
  | "trusted+tracing";

export interface LaneResult {
  lane: LaneName;
  pageSize: number;
  connections: number;
  requestsPerSecond: number;
  requests: number;
  latencyMs: LatencySummary;
  errors: LoadResult["errors"];
  /** The process in front of the emulator (proxy or gateway); null for direct REST. */
  front: null | {
    role: string;
    peakRssMB: number;
    rssMB: number;
    heapUsedMB: number;
    /** CPU time (user + system) the front process spent per request answered, measured run only. */
    cpuMicrosPerRequest: number;
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
}

export interface LaneSettings {
  warmupSeconds: number;
  durationSeconds: number;
}

const MB = 1024 * 1024;
const round1 = (value: number) => Math.round(value * 10) / 10;
const cpuOf = (stats: ChildStats) => stats.cpuUserMicros + stats.cpuSystemMicros;

/** One lane at one concurrency: warm-up, counters reset, measured run, counters read. */
export async function runLane(options: {
  lane: LaneName;
  pageSize: number;
  baseUrl: string;
  request: LaneRequest;
  expectBody: string;
  connections: number;
  settings: LaneSettings;
  emulator: BenchChild;
  front: BenchChild | null;
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
  const [emulatorBefore, frontBefore] = await Promise.all([emulator.stats(), front?.stats(true)]);
  const load = await measure(spec);
  const [emulatorAfter, frontAfter] = await Promise.all([emulator.stats(), front?.stats()]);
  const answered = Math.max(1, load.requests + load.errors.total);
  return {
    lane: options.lane,
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
  };
}
