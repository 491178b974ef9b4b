import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { BenchChild } from "./children.js";
import { runLane, type LaneResult } from "./lane-runner.js";
import { referenceBody, TRUSTED_BENCH_DOCUMENTS, trustedManifest, trustedRequest } from "./lanes.js";

/**
 * What the gateway's own observability costs, in one run: the trusted page (by id, cache off, production, auth and
 * budget off, as the bench's `trusted` lane) on four gateways that differ in one setting each:
 *   info           the reference: LOG_LEVEL=info (one operation line per request), tracing off
 *   warn           LOG_LEVEL=warn: the operation line is not written (its cost is info - warn)
 *   tracing 0%     OTEL_TRACES_SAMPLER=always_off, OTLP to a sink: what every unsampled request pays
 *   tracing 10%    OTEL_TRACES_SAMPLER=parentbased_traceidratio, OTEL_TRACES_SAMPLER_ARG=0.1, OTLP to a sink
 *   tracing on     OTEL_TRACES_SAMPLER=always_on, OTLP to the same sink
 * The lanes run in rounds (every gateway once per round), so drift on the shared cores hits them alike; the figure to
 * read is the serving process's CPU per request, as a ratio to the reference of the same round.
 *
 *   npm run build:tools && node dist/test/bench/observability-cost.js
 *   BENCH_VARIANTS="warn,tracing 10%" runs only those beside the reference (info).
 *   BENCH_PROFILE_DIR=dir  each gateway under `node --cpu-prof`, its profile written there as <variant>.cpuprofile.
 *   BENCH_COMPARE=dir      the same gateways also from another build (dir: its dist/test/bench, after `npm run
 *                          build:tools` there), in the same rounds: before and after a change, in one run.
 *   BENCH_ROUNDS (2), BENCH_CONNECTIONS (32), BENCH_WARMUP (2) and BENCH_DURATION (8) seconds.
 */
const number = (name: string, fallback: number) => (process.env[name] ? Number(process.env[name]) : fallback);
const rounds = number("BENCH_ROUNDS", 2);
const connections = number("BENCH_CONNECTIONS", 32);
const profileDir = process.env.BENCH_PROFILE_DIR;
const compareDir = process.env.BENCH_COMPARE;
const settings = { warmupSeconds: number("BENCH_WARMUP", 2), durationSeconds: number("BENCH_DURATION", 8) };

interface Variant {
  name: string;
  env: Record<string, string>;
  traced: boolean;
}

const ALL_VARIANTS: Variant[] = [
  { name: "info", env: { LOG_LEVEL: "info" }, traced: false },
  { name: "warn", env: { LOG_LEVEL: "warn" }, traced: false },
  { name: "tracing 0%", env: { OTEL_TRACES_SAMPLER: "always_off" }, traced: true },
  { name: "tracing 10%", env: { OTEL_TRACES_SAMPLER: "parentbased_traceidratio", OTEL_TRACES_SAMPLER_ARG: "0.1" }, traced: true },
  { name: "tracing on", env: { OTEL_TRACES_SAMPLER: "always_on" }, traced: true },
];
const only = process.env.BENCH_VARIANTS?.split(",").map((name) => name.trim());
// The reference (info) always runs: every ratio is to it.
const VARIANTS = ALL_VARIANTS.filter((variant, index) => index === 0 || !only || only.includes(variant.name));

setTimeout(
  () => {
    console.error("observability-cost: time limit reached, stopping");
    process.exit(1);
  },
  (rounds * VARIANTS.length * (compareDir ? 2 : 1) * (settings.warmupSeconds + settings.durationSeconds + 15) + 120) * 1000,
).unref();

interface Build {
  label: string;
  start: typeof BenchChild.start;
}

interface Lane {
  build: Build;
  variant: Variant;
  gateway: BenchChild;
  results: LaneResult[];
}

