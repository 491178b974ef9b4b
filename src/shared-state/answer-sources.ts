import type { Source } from "./cache-store.js";

/**
 * What one request's answer was built from: the generations of every cached read it made (pages, customers), and
 * when the first of those entries expires. An answer may be kept whole (AnswerCache) only when every read is
 * accounted for here; a read the cache cannot vouch for (Redis away, a cache turned off, one entry read under two
 * generations) makes the answer one that is not kept.
 */
export class AnswerSources {
  private readonly sources = new Map<string, Source>();
  /** The cache entries read or written: an answer lives no longer than the first of them still does. */
  private readonly entries = new Set<string>();
  private expiresAt = Number.POSITIVE_INFINITY;
  private vouched = true;
  /** Upstream reads this request started through the cache (not those it joined): checked against its upstream calls. */
  fetches = 0;

  /**
   * A read made under `sources`, whose entry (`entryKey`, when it has one) expires at `expiresAt` (milliseconds, by
   * this process's clock: a bound the store tightens by the entries' own remaining lives when the answer is kept).
   */
  add(sources: readonly Source[], expiresAt: number, entryKey: string | null): void {
    if (sources.length === 0) return this.unvouched();
    if (entryKey !== null) this.entries.add(entryKey);
    for (const source of sources) {
      const key = `${source.kind}:${source.id}`;
      const known = this.sources.get(key);
      // Read under two generations (a write landed between two reads of this request): the answer mixes both.
      if (known && known.generation !== source.generation) this.vouched = false;
      else if (!known) this.sources.set(key, source);
    }
    this.expiresAt = Math.min(this.expiresAt, expiresAt);
  }

  /** A read the cache cannot vouch for: the answer is not kept. */
  unvouched(): void {
    this.vouched = false;
  }

  /** An entry written after its read (a first page read through a name, stored once its voucher id was learned). */
  addEntry(entryKey: string): void {
    this.entries.add(entryKey);
  }

  /** The sources, the entries and until when an answer built from them may be served; null when it may not be kept. */
  settle(): { sources: Source[]; entries: string[]; expiresAt: number } | null {
    return this.vouched ? { sources: [...this.sources.values()], entries: [...this.entries], expiresAt: this.expiresAt } : null;
  }
}
