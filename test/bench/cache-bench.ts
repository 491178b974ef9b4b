import { loadConfig } from "../../src/config.js";
import { BenchChild } from "./children.js";
import { runCacheLane, type CacheLaneResult, type CacheVariant } from "./cache-lanes.js";
import type { LaneSettings } from "./lane-runner.js";
import { onPath } from "../support/on-path.js";
import { startRedisServer, type RedisServer } from "../support/redis-server.js";

export interface CacheBenchResults {
  /** Gateway defaults: the lanes measure the cache as shipped. */
  holdersTtlMs: number;
  customersTtlMs: number;
  lanes: CacheLaneResult[];
  /** Why the Redis lanes did not run, when they did not. */
  redisSkipped: string | null;
}

const { holdersTtlMs: DEFAULT_HOLDERS_TTL_MS, customersTtlMs: DEFAULT_CUSTOMERS_TTL_MS } = loadConfig({ PORT: "0" }).sharedState;
const VARIANTS: CacheVariant[] = ["holders", "customer"];

/**
 * The cache lanes: (a) one gateway with the cache on (default TTLs, in-process), (b) two gateway replicas sharing
 * one Redis the bench starts itself (free port, no persistence) and stops. Both read the same 10-holder page as the
 * uncached lanes, from the same emulator.
 */
export async function runCacheBench(options: {
  emulator: BenchChild;
  gatewayEnv: Record<string, string>;
  connections: number;
  settings: LaneSettings;
  only: (lane: "cached" | "redis") => boolean;
  print: (result: CacheLaneResult) => void;
}): Promise<CacheBenchResults> {
  const { emulator, connections, settings } = options;
  // The cache as shipped: no CACHE_* overrides, whatever the uncached lanes set.
  const { CACHE_HOLDERS_TTL_MS: _h, CACHE_CUSTOMERS_TTL_MS: _c, ...env } = options.gatewayEnv;
  const lanes: CacheLaneResult[] = [];
  const common = { emulator, connections, settings, holdersTtlMs: DEFAULT_HOLDERS_TTL_MS };
  const started: BenchChild[] = [];
  let redis: RedisServer | null = null;
  let redisSkipped: string | null = null;
  try {
    if (options.only("cached")) {
      const gateway = await BenchChild.start("gateway", env);
      started.push(gateway);
      for (const variant of VARIANTS) {
        const result = await runCacheLane({ ...common, setup: "in-process cache", variant, fronts: [gateway] });
        options.print(result);
        lanes.push(result);
      }
      await gateway.stop();
    }
    if (options.only("redis")) {
      const binary = onPath("redis-server");
      if (!binary) {
        redisSkipped = "redis-server is not on PATH (Debian: apt-get install -y redis-server); the Redis lanes were skipped";
        console.log(`bench: ${redisSkipped}`);
      } else {
        redis = await startRedisServer(binary);
        const replicaEnv = { ...env, REDIS_URL: redis.url };
        const replicas = await Promise.all([0, 1].map(() => BenchChild.start("gateway", replicaEnv)));
        started.push(...replicas);
        for (const variant of VARIANTS) {
          const result = await runCacheLane({ ...common, setup: "2 replicas on Redis", variant, fronts: replicas, redisPid: redis.pid });
          options.print(result);
          lanes.push(result);
        }
      }
    }
  } finally {
    for (const child of started.reverse()) await child.stop();
    await redis?.stop();
  }
  return { holdersTtlMs: DEFAULT_HOLDERS_TTL_MS, customersTtlMs: DEFAULT_CUSTOMERS_TTL_MS, lanes, redisSkipped };
}
