import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
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
 *   BENCH_ROUNDS (2), BENCH_CONNECTIONS (32), BENCH_WARMUP (2) and BENCH_DURATION (8) seconds.
 */
const number = (name: string, fallback: number) => (process.env[name] ? Number(process.env[name]) : fallback);
const rounds = number("BENCH_ROUNDS", 2);
const connections = number("BENCH_CONNECTIONS", 32);
const profileDir = process.env.BENCH_PROFILE_DIR;
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
  (rounds * VARIANTS.length * (settings.warmupSeconds + settings.durationSeconds + 15) + 120) * 1000,
).unref();

async function main(): Promise<void> {
  const children: BenchChild[] = [];
  const manifestDir = mkdtempSync(join(tmpdir(), "bench-observability-"));
  try {
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
    const gateways: BenchChild[] = [];
    for (const variant of VARIANTS) {
      const profile = profileDir
        ? ["--cpu-prof", "--cpu-prof-dir", profileDir, "--cpu-prof-name", `${variant.name.replace(/\W+/g, "-")}.cpuprofile`]
        : [];
      const gateway = await BenchChild.start("gateway", { ...base, ...(variant.traced ? tracingEnv : {}), ...variant.env }, profile);
      children.push(gateway);
      gateways.push(gateway);
    }
    const request = trustedRequest(TRUSTED_BENCH_DOCUMENTS[0]);
    const expected = await referenceBody(gateways[0].url, request, 10);
    for (const gateway of gateways.slice(1)) {
      if ((await referenceBody(gateway.url, request, 10)) !== expected) throw new Error("the gateways answered differently");
    }
    const results: LaneResult[][] = VARIANTS.map(() => []);
    for (let round = 1; round <= rounds; round++) {
      for (const [index, variant] of VARIANTS.entries()) {
        const result = await runLane({
          lane: "trusted",
          pageSize: 10,
          baseUrl: gateways[index].url,
          request,
          expectBody: expected,
          connections,
          settings,
          emulator,
          front: gateways[index],
        });
        results[index].push(result);
        const front = result.front!;
        const ratio = front.cpuMicrosPerRequest / results[0][round - 1].front!.cpuMicrosPerRequest;
        console.log(
          `round ${round} ${variant.name.padEnd(12)} c=${connections} ${String(result.requestsPerSecond).padStart(6)} req/s  ` +
            `${String(front.cpuMicrosPerRequest).padStart(4)} µs CPU/req (${ratio.toFixed(2)} × info)  ` +
            `p50 ${result.latencyMs.p50} p99 ${result.latencyMs.p99} ms  peak RSS ${front.peakRssMB} MB  ` +
            `errors ${result.errors.total}`,
        );
      }
    }
    const exports = (await sink.stats()).requestsServed;
    console.log(`\nOTLP exports received by the sink: ${exports}`);
    console.log("\n| gateway | CPU µs/request (per round) | × info | req/s | peak RSS MB |");
    console.log("|---|---:|---:|---:|---:|");
    const cpu = (lane: LaneResult) => lane.front!.cpuMicrosPerRequest;
    const mean = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / values.length;
    for (const [index, variant] of VARIANTS.entries()) {
      const lanes = results[index];
      const ratios = lanes.map((lane, round) => cpu(lane) / cpu(results[0][round]));
      console.log(
        `| ${variant.name} | ${lanes.map(cpu).join(", ")} | ${ratios.map((r) => r.toFixed(2)).join(", ")} | ` +
          `${Math.round(mean(lanes.map((lane) => lane.requestsPerSecond)))} | ${Math.max(...lanes.map((lane) => lane.front!.peakRssMB))} |`,
      );
    }
    const wrong = results.flat().filter((lane) => lane.errors.total > 0);
    if (wrong.length > 0 || exports === 0) {
      console.error(exports === 0 ? "the traced gateways exported nothing" : "wrong answers under load");
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
