import { randomBytes } from "node:crypto";
import { fileURLToPath } from "node:url";
import { SEED } from "../../src/emulator/seed.js";
import { startEmulator, type EmulatorHandle } from "../../src/emulator/emulator.js";
import { freePort } from "../support/redis-server.js";
import { runCommand } from "../support/child-process.js";
import { startGatewayProcess, type GatewayProcess } from "../support/gateway-process.js";
import { graphql } from "../support/stack.js";
import { startOtlpReceiver, type OtlpReceiver } from "./otlp-receiver.js";
import { upstreamEnv } from "../support/process-env.js";

// The OTEL_* settings as a process sees them: what is loaded without an endpoint, what each sampler exports, and
// what a bad value does. Each gateway is its own process (the API's globals are per process).

const PAGE = `query SettingsPage { referralMember(memberId: "${SEED.code}") { holders(first: 2) { totalCount } } }`;
const PROBE = fileURLToPath(new URL("./fixtures/otel-probe.mjs", import.meta.url));

interface Probe {
  packages: string[];
  registered: string[];
}

function probeOf(replica: GatewayProcess): Probe {
  const line = replica
    .output()
    .split("\n")
    .find((text) => text.startsWith("otel-probe "));
  if (!line) throw new Error(`no probe line in: ${replica.output()}`);
  return JSON.parse(line.slice("otel-probe ".length)) as Probe;
}

const traceparent = (flags: "00" | "01") => {
  const traceId = randomBytes(16).toString("hex");
  return { traceId, header: `00-${traceId}-${randomBytes(8).toString("hex")}-${flags}` };
};

