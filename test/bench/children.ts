import { fork, spawn, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { ChildMessage, ChildStats, ParentMessage, Role } from "./ipc.js";

const ENTRY: Record<Role, string> = {
  emulator: "serve-emulator.js",
  proxy: "serve-proxy.js",
  floor: "serve-floor.js",
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

  /**
   * `build`: the root of another built checkout (BENCH_BASELINE) whose server to start instead of this one's: its
   * `dist/test/bench/serve-*.js` speaks the same IPC. `wrapper`: a command the child runs under (valgrind), which
   * passes the IPC channel through.
   */
  static async start(
    role: Role,
    env: Record<string, string> = {},
    execArgv: string[] = [],
    build?: string,
    wrapper?: string[],
    startTimeoutMs = START_TIMEOUT_MS,
  ): Promise<BenchChild> {
    const entry = build ? join(build, "dist/test/bench", ENTRY[role]) : fileURLToPath(new URL(ENTRY[role], import.meta.url));
    // Logs go nowhere: an unread pipe would block the child, and a terminal would slow it.
    const options = { env: { ...process.env, ...env }, stdio: ["ignore", "ignore", "inherit", "ipc"] as ("ignore" | "inherit" | "ipc")[] };
    const child = wrapper
      ? spawn(wrapper[0], [...wrapper.slice(1), process.execPath, ...execArgv, entry], options)
      : fork(entry, [], { ...options, execArgv });
    const ready = await new Promise<Extract<ChildMessage, { type: "ready" }>>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${role} did not start within ${startTimeoutMs} ms`)), startTimeoutMs);
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
  async stats(reset = false): Promise<ChildStats> {
    const { type: _type, ...stats } = (await this.ask({ type: "stats", reset }, "stats")) as Extract<ChildMessage, { type: "stats" }>;
    return stats;
  }

  /** Starts a CPU profile of this child (node:inspector), to be stopped with `stopProfile`. */
  async startProfile(): Promise<void> {
    await this.ask({ type: "profile", action: "start" }, "profiled");
  }

  /** Stops the profile and has the child write it to `file` (a V8 .cpuprofile). */
  async stopProfile(file: string): Promise<void> {
    await this.ask({ type: "profile", action: "stop", file }, "profiled");
  }

  private ask(message: ParentMessage, answer: ChildMessage["type"]): Promise<ChildMessage> {
    return new Promise((resolve, reject) => {
      const onMessage = (reply: ChildMessage) => {
        if (reply.type !== answer) return;
        this.child.off("message", onMessage);
        resolve(reply);
      };
      this.child.on("message", onMessage);
      if (!this.send(message)) reject(new Error(`${this.role} is gone`));
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
