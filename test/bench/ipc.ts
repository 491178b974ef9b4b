/** Messages between the bench (parent, load generator) and the servers it runs in child processes. */

export type Role = "emulator" | "proxy" | "gateway";

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
}

export type ParentMessage = { type: "stats"; reset?: boolean } | { type: "exit" };

export type ChildMessage = { type: "ready"; url: string; detail?: Record<string, unknown> } | ({ type: "stats" } & ChildStats);
