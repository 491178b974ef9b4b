/**
 * Remembers the upstream's last 429 so that, until its Retry-After has passed, calls fail fast with
 * RATE_LIMITED instead of hammering an API whose plans allow as little as 100 requests a minute.
 */
export class RateLimitGuard {
  private blockedUntil = 0;

  constructor(private readonly now: () => number = Date.now) {}

  block(seconds: number): void {
    this.blockedUntil = Math.max(this.blockedUntil, this.now() + seconds * 1000);
  }

  /** Seconds left to wait, or 0 when calls may go out. */
  secondsLeft(): number {
    const left = this.blockedUntil - this.now();
    return left > 0 ? Math.ceil(left / 1000) : 0;
  }
}
