import type { Redis } from "ioredis";
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from "rate-limiter-flexible";
import type { RedisHealth } from "./redis-health.js";
import { keys } from "./redis-keys.js";

/** The part of a rate-limiter-flexible limiter that budgets and the quota use. */
export interface PointsLimiter {
  /** Resolves when the points fit in `key`'s window; rejects with a RateLimiterRes when they do not. */
  consume(key: string, points: number): Promise<RateLimiterRes>;
  reward(key: string, points: number): Promise<RateLimiterRes>;
}

export interface LimiterOptions {
  /** Names the limiter's keys (in Redis: keys.limiter). */
  keyPrefix: string;
  points: number;
  durationSeconds: number;
}

/**
 * The one factory of the gateway's points limiters (caller budgets, the plan's quota): in this process without
 * Redis, shared with it (sharedLimiter).
 */
export function pointsLimiter(options: LimiterOptions, shared: { redis: Redis; health: RedisHealth } | null): PointsLimiter {
  return shared ? sharedLimiter(options, shared.redis, shared.health) : localLimiter(options);
}

function localLimiter(options: LimiterOptions): RateLimiterMemory {
  return new RateLimiterMemory({ keyPrefix: options.keyPrefix, points: options.points, duration: options.durationSeconds });
}

/**
 * Points per fixed window counted in Redis (one atomic Lua script per call, so replicas share them) while Redis
 * answers, and in this process while RedisHealth says it does not: unshared for the outage, never unlimited. Asking
 * the health first (rather than rate-limiter-flexible's insurance limiter, which tries Redis on every call) is what
 * keeps a slow Redis from costing every request REDIS_TIMEOUT_MS once per limiter: the first failure degrades
 * them all until the health probe finds Redis back. A window counted in Redis after a failover is whatever the
 * promoted replica had received: at worst a reset.
 */
function sharedLimiter(options: LimiterOptions, redis: Redis, health: RedisHealth): PointsLimiter {
  const local = localLimiter(options);
  const shared = new RateLimiterRedis({
    storeClient: redis,
    keyPrefix: keys.limiter(options.keyPrefix),
    points: options.points,
    duration: options.durationSeconds,
    rejectIfRedisNotReady: true,
  });
  const either =
    (method: "consume" | "reward") =>
    async (key: string, points: number): Promise<RateLimiterRes> => {
      if (health.degraded) return local[method](key, points);
      try {
        return await health.bounded(shared[method](key, points));
      } catch (outcome) {
        if (outcome instanceof RateLimiterRes) throw outcome;
        health.failed(outcome);
        return local[method](key, points);
      }
    };
  return { consume: either("consume"), reward: either("reward") };
}
