const NAME = /^[_A-Za-z][_0-9A-Za-z]{0,63}$/;

export interface OperationLabelOptions {
  /** Names that always get their own label: the gateway gives the shipped operations' (src/server.ts). */
  known?: readonly string[];
  /** Other names given their own label per window, at most: a burst of junk names cannot use up the whole budget at once. */
  newNamesPerWindow?: number;
  windowMs?: number;
  /** Other names given their own label in all, at most (each costs a time series per outcome, plus histogram buckets). */
  maxNames?: number;
  /** Milliseconds; injectable so tests can move time. */
  now?: () => number;
}

/**
 * Operation names are chosen by clients, and each distinct one is a new Prometheus series. Shipped operations
 * always have their own label; other names get their own a few per window up to a total cap, and once given keep it;
 * the rest share "other" (no name: "anonymous"; not a GraphQL name of at most 64 characters: "invalid").
 */
export class OperationLabels {
  private readonly known: ReadonlySet<string>;
  private readonly labelled = new Set<string>();
  private readonly newNamesPerWindow: number;
  private readonly windowMs: number;
  private readonly maxNames: number;
  private readonly now: () => number;
  private windowStart = Number.NEGATIVE_INFINITY;
  private labelledInWindow = 0;

  constructor(options: OperationLabelOptions = {}) {
    this.known = new Set(options.known);
    this.newNamesPerWindow = options.newNamesPerWindow ?? 20;
    this.windowMs = options.windowMs ?? 60 * 60 * 1000;
    this.maxNames = options.maxNames ?? 100;
    this.now = options.now ?? Date.now;
  }

  label(name: string | null | undefined): string {
    if (!name) return "anonymous";
    if (this.known.has(name) || this.labelled.has(name)) return name;
    if (!NAME.test(name)) return "invalid";
    if (this.labelled.size >= this.maxNames) return "other";
    const now = this.now();
    if (now - this.windowStart >= this.windowMs) {
      this.windowStart = now;
      this.labelledInWindow = 0;
    }
    if (this.labelledInWindow >= this.newNamesPerWindow) return "other";
    this.labelledInWindow++;
    this.labelled.add(name);
    return name;
  }
}
