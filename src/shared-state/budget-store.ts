import type { Redis } from "ioredis";
import { RateLimiterRes } from "rate-limiter-flexible";
import type { RedisHealth } from "./redis-health.js";
import { pointsLimiter, type PointsLimiter } from "./shared-limiter.js";

export type BudgetDecision = { allowed: true; remaining: number } | { allowed: false; retryAfterMs: number };

/**
 * Per-key budgets of points per fixed window (a caller's estimated upstream calls per minute). One interface, two
 * homes: in-process for one replica, shared through Redis for several (both are rate-limiter-flexible limiters, so
 * the counting rules are the same library's, not two hand-written copies).
 */
export interface BudgetStore {
  /** Spends `points` of `key`'s budget, or spends nothing and says when the window resets. */
  spend(key: string, points: number): Promise<BudgetDecision>;
}

/** A BudgetStore over any rate-limiter-flexible limiter. */
export class LimiterBudgetStore implements BudgetStore {
  constructor(private readonly limiter: PointsLimiter) {}

  async spend(key: string, points: number): Promise<BudgetDecision> {
    try {
      const result = await this.limiter.consume(key, points);
      return { allowed: true, remaining: result.remainingPoints };
    } catch (rejection) {
      if (!(rejection instanceof RateLimiterRes)) throw rejection;
      // consume() counts refused points too; give them back, or one refused large operation would also refuse the
      // small ones the rest of the window could still afford.
      await this.limiter.reward(key, points);
      return { allowed: false, retryAfterMs: rejection.msBeforeNext };
    }
  }
}

/**
 * A caller's estimated upstream calls per minute: in this process for one replica; with Redis, shared by replicas
 * (one atomic Lua script per spend) and counted in this process while Redis cannot answer (pointsLimiter).
 */
export function callerBudgetStore(pointsPerMinute: number, shared: { redis: Redis; health: RedisHealth } | null): BudgetStore {
  return new LimiterBudgetStore(pointsLimiter({ keyPrefix: "caller-budget", points: pointsPerMinute, durationSeconds: 60 }, shared));
}
