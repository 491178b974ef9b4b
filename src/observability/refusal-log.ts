import type { Logger } from "./logger.js";

/** How long one class of refusals stays quiet after its line: at most one line per class per window. */
export const REFUSAL_LOG_WINDOW_MS = 10_000;

/** A request the gateway refused: its HTTP status and `extensions.code` are its class. */
export interface Refusal {
  status: number;
  code: string;
  /** Why, when the words are the gateway's own (never a variable's value, a token or a member id). */
  reason?: string;
}

/**
 * A warn line for refused requests (401, 403, 429, 503 when the keys are unavailable, ...), bounded: the first
 * refusal of a class is logged at once; the next ones within REFUSAL_LOG_WINDOW_MS are counted, and one line at the
 * window's end says how many there were (then the next window starts). A flood of bad tokens costs one line per
 * class every few seconds, and an operator still sees that refusals happen, and how many.
 */
export class RefusalLog {
  private readonly windows = new Map<string, { refusal: Refusal; refused: number; timer: NodeJS.Timeout }>();

  constructor(
    private readonly logger: Logger,
    private readonly windowMs = REFUSAL_LOG_WINDOW_MS,
  ) {}

  refused(refusal: Refusal): void {
    if (!this.logger.isLevelEnabled("warn")) return;
    const key = `${refusal.status} ${refusal.code}`;
    const window = this.windows.get(key);
    if (window) {
      window.refused += 1;
      window.refusal = refusal;
      return;
    }
    this.logger.warn({ status: refusal.status, code: refusal.code, reason: refusal.reason }, "request refused");
    this.open(key, refusal);
  }

  /** Ends every window without its closing line (the gateway stops). */
  close(): void {
    for (const window of this.windows.values()) clearTimeout(window.timer);
    this.windows.clear();
  }

  private open(key: string, refusal: Refusal): void {
    const timer = setTimeout(() => this.end(key), this.windowMs);
    timer.unref();
    this.windows.set(key, { refusal, refused: 0, timer });
  }

  private end(key: string): void {
    const window = this.windows.get(key);
    this.windows.delete(key);
    if (!window || window.refused === 0) return;
    const { status, code, reason } = window.refusal;
    this.logger.warn(
      { status, code, latestReason: reason, refused: window.refused, windowSeconds: this.windowMs / 1000 },
      `${window.refused} more requests refused with ${status} ${code} in ${this.windowMs / 1000} s`,
    );
    // Refusals still coming: the next line waits for the next window.
    this.open(key, window.refusal);
  }
}
