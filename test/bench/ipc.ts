/** Messages between the bench (parent, load generator) and the servers it runs in child processes. */

export type Role = "emulator" | "proxy" | "floor" | "gateway" | "otlp";

export interface ChildStats {
  rssBytes: number;
  /** Highest RSS sampled (every 50 ms) since the last `reset`. */
  peakRssBytes: number;
  heapUsedBytes: number;
  /** process.cpuUsage() since the child started, in microseconds. */
  cpuUserMicros: number;
  cpuSystemMicros: number;
  /** TCP connections this process has accepted since it started (node:diagnostics_channel `net.server.socket`). */
  connectionsAccepted: number;
  /** TCP connections this process has opened as a client since it started (`net.client.socket`): upstream sockets. */
  connectionsOpened: number;
  /** HTTP requests this process has received since it started (`http.server.request.start`). */
  requestsServed: number;
  /** Since the last `reset`: how late the event loop ran (perf_hooks.monitorEventLoopDelay, 10 ms resolution). */
  eventLoopDelayMs?: { p50: number; p99: number; max: number };
  /** Since the last `reset`: request start to response finish as the server saw it (without time in socket buffers). */
  serverLatencyMs?: { p50: number; p99: number; max: number };
  /** Since the last `reset`: garbage-collection pauses (PerformanceObserver "gc"). */
  gcPauses?: { count: number; totalMs: number; maxMs: number };
}

/**
 * `profile`: a CPU profile of the measured run only (node:inspector in the child, started after the warm-up), written
 * to `file` on `stop`. Children of an older build (BENCH_BASELINE) do not know it; the bench profiles only its own.
 */
export type ParentMessage =
  | { type: "stats"; reset?: boolean }
  | { type: "exit" }
  | { type: "profile"; action: "start" }
  | { type: "profile"; action: "stop"; file: string };

export type ChildMessage =
  | { type: "ready"; url: string; detail?: Record<string, unknown> }
  | ({ type: "stats" } & ChildStats)
  | { type: "profiled"; file: string | null };
