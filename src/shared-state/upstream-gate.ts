import type { Redis } from "ioredis";
import { RateLimiterRes } from "rate-limiter-flexible";
import { RateLimitGuard } from "./rate-limit-guard.js";
import { keys } from "./redis-keys.js";
import type { RedisHealth } from "./redis-health.js";
import { traceRedisCommand } from "../observability/cache-span.js";
import { pointsLimiter, type PointsLimiter } from "./shared-limiter.js";
import { secondsToWait } from "../lib/wait-seconds.js";

/**
 * Admission of upstream calls per tenant, shared by replicas: after a 429 (or X-Rate-Limit-Remaining: 0) every
 * replica refuses until the upstream's retry time, and with VOUCHERIFY_QUOTA_PER_MINUTE all replicas together
 * never send more than the plan allows: they refuse (RATE_LIMITED for clients) instead of earning a 429. A refusal is
 * returned, not thrown: the data source turns it into its typed error (UpstreamRateLimitedError).
 */
export interface UpstreamGate {
  /** Null when a call may go out (it spends one unit of the quota); otherwise why not, and for how long. */
  admit(tenant: string): Promise<GateRefusal | null>;
  /**
   * The last word just before an admitted call leaves (it may have waited for a connection meanwhile): synchronous,
   * from what this replica knows (its own and the shared back-offs it has seen), never a Redis round trip.
   */
  heldBack(tenant: string): GateRefusal | null;
  /** The upstream said to wait this long (a 429, or X-Rate-Limit-Remaining: 0). The one place back-off is recorded. */
  backOff(tenant: string, seconds: number): Promise<void>;
}

export type RefusalReason = "backoff" | "quota";

export interface GateRefusal {
  reason: RefusalReason;
  /** Whole seconds, at least 1. */
  retryAfterSeconds: number;
}

const refusal = (seconds: number, reason: RefusalReason): GateRefusal => ({ reason, retryAfterSeconds: Math.max(1, seconds) });

export class SharedUpstreamGate implements UpstreamGate {
  /** What this replica knows by itself: its own 429s and the shared back-offs it has read, always; everything while Redis is away. */
  private readonly local = new RateLimitGuard();
  private readonly quota: PointsLimiter | null;

  constructor(
    options: { quotaPerMinute: number | null },
    private readonly redis: Redis | null,
    private readonly health: RedisHealth | null,
    private readonly onRefusal: (reason: RefusalReason) => void = () => {},
  ) {
    // The plan's quota as a fixed one-minute window per tenant (atomic in Redis: one Lua script per call). Outside
    // the window nothing is remembered, so memory follows the active tenants.
    const shared = redis && health ? { redis, health } : null;
    this.quota = options.quotaPerMinute
      ? pointsLimiter({ keyPrefix: "quota", points: options.quotaPerMinute, durationSeconds: 60 }, shared)
      : null;
  }

  async admit(tenant: string): Promise<GateRefusal | null> {
    let waitSeconds = this.local.secondsLeft(tenant);
    if (waitSeconds === 0 && this.redis && this.health && !this.health.degraded) {
      try {
        const { redis, health } = this;
        const leftMs = await traceRedisCommand("PTTL", () => health.bounded(redis.pttl(keys.upstreamBackOff(tenant))));
        if (leftMs > 0) {
          waitSeconds = secondsToWait(leftMs);
          // Remembered here too, so heldBack refuses this replica's queued calls without asking Redis again.
          this.local.block(tenant, leftMs / 1000);
        }
      } catch (error) {
        this.health.failed(error);
      }
    }
    if (waitSeconds > 0) {
      this.onRefusal("backoff");
      return refusal(waitSeconds, "backoff");
    }
    if (!this.quota) return null;
    try {
      await this.quota.consume(tenant, 1);
      return null;
    } catch (rejection) {
      if (!(rejection instanceof RateLimiterRes)) throw rejection;
      this.onRefusal("quota");
      return refusal(secondsToWait(rejection.msBeforeNext), "quota");
    }
  }

  heldBack(tenant: string): GateRefusal | null {
    const waitSeconds = this.local.secondsLeft(tenant);
    if (waitSeconds === 0) return null;
    this.onRefusal("backoff");
    return refusal(waitSeconds, "backoff");
  }

  async backOff(tenant: string, seconds: number): Promise<void> {
    this.local.block(tenant, seconds);
    if (!this.redis || !this.health || this.health.degraded) return;
    try {
      // Written before the failing call answers: the next request, on any replica, already sees it.
      const { redis, health } = this;
      await traceRedisCommand("SET", () => health.bounded(redis.set(keys.upstreamBackOff(tenant), "1", "PX", seconds * 1000)));
    } catch (error) {
      this.health.failed(error);
    }
  }
}
