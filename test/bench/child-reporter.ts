import { subscribe } from "node:diagnostics_channel";
import type { ChildMessage, ChildStats, ParentMessage } from "./ipc.js";

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
  let peakRss = process.memoryUsage.rss();
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage.rss());
  }, 50);
  sampler.unref();

  const send = (message: ChildMessage) => process.send!(message);
  process.on("message", (message: ParentMessage) => {
    if (message.type === "exit") {
      clearInterval(sampler);
      // A normal exit, so that `--cpu-prof` writes its profile.
      void stop().finally(() => process.exit(0));
      return;
    }
    const memory = process.memoryUsage();
    const cpu = process.cpuUsage();
    peakRss = Math.max(peakRss, memory.rss);
    const stats: ChildStats = {
      rssBytes: memory.rss,
      peakRssBytes: peakRss,
      heapUsedBytes: memory.heapUsed,
      cpuUserMicros: cpu.user,
      cpuSystemMicros: cpu.system,
      connectionsAccepted: accepted,
      connectionsOpened: opened,
      requestsServed: served,
    };
    if (message.reset) peakRss = memory.rss;
    send({ type: "stats", ...stats });
  });
  // The parent going away (crash, Ctrl-C) must not leave servers behind.
  process.on("disconnect", () => void stop().finally(() => process.exit(0)));
  send({ type: "ready", url, detail });
}
