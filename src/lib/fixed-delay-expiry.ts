/** What FixedDelayExpiry keeps of an entry: its links and its expiry time, on the entry itself (no node per entry). */
export abstract class Expiring {
  /** @internal performance.now() at which the entry expires; set by FixedDelayExpiry.add. */
  expiresAt = 0;
  /** @internal */
  previousEntry: Expiring | null = null;
  /** @internal */
  nextEntry: Expiring | null = null;
  /** @internal The list the entry is in, if any. */
  expiry: FixedDelayExpiry<Expiring> | null = null;
}

/**
 * Entries that expire a fixed delay after they were added, under one timer for them all. They all wait the same
 * delay, so they expire in the order they were added: the list is kept in that order, and the one timer only ever
 * waits for its oldest entry. Adding and removing are O(1) and allocate nothing; the timer is armed when the list
 * becomes non-empty and, once it fires, re-armed for the entry that is then the oldest.
 *
 * Why not a timer (or an AbortSignal.timeout) per entry: at thousands of upstream calls and operations a second, the
 * timer objects, and the AbortControllers and EventTarget listeners that carried their expiry, were measurable CPU
 * and garbage (test/bench), for deadlines that are almost never reached.
 *
 * The timer is unref'd: an entry stands for work in progress (a request, a socket), which keeps the process alive.
 */
export class FixedDelayExpiry<T extends Expiring> {
  private oldest: T | null = null;
  private newest: T | null = null;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    readonly delayMs: number,
    private readonly onExpire: (entry: T) => void,
    private readonly now: () => number = () => performance.now(),
  ) {}

  add(entry: T): void {
    if (entry.expiry !== null) throw new TypeError("FixedDelayExpiry.add: the entry is in a list already; remove it first");
    entry.expiresAt = this.now() + this.delayMs;
    entry.expiry = this as unknown as FixedDelayExpiry<Expiring>;
    entry.previousEntry = this.newest;
    entry.nextEntry = null;
    if (this.newest === null) this.oldest = entry;
    else this.newest.nextEntry = entry;
    this.newest = entry;
    if (this.timer === null) this.arm(this.delayMs);
  }

  /** Takes the entry out (it ended before its expiry); nothing happens for an entry that is not in this list. */
  remove(entry: T): void {
    if (entry.expiry !== (this as unknown as FixedDelayExpiry<Expiring>)) return;
    const { previousEntry, nextEntry } = entry;
    if (previousEntry === null) this.oldest = nextEntry as T | null;
    else previousEntry.nextEntry = nextEntry;
    if (nextEntry === null) this.newest = previousEntry as T | null;
    else nextEntry.previousEntry = previousEntry;
    entry.previousEntry = null;
    entry.nextEntry = null;
    entry.expiry = null;
  }

  /** Entries waiting to expire (for tests and gauges). */
  get size(): number {
    let count = 0;
    for (let entry: Expiring | null = this.oldest; entry !== null; entry = entry.nextEntry) count++;
    return count;
  }

  private arm(delayMs: number): void {
    this.timer = setTimeout(this.fire, Math.max(1, Math.ceil(delayMs)));
    this.timer.unref();
  }

  private readonly fire = (): void => {
    this.timer = null;
    const now = this.now();
    for (let entry = this.oldest; entry !== null && entry.expiresAt <= now; entry = this.oldest) {
      this.remove(entry);
      this.onExpire(entry);
    }
    if (this.oldest !== null) this.arm(this.oldest.expiresAt - now);
  };
}
