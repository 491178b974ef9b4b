import { secondsToWait } from "../lib/wait-seconds.js";

/** Applications remembered at once; past it, expired entries go first, then the oldest. */
const MAX_KEYS = 10_000;

/**
 * Remembers the upstream's last 429 per Voucherify application (X-App-Id: Voucherify limits per application) so that, until its
 * Retry-After has passed, calls fail fast with RATE_LIMITED instead of hammering an API whose plans allow as little
 * as 100 requests a minute. Per key, so one tenant's limit never blocks another's (ALLOW_CLIENT_CREDENTIALS).
 */
export class RateLimitGuard {
  private readonly blockedUntil = new Map<string, number>();

  constructor(private readonly now: () => number = Date.now) {}

  block(key: string, seconds: number): void {
    const now = this.now();
    if (this.blockedUntil.size >= MAX_KEYS) {
      for (const [other, until] of this.blockedUntil) if (until <= now) this.blockedUntil.delete(other);
      // Still full of live entries: forget the oldest (Maps iterate in insertion order), never grow past the cap.
      while (this.blockedUntil.size >= MAX_KEYS) this.blockedUntil.delete(this.blockedUntil.keys().next().value!);
    }
    this.blockedUntil.set(key, Math.max(this.blockedUntil.get(key) ?? 0, now + seconds * 1000));
  }

  /** Seconds left to wait for this key, or 0 when its calls may go out. */
  secondsLeft(key: string): number {
    const until = this.blockedUntil.get(key);
    if (until === undefined) return 0;
    const left = until - this.now();
    if (left > 0) return secondsToWait(left);
    this.blockedUntil.delete(key);
    return 0;
  }
}
