/** Messages between the bench (parent, load generator) and the servers it runs in child processes. */

export type Role = "emulator" | "proxy" | "gateway" | "otlp";

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

export type ParentMessage = { type: "stats"; reset?: boolean } | { type: "exit" };

export type ChildMessage = { type: "ready"; url: string; detail?: Record<string, unknown> } | ({ type: "stats" } & ChildStats);