async function main(): Promise<void> {
  const children: BenchChild[] = [];
  const manifestDir = mkdtempSync(join(tmpdir(), "bench-observability-"));
  try {
    const builds: Build[] = [{ label: "this build", start: (...args) => BenchChild.start(...args) }];
    if (compareDir) {
      const other = (await import(pathToFileURL(join(resolve(compareDir), "children.js")).href)) as { BenchChild: typeof BenchChild };
      builds.push({ label: basename(resolve(compareDir, "../../..")), start: (...args) => other.BenchChild.start(...args) });
    }
    const emulator = await BenchChild.start("emulator");
    children.push(emulator);
    const sink = await BenchChild.start("otlp");
    children.push(sink);
    const manifest = join(manifestDir, "persisted-documents.json");
    writeFileSync(manifest, trustedManifest(TRUSTED_BENCH_DOCUMENTS));
    const base = {
      UPSTREAM_URL: emulator.url,
      UPSTREAM_APP_ID: String(emulator.detail.appId),
      UPSTREAM_APP_TOKEN: String(emulator.detail.appToken),
      NODE_ENV: "production",
      AUTH_DISABLED: "true",
      CALLER_BUDGET_PER_MINUTE: "0",
      CACHE_HOLDERS_TTL_MS: "0",
      CACHE_CUSTOMERS_TTL_MS: "0",
      TRUSTED_DOCUMENTS: manifest,
    };
    const tracingEnv = { OTEL_EXPORTER_OTLP_ENDPOINT: sink.url, OTEL_SERVICE_NAME: "bench-gateway" };
    const lanes: Lane[] = [];
    for (const [index, build] of builds.entries()) {
      for (const variant of VARIANTS) {
        const name = `${variant.name.replace(/\W+/g, "-")}${index > 0 ? `-${index}` : ""}.cpuprofile`;
        const profile = profileDir ? ["--cpu-prof", "--cpu-prof-dir", profileDir, "--cpu-prof-name", name] : [];
        const gateway = await build.start("gateway", { ...base, ...(variant.traced ? tracingEnv : {}), ...variant.env }, profile);
        children.push(gateway);
        lanes.push({ build, variant, gateway, results: [] });
      }
    }
    const request = trustedRequest(TRUSTED_BENCH_DOCUMENTS[0]);
    const expected = await referenceBody(lanes[0].gateway.url, request, 10);
    for (const lane of lanes.slice(1)) {
      if ((await referenceBody(lane.gateway.url, request, 10)) !== expected) throw new Error("the gateways answered differently");
    }
    const cpu = (result: LaneResult) => result.front!.cpuMicrosPerRequest;
    // Each lane's CPU per request over the reference (info) of its build, same round.
    const ratio = (lane: Lane, round: number) => cpu(lane.results[round]) / cpu(lanes.find((l) => l.build === lane.build)!.results[round]);
    const labelOf = (lane: Lane) => (builds.length > 1 ? `${lane.variant.name} (${lane.build.label})` : lane.variant.name);
    for (let round = 0; round < rounds; round++) {
      for (const lane of lanes) {
        const result = await runLane({
          lane: "trusted",
          build: lane.build === builds[0] ? "current" : "baseline",
          pageSize: 10,
          baseUrl: lane.gateway.url,
          request,
          expectBody: expected,
          connections,
          settings,
          emulator,
          front: lane.gateway,
        });
        lane.results.push(result);
        console.log(
          `round ${round + 1} ${labelOf(lane).padEnd(24)} c=${connections} ${String(result.requestsPerSecond).padStart(6)} req/s  ` +
            `${String(cpu(result)).padStart(4)} µs CPU/req (${ratio(lane, round).toFixed(2)} × info)  ` +
            `p50 ${result.latencyMs.p50} p99 ${result.latencyMs.p99} ms  peak RSS ${result.front!.peakRssMB} MB  ` +
            `errors ${result.errors.total}`,
        );
      }
    }
    const exports = (await sink.stats()).requestsServed;
    console.log(`\nOTLP exports received by the sink: ${exports}`);
    console.log("\n| gateway | CPU µs/request (each round) | × info (each round) | req/s | peak RSS MB |");
    console.log("|---|---:|---:|---:|---:|");
    const mean = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / values.length;
    for (const lane of lanes) {
      console.log(
        `| ${labelOf(lane)} | ${lane.results.map(cpu).join(", ")} | ` +
          `${lane.results.map((_, round) => ratio(lane, round).toFixed(2)).join(", ")} | ` +
          `${Math.round(mean(lane.results.map((result) => result.requestsPerSecond)))} | ` +
          `${Math.max(...lane.results.map((result) => result.front!.peakRssMB))} |`,
      );
    }
    const wrong = lanes.flatMap((lane) => lane.results).filter((result) => result.errors.total > 0);
    const sampling = lanes.some((lane) => lane.variant.traced && lane.variant.env.OTEL_TRACES_SAMPLER !== "always_off");
    if (wrong.length > 0 || (sampling && exports === 0)) {
      console.error(wrong.length > 0 ? "wrong answers under load" : "the traced gateways exported nothing");
      process.exitCode = 1;
    }
  } finally {
    for (const child of children.reverse()) await child.stop();
    rmSync(manifestDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error("observability-cost failed:", error);
  process.exit(1);
});
