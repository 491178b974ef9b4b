import { onPath } from "../support/on-path.js";
import { startRedisServer, type RedisServer } from "../support/redis-server.js";
import { BenchChild } from "./children.js";
import type { LaneDefinition, LaneRequestKind } from "./lane-catalogue.js";
import { graphqlRequest, holdersQuery, restHoldersRequest, TRUSTED_BENCH_DOCUMENTS, trustedRequest, type LaneRequest } from "./lanes.js";
import type { Build } from "./lane-runner.js";

/** What every front of a run shares: the emulator's address and credentials, the gateways' settings. */
export interface FrontContext {
  emulator: BenchChild;
  credentials: { appId: string; appToken: string };
  /** UPSTREAM_* for the proxy, the floor and the gateways. */
  upstreamEnv: Record<string, string>;
  /** Every gateway's settings: production, authentication and the caller budget off, trusted documents. */
  gatewayEnv: Record<string, string>;
  /** Extra node flags for gateways (BENCH_GATEWAY_FLAGS). */
  gatewayFlags: string[];
  /** The root of the baseline build (BENCH_BASELINE), for lanes run on it. */
  baselineRoot?: string;
}

/** A lane's server, and what was started for it alone (Redis, the OTLP sink), stopped with it. */
export interface LaneFront {
  url: string;
  /** The process whose CPU and memory the lane reports; null for direct REST. */
  front: BenchChild | null;
  redisPid?: number;
  /** The OTLP sink of a traced lane: its request count shows that spans did flow. */
  sink?: BenchChild;
  stop(): Promise<void>;
}

/** The read cache off: these lanes measure the gateway's cost per upstream call. */
const CACHE_OFF = { CACHE_HOLDERS_TTL_MS: "0", CACHE_CUSTOMERS_TTL_MS: "0" };

export class LaneSkipped extends Error {}

/** How to start a front other than plainly: under a wrapper command (valgrind), given longer to start. */
export interface FrontStart {
  wrapper?: string[];
  startTimeoutMs?: number;
}

/** Starts what answers `lane` (on `build`'s code, for gateways). Throws LaneSkipped when a server it needs is missing. */
export async function startFront(lane: LaneDefinition, build: Build, context: FrontContext, how: FrontStart = {}): Promise<LaneFront> {
  const { emulator } = context;
  if (lane.front === "direct") return { url: emulator.url, front: null, stop: async () => {} };
  if (lane.front === "proxy" || lane.front === "floor") {
    const child = await BenchChild.start(lane.front, context.upstreamEnv, [], undefined, how.wrapper, how.startTimeoutMs);
    return { url: child.url, front: child, stop: () => child.stop() };
  }
  const started: Array<{ stop(): Promise<void> }> = [];
  const stopAll = async () => {
    for (const part of started.reverse()) await part.stop();
  };
  try {
    const env: Record<string, string> = { ...context.gatewayEnv, ...(lane.cache ? {} : CACHE_OFF) };
    let redis: RedisServer | undefined;
    if (lane.cache === "redis") {
      const binary = onPath("redis-server");
      if (!binary) throw new LaneSkipped("redis-server is not on PATH (Debian: apt-get install -y redis-server)");
      redis = await startRedisServer(binary);
      started.push(redis);
      env.REDIS_URL = redis.url;
    }
    let sink: BenchChild | undefined;
    if (lane.tracing) {
      sink = await BenchChild.start("otlp");
      started.push(sink);
      Object.assign(env, {
        OTEL_EXPORTER_OTLP_ENDPOINT: sink.url,
        OTEL_SERVICE_NAME: "bench-gateway",
        OTEL_TRACES_SAMPLER: lane.tracing.sampler,
        ...(lane.tracing.sampler === "always_on" ? {} : { OTEL_TRACES_SAMPLER_ARG: String(lane.tracing.ratio) }),
      });
    }
    Object.assign(env, lane.env);
    const baselineRoot = build === "baseline" ? context.baselineRoot : undefined;
    const gateway = await BenchChild.start("gateway", env, context.gatewayFlags, baselineRoot, how.wrapper, how.startTimeoutMs);
    started.push(gateway);
    return { url: gateway.url, front: gateway, redisPid: redis?.pid, sink, stop: stopAll };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

/** What a lane sends. */
export function laneRequest(kind: LaneRequestKind, credentials: FrontContext["credentials"]): LaneRequest {
  const [page, pageWithCustomers] = TRUSTED_BENCH_DOCUMENTS;
  switch (kind) {
    case "rest":
      return restHoldersRequest(credentials);
    case "page":
      return graphqlRequest(holdersQuery(10));
    case "page+customers":
      return graphqlRequest(holdersQuery(10, true));
    case "trusted page":
      return trustedRequest(page);
    case "trusted page+customers":
      return trustedRequest(pageWithCustomers);
  }
}
