import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { SHIPPED_DOCUMENTS } from "../../src/documents/shipped-documents.generated.js";
import { BenchChild } from "./children.js";
import { documentIdOf, graphqlRequest, holdersQuery, MEMBER_ID, referenceBody, type LaneRequest } from "./lanes.js";
import { measure, warmUp } from "./load.js";
import { procMemory, resetPeak } from "./proc-memory.js";

/**
 * The gateway's memory as operators start it: `node dist/src/main.js`, its own process, no node flags, the default
 * settings except the per-caller budget (off: the load comes from one address). Three setups:
 *   npm start      the defaults: the embedded emulator in the same process (development, in-process cache on)
 *   production     NODE_ENV=production (auth off) in front of a separate upstream (the bench's emulator), cache on
 *   cache off      the same, CACHE_HOLDERS_TTL_MS=0 and CACHE_CUSTOMERS_TTL_MS=0: every request calls the upstream
 * Each is driven with the bench's 10-holder page as a general document (text), then with the shipped
 * `ReferralHolders` by id (a trusted document; 10 holders with their customers, as the example app asks), at 32
 * connections. Reported: RSS at idle (after start), the peak RSS of each load (the kernel's high-water mark,
 * reset between loads), and the JS heap and RSS after the load, as the process reports them.
 *
 *   npm run build:tools && node dist/test/bench/memory-peak.js
 *   BENCH_CONNECTIONS (32), BENCH_WARMUP (2) and BENCH_DURATION (10) seconds; BENCH_SETUPS="production,cache off".
 *   BENCH_COMPARE=path/to/dist/src/main.js  each setup also on another build, right after this one (before/after).
 *   BENCH_NODE_FLAGS="--max-semi-space-size=8"  node flags for the gateway (experiments; the figures are without).
 */
const number = (name: string, fallback: number) => (process.env[name] ? Number(process.env[name]) : fallback);
const connections = number("BENCH_CONNECTIONS", 32);
const warmupSeconds = number("BENCH_WARMUP", 2);
const durationSeconds = number("BENCH_DURATION", 10);
const nodeFlags = process.env.BENCH_NODE_FLAGS?.split(" ").filter(Boolean) ?? [];
const MAIN = fileURLToPath(new URL("../../src/main.js", import.meta.url));
const builds = [
  { label: "", main: MAIN },
  ...(process.env.BENCH_COMPARE ? [{ label: " (compared)", main: process.env.BENCH_COMPARE }] : []),
];

/** The kernel's view of the gateway's memory (proc-memory.ts), in MB: this script runs on Linux only. */
function memoryMB(pid: number): { rssMB: number; peakMB: number } {
  const memory = procMemory(pid);
  if (!memory) throw new Error("memory-peak reads /proc/<pid>/status: Linux only");
  const mb = (bytes: number) => Math.round((bytes / 2 ** 20) * 10) / 10;
  return { rssMB: mb(memory.rssBytes), peakMB: mb(memory.peakBytes) };
}

