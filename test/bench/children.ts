import { fork, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { ChildMessage, ChildStats, ParentMessage, Role } from "./ipc.js";

const ENTRY: Record<Role, string> = {
  emulator: "serve-emulator.js",
  proxy: "serve-proxy.js",
  gateway: "serve-gateway.js",
  otlp: "serve-otlp-sink.js",
};
const START_TIMEOUT_MS = 30_000;

/** A server under test, running in its own process so the load generator does not steal its event loop. */
export class BenchChild {
  private constructor(
    readonly role: Role,
    readonly url: string,
    readonly detail: Record<string, unknown>,
    private readonly child: ChildProcess,
  ) {}

  static async start(role: Role, env: Record<string, string> = {}, execArgv: string[] = []): Promise<BenchChild> {
    const child = fork(fileURLToPath(new URL(ENTRY[role], import.meta.url)), [], {
      env: { ...process.env, ...env },
      execArgv,
      // Logs go nowhere: an unread pipe would block the child, and a terminal would slow it.
      stdio: ["ignore", "ignore", "inherit", "ipc"],
    });
    const ready = await new Promise<Extract<ChildMessage, { type: "ready" }>>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${role} did not start within ${START_TIMEOUT_MS} ms`)), START_TIMEOUT_MS);
      child.once("exit", (code) => reject(new Error(`${role} exited with ${code} before it was ready`)));
      child.on("message", (message: ChildMessage) => {
        if (message.type !== "ready") return;
        clearTimeout(timer);
        resolve(message);
      });
    });
    child.removeAllListeners("exit");
    return new BenchChild(role, ready.url, ready.detail ?? {}, child);
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Current counters; `reset` restarts the peak-RSS window. */
  stats(reset = false): Promise<ChildStats> {
    return new Promise((resolve, reject) => {
      const onMessage = (message: ChildMessage) => {
        if (message.type !== "stats") return;
        this.child.off("message", onMessage);
        const { type: _type, ...stats } = message;
        resolve(stats);
      };
      this.child.on("message", onMessage);
      if (!this.send({ type: "stats", reset })) reject(new Error(`${this.role} is gone`));
    });
  }

  /** Asks the child to stop its server and exit normally (a profile, if any, is written then). */
  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => this.child.once("exit", () => resolve()));
    const timer = setTimeout(() => this.child.kill("SIGKILL"), 10_000);
    this.send({ type: "exit" });
    await exited;
    clearTimeout(timer);
  }

  private send(message: ParentMessage): boolean {
    return this.child.connected && this.child.send(message);
  }
}
