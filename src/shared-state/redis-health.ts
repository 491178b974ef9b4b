import type { Redis } from "ioredis";
import type { Logger } from "../observability/logger.js";
import { messageOf } from "../lib/thrown.js";

/** How often a degraded gateway asks Redis whether it is back. */
export const RECOVERY_PROBE_MS = 500;

/**
 * How long a gateway that finds Redis answering again still serves uncached. Other replicas reconnect on their own
 * schedules (up to about a second apart, more after a failover), and one that has not yet may be acknowledging
 * writes whose invalidations it cannot write: this one must not serve the entries those writes made stale until the
 * others have replayed their missed invalidations. Invalidations themselves go to Redis as soon as it answers.
 */
export const SETTLE_MS = 2500;

/**
 * Whether Redis is usable right now. The first failure (refused, reset, slower than REDIS_TIMEOUT_MS) turns the
 * shared stores off: they answer at once as misses and no-ops instead of waiting on Redis per request, one warning
 * is logged for the outage, and a PING every RECOVERY_PROBE_MS (and at each reconnection) finds Redis back. Then the
 * recovery hooks run (replayed invalidations), invalidations are written again, and after SETTLE_MS more without a
 * failure the stores are back on.
 */
export class RedisHealth {
  private degradedSince: number | null = null;
  private probe: NodeJS.Timeout | null = null;
  private readonly recoverHooks: Array<() => Promise<void>> = [];
  private readonly failureHooks: Array<() => void> = [];
  private readonly changeHooks: Array<(degraded: boolean) => void> = [];

  /** The clock the outage and the settle time are measured on (tests step it). */
  private readonly now: () => number;

  constructor(
    private readonly client: Redis,
    private readonly logger: Logger,
    /** REDIS_TIMEOUT_MS: the longest any one Redis call may take. */
    private readonly timeoutMs: number,
    options: { now?: () => number } = {},
  ) {
    this.now = options.now ?? Date.now;
  }

  /**
   * `call`, or a rejection once it has taken longer than REDIS_TIMEOUT_MS. ioredis's commandTimeout bounds commands
   * it writes; this also bounds those it never writes nor rejects (a scripted command in an automatic pipeline while
   * the connection is down), so no request, and no recovery probe, can wait on Redis for longer.
   */
  async bounded<T>(call: Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`Redis did not answer within ${this.timeoutMs} ms`)), this.timeoutMs);
    });
    try {
      return await Promise.race([call, late]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Since when Redis answers again in this outage (recovery hooks done); null while it does not. */
  private answeringSince: number | null = null;

  /** True from a failure until Redis has answered again for SETTLE_MS: reads, limits and the gate skip Redis. */
  get degraded(): boolean {
    return this.degradedSince !== null;
  }

  /** Whether invalidations may be written to Redis: when it is usable, and while it settles after an outage. */
  get writable(): boolean {
    return this.degradedSince === null || this.answeringSince !== null;
  }

  /** Runs before the stores are used again after an outage (invalidations that could not be written). */
  onRecover(hook: () => Promise<void>): void {
    this.recoverHooks.push(hook);
  }

  /** Every failed Redis command (metrics). */
  onFailure(hook: () => void): void {
    this.failureHooks.push(hook);
  }

  /** Each change between usable and degraded (the metrics gauge). */
  onChange(hook: (degraded: boolean) => void): void {
    this.changeHooks.push(hook);
  }

  failed(error: unknown): void {
    for (const hook of this.failureHooks) hook();
    this.answeringSince = null;
    if (this.degradedSince !== null) return;
    this.degradedSince = this.now();
    for (const hook of this.changeHooks) hook(true);
    this.logger.warn(
      { err: { message: messageOf(error) } },
      "Redis is unreachable or slow: serving uncached and unshared until it answers again",
    );
    this.probe = setInterval(() => void this.probeNow(), RECOVERY_PROBE_MS);
    this.probe.unref();
  }

  /** The probe running now, if any: one at a time. */
  private recovery: Promise<void> | null = null;

  /**
   * Probes now instead of at the next tick (the client has just reconnected). Settles when this probe, or the one
   * already running, is done.
   */
  probeNow(): Promise<void> {
    this.recovery ??= this.tryRecover().finally(() => (this.recovery = null));
    return this.recovery;
  }

  private async tryRecover(): Promise<void> {
    if (this.degradedSince === null) return;
    try {
      await this.bounded(this.client.ping());
      if (this.answeringSince === null) {
        for (const hook of this.recoverHooks) await this.bounded(hook());
        this.answeringSince = this.now();
        return;
      }
      if (this.now() - this.answeringSince < SETTLE_MS) return;
      const outageMs = this.now() - this.degradedSince;
      this.degradedSince = null;
      this.answeringSince = null;
      for (const hook of this.changeHooks) hook(false);
      if (this.probe) clearInterval(this.probe);
      this.probe = null;
      this.logger.info({ outageMs }, "Redis answers again: cache and shared limits are back");
    } catch {
      // Still down; the next probe tries again.
    }
  }

  close(): void {
    if (this.probe) clearInterval(this.probe);
    this.probe = null;
  }
}
