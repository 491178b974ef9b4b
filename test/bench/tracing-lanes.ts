import { BenchChild } from "./children.js";
import type { LaneName } from "./lane-runner.js";

/**
 * Lanes with tracing on: each is the same request as its twin (the lane named here), sent to a second gateway that
 * traces every request (OTEL_TRACES_SAMPLER=always_on) and exports to a sink the bench runs. The twin runs on the
 * gateway without an endpoint (tracing off, no SDK loaded). Another path's traced lane is one more entry here.
 */
export const TRACED_LANES: Partial<Record<LaneName, LaneName>> = {
  "gateway+tracing": "gateway",
  "trusted+tracing": "trusted",
};

export function isTracedLane(lane: LaneName): boolean {
  return lane in TRACED_LANES;
}

/** The sink and the traced gateway (started with the untraced gateway's env plus the OTEL_* settings). */
export async function startTracedGateway(
  gatewayEnv: Record<string, string>,
  execArgv: string[],
): Promise<{ sink: BenchChild; gateway: BenchChild }> {
  const sink = await BenchChild.start("otlp");
  try {
    const gateway = await BenchChild.start(
      "gateway",
      { ...gatewayEnv, OTEL_EXPORTER_OTLP_ENDPOINT: sink.url, OTEL_TRACES_SAMPLER: "always_on", OTEL_SERVICE_NAME: "bench-gateway" },
      execArgv,
    );
    return { sink, gateway };
  } catch (error) {
    await sink.stop();
    throw error;
  }
}

/** CPU per request with tracing on ÷ off, per concurrency (the target: at most 1.15). */
export function tracingOverhead(
  lanes: { lane: LaneName; connections: number; front: { cpuMicrosPerRequest: number } | null }[],
): { lane: LaneName; connections: number; cpuRatio: number }[] {
  return lanes.flatMap((traced) => {
    const twin = TRACED_LANES[traced.lane];
    const off = twin && lanes.find((l) => l.lane === twin && l.connections === traced.connections);
    if (!off?.front || !traced.front) return [];
    return [
      {
        lane: traced.lane,
        connections: traced.connections,
        cpuRatio: Math.round((traced.front.cpuMicrosPerRequest / off.front.cpuMicrosPerRequest) * 100) / 100,
      },
    ];
  });
}
