import { once } from "node:events";
import type { SharedStateConfig } from "../config.js";
import type { Logger } from "../observability/logger.js";
import type { GatewayMetrics } from "../observability/metrics.js";
import { callerBudgetStore, type BudgetStore } from "./budget-store.js";
import { MemoryCacheStore } from "./cache-store.js";
import { RedisCacheStore } from "./redis-cache-store.js";
import { createRedisClient, reconnectOnEnd } from "./redis-client.js";
import { RedisHealth } from "./redis-health.js";
import { RedisServerIdentity } from "./redis-server-identity.js";
import { ReadCache } from "./read-cache.js";
import { SharedUpstreamGate, type UpstreamGate } from "./upstream-gate.js";

/** Longest a starting gateway waits for Redis; without it, it starts degraded and connects when Redis appears. */
const CONNECT_WAIT_MS = 2000;

export interface SharedState {
  cache: ReadCache;
  gate: UpstreamGate;
  /** Per-caller budgets; null when CALLER_BUDGET_PER_MINUTE is 0. */
  budget: BudgetStore | null;
  /** For /readyz: where the stores live, and whether Redis answers. */
  status(): "in-process" | "shared" | "degraded";
  close(): Promise<void>;
}

/**
 * The stores replicas share: in Redis with REDIS_URL or REDIS_SENTINELS, otherwise in this process (same rules,
 * bounded memory).
 */
export async function createSharedState(
  config: SharedStateConfig,
  options: { callerBudgetPerMinute: number; logger: Logger; metrics: GatewayMetrics },
): Promise<SharedState> {
  const { metrics, logger } = options;
  const events = {
    lookup: (cache: string, result: string) => metrics.cacheLookups.inc({ cache, result }),
    saved: (cache: string) => metrics.upstreamCallsSaved.inc({ cache }),
    invalidated: (scope: string) => metrics.cacheInvalidations.inc({ scope }),
  };
  const ttl = { holdersMs: config.holdersTtlMs, customersMs: config.customersTtlMs };
  const onRefusal = (reason: string) => metrics.upstreamRefusals.inc({ reason });
  const redis = createRedisClient(config);
  if (!redis) {
    return {
      cache: new ReadCache(new MemoryCacheStore({ maxEntries: config.memoryMaxEntries, maxBytes: config.memoryMaxBytes }), ttl, events),
      gate: new SharedUpstreamGate(config, null, null, onRefusal),
      budget: options.callerBudgetPerMinute > 0 ? callerBudgetStore(options.callerBudgetPerMinute, null) : null,
      status: () => "in-process",
      close: async () => {},
    };
  }
  const health = new RedisHealth(redis, logger, config.redisTimeoutMs);
  health.onFailure(() => metrics.sharedStateErrors.inc());
  health.onChange((degraded) => metrics.sharedStateDegraded.set(degraded ? 1 : 0));
  // ioredis reports every failed reconnect as an "error" event; the health tracker logs once per outage.
  redis.on("error", (error) => health.failed(error));
  const server = new RedisServerIdentity(
    redis,
    (error) => health.failed(error),
    (previous, current) =>
      logger.warn({ previous, current }, "Redis is another server now (a failover or a restart): the shared cache starts cold"),
  );
  health.onRecover(async () => {
    if (server.current === null) await server.learn();
  });
  // A closed connection is an outage even when no command failed (a switch to a promoted master announced by the
  // sentinels): writes through other replicas may have gone unrecorded meanwhile, so the cache waits to settle.
  let closing = false;
  redis.on("close", () => closing || health.failed(new Error("the connection to Redis closed")));
  redis.on("ready", () => void health.probeNow());
  reconnectOnEnd(redis, () => closing);
  const ready = once(redis, "ready").then(() => true);
  const timeout = new Promise<boolean>((resolve) => setTimeout(() => resolve(false), CONNECT_WAIT_MS).unref());
  if (!(await Promise.race([ready, timeout]))) health.failed(new Error("Redis did not answer at start-up"));
  ready.catch(() => {});
  return {
    cache: new ReadCache(new RedisCacheStore(redis, health, server), ttl, events),
    gate: new SharedUpstreamGate(config, redis, health, onRefusal),
    budget: options.callerBudgetPerMinute > 0 ? callerBudgetStore(options.callerBudgetPerMinute, { redis, health }) : null,
    status: () => (health.degraded ? "degraded" : "shared"),
    async close() {
      closing = true;
      health.close();
      redis.disconnect();
    },
  };
}