interface Gateway {
  url: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

/** `node dist/src/main.js` in a fresh working directory (its `.data/` is thrown away), stdout read and discarded. */
async function startMain(main: string, env: Record<string, string>): Promise<Gateway> {
  const cwd = mkdtempSync(join(tmpdir(), "bench-memory-"));
  const child = spawn(process.execPath, [...nodeFlags, main], {
    cwd,
    // All load comes from one address: the per-caller budget (on by default) would refuse it after a moment.
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", PORT: "0", CALLER_BUDGET_PER_MINUTE: "0", ...env },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let seen = "";
    const onData = (chunk: Buffer) => {
      seen += chunk.toString();
      const match = /Referrals gateway ready at (http:\/\/\S+)\/graphql/.exec(seen);
      if (match) {
        child.stdout.off("data", onData);
        child.stdout.resume();
        resolve(match[1]);
      }
    };
    child.stdout.on("data", onData);
    child.once("exit", (code) => reject(new Error(`the gateway exited with ${code}: ${seen.slice(-2000)}`)));
  });
  child.removeAllListeners("exit");
  return {
    url,
    process: child,
    async stop() {
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGTERM");
      await exited;
      rmSync(cwd, { recursive: true, force: true });
    },
  };
}

function trustedByIdRequest(): LaneRequest {
  const document = SHIPPED_DOCUMENTS.find((shipped) => shipped.name === "ReferralHolders");
  if (!document) throw new Error("the shipped ReferralHolders document is missing");
  return {
    method: "POST",
    path: "/graphql",
    headers: { "content-type": "application/json", accept: "application/json" },
    body: JSON.stringify({ documentId: documentIdOf(document.body), variables: { memberId: MEMBER_ID, first: 10 } }),
  };
}

interface Row {
  setup: string;
  idleMB: number;
  loads: { name: string; requestsPerSecond: number; peakMB: number; afterMB: number; errors: number }[];
}

async function measureSetup(setup: string, env: Record<string, string>): Promise<Row[]> {
  const rows: Row[] = [];
  for (const build of builds) rows.push(await measureBuild(`${setup}${build.label}`, build.main, env));
  return rows;
}

async function measureBuild(setup: string, main: string, env: Record<string, string>): Promise<Row> {
  const gateway = await startMain(main, env);
  try {
    const pid = gateway.process.pid!;
    const idleMB = memoryMB(pid).rssMB;
    const loads: Row["loads"] = [];
    for (const [name, request] of [
      ["general (text)", graphqlRequest(holdersQuery(10))],
      ["shipped by id", trustedByIdRequest()],
    ] as const) {
      const expectBody = await referenceBody(gateway.url, request, 10);
      const spec = {
        url: new URL(request.path, gateway.url).href,
        method: request.method,
        headers: request.headers,
        body: request.body,
        connections,
        warmupSeconds,
        durationSeconds,
        expectBody,
      };
      resetPeak(pid);
      await warmUp(spec);
      const load = await measure(spec);
      const { peakMB, rssMB } = memoryMB(pid);
      loads.push({ name, requestsPerSecond: load.requestsPerSecond, peakMB, afterMB: rssMB, errors: load.errors.total });
      console.log(
        `${setup.padEnd(22)} ${name.padEnd(15)} c=${connections} ${String(load.requestsPerSecond).padStart(6)} req/s  ` +
          `idle ${idleMB} MB, peak ${peakMB} MB, after ${rssMB} MB, errors ${load.errors.total}`,
      );
    }
    return { setup, idleMB, loads };
  } finally {
    await gateway.stop();
  }
}

async function main(): Promise<void> {
  const only = process.env.BENCH_SETUPS?.split(",").map((name) => name.trim());
  const wants = (setup: string) => !only || only.includes(setup);
  const rows: Row[] = [];
  if (wants("npm start")) rows.push(...(await measureSetup("npm start", {})));
  if (wants("production") || wants("cache off")) {
    const emulator = await BenchChild.start("emulator");
    try {
      const production = {
        NODE_ENV: "production",
        AUTH_DISABLED: "true",
        VOUCHERIFY_API_URL: emulator.url,
        VOUCHERIFY_APP_ID: String(emulator.detail.appId),
        VOUCHERIFY_APP_TOKEN: String(emulator.detail.appToken),
      };
      if (wants("production")) rows.push(...(await measureSetup("production", production)));
      if (wants("cache off")) {
        rows.push(...(await measureSetup("cache off", { ...production, CACHE_HOLDERS_TTL_MS: "0", CACHE_CUSTOMERS_TTL_MS: "0" })));
      }
    } finally {
      await emulator.stop();
    }
  }
  console.log(`\n| setup | idle RSS MB | load | req/s | peak RSS MB | RSS after MB |`);
  console.log("|---|---:|---|---:|---:|---:|");
  for (const row of rows) {
    for (const load of row.loads) {
      console.log(`| ${row.setup} | ${row.idleMB} | ${load.name} | ${load.requestsPerSecond} | ${load.peakMB} | ${load.afterMB} |`);
    }
  }
  if (rows.some((row) => row.loads.some((load) => load.errors > 0))) {
    console.error("wrong answers under load");
    process.exitCode = 1;
  }
}

setTimeout(
  () => {
    console.error("memory-peak: time limit reached, stopping");
    process.exit(1);
  },
  (3 * 2 * (process.env.BENCH_COMPARE ? 2 : 1) * (warmupSeconds + durationSeconds + 20) + 120) * 1000,
).unref();

main().catch((error: unknown) => {
  console.error("memory-peak failed:", error);
  process.exit(1);
});
