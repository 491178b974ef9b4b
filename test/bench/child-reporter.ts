import { subscribe } from "node:diagnostics_channel";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { writeFileSync } from "node:fs";
import { Session } from "node:inspector/promises";
import { createHistogram, monitorEventLoopDelay, PerformanceObserver, type RecordableHistogram } from "node:perf_hooks";
import type { ChildMessage, ChildStats, ParentMessage } from "./ipc.js";
import { procMemory, resetPeak } from "./proc-memory.js";

/**
 * The child side of the bench: counts sockets, samples memory, and answers the parent over the IPC channel.
 * It runs beside the server under test, so it is kept cheap: one 50 ms timer and two counters.
 */
export function reportToParent(url: string, stop: () => Promise<void>, detail?: Record<string, unknown>): void {
  if (!process.send) throw new Error("bench children are started by test/bench/run.js with an IPC channel");
  let accepted = 0;
  let opened = 0;
  let served = 0;
  // Counted by the runtime for every TCP socket, so no change to the servers under test is needed.
  subscribe("net.server.socket", () => accepted++);
  subscribe("net.client.socket", () => opened++);
  subscribe("http.server.request.start", () => served++);
  // Where a latency tail comes from: a late event loop (long tasks, GC) or time spent before the server saw the request.
  const loopDelay = monitorEventLoopDelay({ resolution: 10 });
  loopDelay.enable();
  const serverLatency = createHistogram();
  const startedAt = Symbol("startedAt");
  subscribe("http.server.request.start", (message) => {
    (message as { response: Record<symbol, number> }).response[startedAt] = performance.now();
  });
  subscribe("http.server.response.finish", (message) => {
    const started = (message as { response: Record<symbol, number> }).response[startedAt];
    if (started !== undefined) serverLatency.record(Math.max(1, Math.round((performance.now() - started) * 1000)));
  });
  const gc = { count: 0, totalMs: 0, maxMs: 0 };
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      gc.count++;
      gc.totalMs += entry.duration;
      gc.maxMs = Math.max(gc.maxMs, entry.duration);
    }
  }).observe({ entryTypes: ["gc"] });
  const ms = (nanos: number) => Math.round(nanos / 1e4) / 100;
  const summary = (histogram: RecordableHistogram | ReturnType<typeof monitorEventLoopDelay>, unit: (n: number) => number) =>
    histogram.count === 0
      ? { p50: 0, p99: 0, max: 0 }
      : { p50: unit(histogram.percentile(50)), p99: unit(histogram.percentile(99)), max: unit(histogram.max) };
  // The kernel's high-water mark where there is one (Linux): exact, and nothing runs in the measured process for it.
  // Elsewhere, RSS sampled every 50 ms (each sample costs the process about 0.2 ms).
  const kernelPeak = procMemory("self") !== null && resetPeak("self");
  let peakRss = process.memoryUsage.rss();
  const sampler = kernelPeak
    ? null
    : setInterval(() => {
        peakRss = Math.max(peakRss, process.memoryUsage.rss());
      }, 50);
  sampler?.unref();
  const peakNow = (rss: number) => (kernelPeak ? (procMemory("self")?.peakBytes ?? rss) : Math.max(peakRss, rss));

  const send = (message: ChildMessage) => process.send!(message);
  let profiler: Session | null = null;
  process.on("message", (message: ParentMessage) => {
    if (message.type === "exit") {
      if (sampler) clearInterval(sampler);
      // A normal exit, so that `--cpu-prof` writes its profile.
      void stop().finally(() => process.exit(0));
      return;
    }
    if (message.type === "profile") {
      if (message.action === "start") {
        profiler = new Session();
        profiler.connect();
        void profiler
          .post("Profiler.enable")
          .then(() => profiler!.post("Profiler.start"))
          .then(() => send({ type: "profiled", file: null }));
      } else {
        const session = profiler;
        profiler = null;
        void session
          ?.post("Profiler.stop")
          .then(({ profile }) => {
            writeFileSync(message.file, JSON.stringify(profile));
            session.disconnect();
            send({ type: "profiled", file: message.file });
          })
          .catch(() => send({ type: "profiled", file: null }));
      }
      return;
    }
    const memory = process.memoryUsage();
    const cpu = process.cpuUsage();
    const stats: ChildStats = {
      rssBytes: memory.rss,
      peakRssBytes: peakNow(memory.rss),
      heapUsedBytes: memory.heapUsed,
      cpuUserMicros: cpu.user,
      cpuSystemMicros: cpu.system,
      connectionsAccepted: accepted,
      connectionsOpened: opened,
      requestsServed: served,
      eventLoopDelayMs: summary(loopDelay, ms),
      serverLatencyMs: summary(serverLatency, (micros) => Math.round(micros / 10) / 100),
      gcPauses: { count: gc.count, totalMs: Math.round(gc.totalMs), maxMs: Math.round(gc.maxMs * 10) / 10 },
    };
    if (message.reset) {
      if (kernelPeak) resetPeak("self");
      peakRss = memory.rss;
      loopDelay.reset();
      serverLatency.reset();
      Object.assign(gc, { count: 0, totalMs: 0, maxMs: 0 });
    }
    send({ type: "stats", ...stats });
  });
  // The parent going away (crash, Ctrl-C) must not leave servers behind.
  process.on("disconnect", () => void stop().finally(() => process.exit(0)));
  send({ type: "ready", url, detail });
}

/**
 * Listens on a free loopback port and reports it to the parent; on stop, closes every connection, then `close` (the
 * child's upstream pool, when it has one).
 */
export async function serveToParent(server: Server, close: () => Promise<void> = async () => {}): Promise<void> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  reportToParent(`http://127.0.0.1:${port}`, async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await close();
  });
}
