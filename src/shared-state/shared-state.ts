import { once } from "node:events";
import type { SharedStateConfig } from "../config.js";
import type { Logger } from "../observability/logger.js";
import type { GatewayMetrics } from "../observability/metrics.js";
import { AnswerCache } from "./answer-cache.js";
import { callerBudgetStore, type BudgetStore } from "./budget-store.js";
import { MemoryCacheStore, type CacheStore, type EntryKind, type RejectedReason } from "./cache-store.js";
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
  /** GraphQL answers kept whole; null when off (CACHE_ANSWERS_MAX_BYTES or CACHE_HOLDERS_TTL_MS is 0). */
  answers: AnswerCache | null;
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
  options: {
    callerBudgetPerMinute: number;
    logger: Logger;
    metrics: GatewayMetrics;
    /** The format of the answers kept whole: a digest of the schema they follow (src/operation/kept-answers.ts). */
    answerFormat: string;
    /** Milliseconds, for the caches' TTLs (tests move it); Date.now by default. */
    now?: () => number;
  },
): Promise<SharedState> {
  const { metrics, logger } = options;
  const now = options.now ?? Date.now;
  const events = {
    lookup: (cache: string, result: string) => metrics.cacheLookups.inc({ cache, result }),
    saved: (cache: string) => metrics.upstreamCallsSaved.inc({ cache }),
    invalidated: (scope: string) => metrics.cacheInvalidations.inc({ scope }),
  };
  const ttl = { holdersMs: config.holdersTtlMs, customersMs: config.customersTtlMs };
  const answersOn = config.holdersTtlMs > 0 && config.answersMaxBytes > 0;
  const caches = (store: CacheStore) => ({
    cache: new ReadCache(store, ttl, events, now),
    answers: answersOn ? new AnswerCache(store, { format: options.answerFormat, maxLifeMs: config.holdersTtlMs, now }) : null,
  });
  const onRefusal = (reason: string) => metrics.upstreamRefusals.inc({ reason });
  const redis = createRedisClient(config);
  if (!redis) {
    const bounds = {
      maxEntries: config.memoryMaxEntries,
      maxBytes: config.memoryMaxBytes,
      answersMaxBytes: answersOn ? config.answersMaxBytes : 0,
    };
    return {
      ...caches(new MemoryCacheStore(bounds, options.now)),
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
    ...caches(new RedisCacheStore(redis, health, server, rejectedEntries(logger, metrics))),
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

/**
 * An entry read back from Redis that was not used (another build's format, or corrupt): counted every time, logged
 * once per kind and reason for the life of the process (a rolling deploy would otherwise log one line per read).
 */
function rejectedEntries(logger: Logger, metrics: GatewayMetrics): (kind: EntryKind, reason: RejectedReason) => void {
  const logged = new Set<string>();
  return (kind, reason) => {
    metrics.cacheEntriesRejected.inc({ entry: kind, reason });
    const seen = `${kind}:${reason}`;
    if (logged.has(seen)) return;
    logged.add(seen);
    logger.warn(
      { entry: kind, reason },
      reason === "foreign"
        ? "A Redis entry written in another format (another build of the gateway) was read: treated as a miss"
        : "A corrupt Redis entry was read: treated as a miss",
    );
  };
}
