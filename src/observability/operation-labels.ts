const NAME = /^[_A-Za-z][_0-9A-Za-z]{0,63}$/;

export interface OperationLabelOptions {
  /** Names that always get their own label: the gateway gives the shipped operations' (src/server.ts). */
  known?: readonly string[];
  /** Other names admitted per window, at most: a burst of junk names cannot use up the whole budget at once. */
  newNamesPerWindow?: number;
  windowMs?: number;
  /** Other names admitted in all, at most (each costs a time series per outcome, plus histogram buckets). */
  maxNames?: number;
  /** Milliseconds; injectable so tests can move time. */
  now?: () => number;
}

/**
 * Operation names are chosen by clients, and each distinct one is a new Prometheus series. Shipped operations
 * always have their own label; other names are admitted a few per window up to a total cap, and once admitted keep
 * their label; the rest share "other" (no name: "anonymous"; not a GraphQL name of at most 64 characters: "invalid").
 */
export class OperationLabels {
  private readonly known: ReadonlySet<string>;
  private readonly admitted = new Set<string>();
  private readonly newNamesPerWindow: number;
  private readonly windowMs: number;
  private readonly maxNames: number;
  private readonly now: () => number;
  private windowStart = Number.NEGATIVE_INFINITY;
  private admittedInWindow = 0;

  constructor(options: OperationLabelOptions = {}) {
    this.known = new Set(options.known);
    this.newNamesPerWindow = options.newNamesPerWindow ?? 20;
    this.windowMs = options.windowMs ?? 60 * 60 * 1000;
    this.maxNames = options.maxNames ?? 100;
    this.now = options.now ?? Date.now;
  }

  label(name: string | null | undefined): string {
    if (!name) return "anonymous";
    if (this.known.has(name) || this.admitted.has(name)) return name;
    if (!NAME.test(name)) return "invalid";
    if (this.admitted.size >= this.maxNames) return "other";
    const now = this.now();
    if (now - this.windowStart >= this.windowMs) {
      this.windowStart = now;
      this.admittedInWindow = 0;
    }
    if (this.admittedInWindow >= this.newNamesPerWindow) return "other";
    this.admittedInWindow++;
    this.admitted.add(name);
    return name;
  }
}