describe("tracing settings, per process", () => {
  let emulator: EmulatorHandle;
  let receiver: OtlpReceiver;
  const started: GatewayProcess[] = [];

  beforeAll(async () => {
    emulator = await startEmulator({ dbFile: ":memory:" });
    receiver = await startOtlpReceiver();
  });

  afterAll(async () => {
    for (const replica of started) await replica.stop();
    await receiver?.close();
    await emulator?.stop();
  });

  async function gateway(extra: Record<string, string>): Promise<GatewayProcess> {
    const replica = await startGatewayProcess({
      ...upstreamEnv(emulator),
      AUTH_DISABLED: "true",
      NODE_OPTIONS: `--import=${PROBE}`,
      ...extra,
    });
    started.push(replica);
    return replica;
  }

  async function ask(replica: GatewayProcess, headers: Record<string, string> = {}): Promise<void> {
    const result = await graphql(replica.graphqlUrl, PAGE, undefined, headers);
    expect(result.data).toEqual({ referralMember: { holders: { totalCount: SEED.refereeCount + 1 } } });
  }

  const spansOf = (service: string) => receiver.spans.filter((span) => span.resource["service.name"] === service);

  test("without an endpoint: 'Tracing: off', no OpenTelemetry SDK module loaded, nothing registered, no traceparent sent", async () => {
    const replica = await gateway({});
    emulator.resetRequests();
    await ask(replica, { traceparent: traceparent("01").header });
    await replica.stop();
    expect(replica.output()).toContain("Tracing: off");
    const probe = probeOf(replica);
    expect(probe.packages.filter((name) => name !== "api")).toEqual([]);
    expect(probe.registered).toEqual([]);
    expect(emulator.requests.length).toBeGreaterThan(0);
    expect(emulator.requests.filter((request) => request.traceparent !== undefined)).toEqual([]);
  });

  test("OTEL_SDK_DISABLED=true wins over an endpoint: off, nothing loaded", async () => {
    const replica = await gateway({ OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_SDK_DISABLED: "true", OTEL_SERVICE_NAME: "disabled" });
    await ask(replica);
    await replica.stop();
    expect(replica.output()).toContain("Tracing: off");
    expect(probeOf(replica).packages.filter((name) => name !== "api")).toEqual([]);
    expect(spansOf("disabled")).toEqual([]);
  });

  test("parent-based by default: a caller's unsampled trace is not exported but still propagated; a new trace is", async () => {
    // Credentials in the collector URL are never printed.
    const withCredentials = receiver.url.replace("http://", "http://collector-user:collector-password@");
    const replica = await gateway({ OTEL_EXPORTER_OTLP_ENDPOINT: withCredentials, OTEL_SERVICE_NAME: "parent-based" });
    const unsampled = traceparent("00");
    emulator.resetRequests();
    await ask(replica, { traceparent: unsampled.header });
    const forwarded = emulator.requests.map((request) => request.traceparent);
    await ask(replica);
    await replica.stop();

    expect(replica.output()).toContain(`Tracing: OTLP to ${receiver.url}/v1/traces (sampler parentbased_always_on)`);
    expect(replica.output()).not.toContain("collector-password");
    // The SDK was loaded (the probe sees it: the control for the "nothing loaded" tests above).
    expect(probeOf(replica).packages).toEqual(expect.arrayContaining(["sdk-trace-node", "exporter-trace-otlp-proto"]));
    const spans = spansOf("parent-based");
    expect(spans.filter((span) => span.traceId === unsampled.traceId)).toEqual([]);
    expect(new Set(spans.map((span) => span.traceId)).size).toBe(1);
    expect(spans.some((span) => span.name === "query SettingsPage")).toBe(true);
    // The caller's decision travels on: the upstream got its trace id, flagged unsampled.
    expect(forwarded.length).toBeGreaterThan(0);
    for (const header of forwarded) expect(header).toMatch(new RegExp(`^00-${unsampled.traceId}-[0-9a-f]{16}-00$`));
  });

  test("always_off exports nothing, even for a caller's sampled trace; traceidratio 0 neither", async () => {
    const off = await gateway({
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      OTEL_SERVICE_NAME: "always-off",
      OTEL_TRACES_SAMPLER: "always_off",
    });
    const ratio = await gateway({
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      OTEL_SERVICE_NAME: "ratio-zero",
      OTEL_TRACES_SAMPLER: "traceidratio",
      OTEL_TRACES_SAMPLER_ARG: "0",
    });
    await ask(off, { traceparent: traceparent("01").header });
    await ask(off);
    await ask(ratio);
    await Promise.all([off.stop(), ratio.stop()]);
    expect(off.output()).toContain("(sampler always_off)");
    expect(ratio.output()).toContain("(sampler traceidratio 0)");
    expect(spansOf("always-off")).toEqual([]);
    expect(spansOf("ratio-zero")).toEqual([]);
  });

  test("a collector that cannot be reached: one warning, no URL in it, and requests are served as ever", async () => {
    const unreachable = `http://user:collector-secret@127.0.0.1:${await freePort()}`;
    // The SDK's own settings pass through: a short export timeout (its retries included) and batch delay.
    const replica = await gateway({
      OTEL_EXPORTER_OTLP_ENDPOINT: unreachable,
      OTEL_BSP_SCHEDULE_DELAY: "50",
      OTEL_EXPORTER_OTLP_TIMEOUT: "500",
    });
    await ask(replica);
    await ask(replica);
    await replica.stop();
    const warnings = replica
      .output()
      .split("\n")
      .filter((line) => line.includes("trace export failed"));
    expect(warnings).toHaveLength(1);
    expect(JSON.parse(warnings[0])).toMatchObject({ level: 40, errorName: expect.any(String) });
    expect(replica.output()).not.toContain("collector-secret");
  });

  test("bad settings stop the start: exit 2, one line per problem, no header value echoed", async () => {
    const { status, stderr } = await runCommand(process.execPath, ["dist/src/main.js"], {
      env: {
        OTEL_EXPORTER_OTLP_ENDPOINT: "not a url",
        OTEL_EXPORTER_OTLP_HEADERS: "x-api-key",
        OTEL_TRACES_SAMPLER: "parentbased_traceidratio",
        OTEL_TRACES_SAMPLER_ARG: "1.5",
      },
    });
    expect(status).toBe(2);
    expect(stderr).toContain("OTEL_EXPORTER_OTLP_ENDPOINT is not a URL");
    expect(stderr).toContain("OTEL_EXPORTER_OTLP_HEADERS must be key=value pairs");
    expect(stderr).toContain('OTEL_TRACES_SAMPLER_ARG must be a number from 0 to 1 for parentbased_traceidratio; got "1.5"');
    expect(stderr).not.toContain("x-api-key");
  });
});
