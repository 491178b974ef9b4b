import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { once } from "node:events";

/** The compiled entry point, as operators run it (`npm test` builds it before jest). */
export const GATEWAY_MAIN = "dist/src/main.js";

/** The gateway in a process of its own: its memory is its own, measured from /proc. */
export interface GatewayProcess {
  pid: number;
  port: number;
  /** http://127.0.0.1:port */
  url: string;
  /** Everything it printed on stdout so far. */
  stdout(): string;
  /** Resident memory now (VmRSS). */
  rssBytes(): number;
  /**
   * What its JavaScript holds once garbage is collected (two full collections, then process.memoryUsage()), asked by
   * SIGUSR2: started with `memoryProbe` only.
   */
  memoryAfterGc(): Promise<NodeJS.MemoryUsage>;
  /** SIGKILL, then waits for the exit. */
  stop(): Promise<void>;
}

const MEMORY_LINE = "memory after gc: ";
/** Loaded before the gateway (`node --expose-gc --import`): on SIGUSR2, collects garbage and prints what is left. */
const MEMORY_PROBE = `data:text/javascript,${encodeURIComponent(`
process.on("SIGUSR2", () => {
  gc();
  gc();
  process.stdout.write(${JSON.stringify(MEMORY_LINE)} + JSON.stringify(process.memoryUsage()) + "\\n");
});`)}`;

/**
 * Starts `main` (the built gateway) with exactly `env` (plus PATH and HOME) and resolves once it prints its URL. It runs
 * on the embedded emulator unless `env` names an upstream, in production too (EMULATOR_IN_PRODUCTION): these suites
 * measure the gateway's process, not a deployment. `memoryProbe`: memoryAfterGc() answers.
 */
export async function startGatewayProcess(
  env: Record<string, string | undefined>,
  main = GATEWAY_MAIN,
  options: { memoryProbe?: boolean } = {},
): Promise<GatewayProcess> {
  if (!existsSync(main)) throw new Error(`${main} is missing: run \`npm run build\` first (npm test does).`);
  const { PATH, HOME } = process.env;
  const nodeArgs = options.memoryProbe ? ["--expose-gc", "--import", MEMORY_PROBE] : [];
  const child = spawn(process.execPath, [...nodeArgs, main], {
    env: { PATH, HOME, PORT: "0", LOG_LEVEL: "warn", EMULATOR_DB: ":memory:", EMULATOR_IN_PRODUCTION: "true", ...env },
    stdio: ["ignore", "pipe", "inherit"],
  });
  let out = "";
  child.stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
  const exited = once(child, "exit");
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`gateway did not start within 30 s:\n${out}`)), 30_000);
    const onData = () => {
      const match = /ready at http:\/\/[^:]+:(\d+)\//.exec(out);
      if (!match) return;
      clearTimeout(timer);
      child.stdout.off("data", onData);
      resolve(Number(match[1]));
    };
    child.stdout.on("data", onData);
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`gateway exited (${code}) before it was ready:\n${out}`));
    });
  });
  return {
    pid: child.pid!,
    port,
    url: `http://127.0.0.1:${port}`,
    stdout: () => out,
    rssBytes() {
      const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, "utf8"));
      return match ? Number(match[1]) * 1024 : NaN;
    },
    async memoryAfterGc() {
      if (!options.memoryProbe) throw new Error("started without memoryProbe");
      const seen = out.length;
      child.kill("SIGUSR2");
      for (;;) {
        const start = out.indexOf(MEMORY_LINE, seen);
        const end = start === -1 ? -1 : out.indexOf("\n", start);
        if (end !== -1) return JSON.parse(out.slice(start + MEMORY_LINE.length, end)) as NodeJS.MemoryUsage;
        await once(child.stdout, "data");
      }
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
      await exited;
    },
  };
}
