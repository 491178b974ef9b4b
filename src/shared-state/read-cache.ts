import type { CacheStore, StampedRead } from "./cache-store.js";
import type { AnswerSources } from "./answer-sources.js";
import type { EntryShape } from "./entry-shape.js";
import { traceCacheLookup } from "../observability/cache-span.js";

export type CacheName = "holders" | "customers";

export interface CacheEvents {
  lookup(cache: CacheName, result: "hit" | "miss" | "bypass"): void;
  /** An upstream call not made: a cache hit, or a read that joined the same read in flight in this replica. */
  saved(cache: CacheName): void;
  invalidated(scope: "member" | "customers" | "tenant"): void;
}

/** What a write is known to have changed; "unknown" when its reply was lost (it may or may not have happened). */
export type WriteOutcome =
  { memberName: string; voucherId: string | null; customerIds: readonly string[] } | { memberName: string; unknown: true };

/** What the cache needs of the data source's page reads (it knows their pages by these answers only). */
export interface PageCodec<Params, Page> {
  /** The member whose page it is, by the name it was asked for (a code or a voucher id). */
  memberName(params: Params): string;
  /** Identity of one page read (every parameter that shapes the answer), short. */
  pageId(params: Params): string;
  /** The member's voucher id (its canonical name), when the page tells it. */
  voucherIdOf(page: Page): string | undefined;
  /** How pages are kept: their declared shape, and the format entries are written in (src/shared-state/entry-shape.ts). */
  shape: EntryShape<Page>;
}

/** One request's reads: whose entries (tenant), whether it skips them (`Cache-Control: no-cache`), what it read. */
export interface RequestReads {
  tenant: string;
  /** Reads go upstream: the client asked so (noCache), or its own credentials are not yet known good. */
  fresh: boolean;
  /** The client sent `Cache-Control: no-cache`. */
  noCache?: boolean;
  /** Where the request's reads are recorded, for an answer kept whole; absent: not recorded. */
  sources?: AnswerSources;
}

/**
 * Read-through caching of holder pages and customers over a CacheStore, with the rules every replica follows:
 * keys per tenant, generations bumped by writes before they answer, concurrent misses for one key in this replica
 * sharing one upstream call, and `Cache-Control: no-cache` reading upstream (and refreshing the entry).
 */
export class ReadCache {
  /** Reads in flight in this replica, with the tenant's write count they started from (holder pages only). */
  private readonly inFlight = new Map<string, { loading: Promise<unknown>; writes: string | undefined }>();
  /** Bumped by every write in this replica: an uncacheable read in flight before a write is never joined after it. */
  private writes = 0;
  /** Bumped when a read in flight has stored its answer (see readThrough). */
  private flightsCompleted = 0;

  constructor(
    private readonly store: CacheStore,
    private readonly ttl: { holdersMs: number; customersMs: number },
    private readonly events: CacheEvents,
    /** Milliseconds since the epoch; tests move it. */
    private readonly now: () => number = Date.now,
  ) {}

  async holderPage<Params, Page>(
    reads: RequestReads,
    params: Params,
    codec: PageCodec<Params, Page>,
    fetch: () => Promise<Page>,
  ): Promise<Page> {
    if (this.ttl.holdersMs === 0) return this.uncached(reads, fetch);
    const { tenant } = reads;
    const id = codec.pageId(params);
    const memberName = codec.memberName(params);
    let before: StampedRead<Page> | null = null;
    let storedUnder: string | null = null;
    const page = await this.readThrough(
      "holders",
      reads,
      async () => (before = await this.store.readPage(tenant, memberName, id, codec.shape)),
      `holders:${tenant}:${id}`,
      async () => {
        const page = await fetch();
        const voucherId = codec.voucherIdOf(page);
        if (!voucherId || before?.key !== null || before.writes === undefined) return page;
        // A first read through this name: learn its voucher id (later reads through either name hit the cache),
        // and keep the page only if no write of the tenant came between the read and now.
        await this.store.learnAlias(tenant, memberName, voucherId);
        const now = await this.store.readPage(tenant, memberName, id, codec.shape);
        if (now.key !== null && now.writes === before.writes) {
          await this.store.write(now.key, page, codec.shape, this.ttl.holdersMs);
          storedUnder = now.key;
        }
        return page;
      },
      this.ttl.holdersMs,
      codec.shape,
    );
    if (storedUnder !== null) reads.sources?.addEntry(storedUnder);
    return page;
  }

  customer<Customer>(
    reads: RequestReads,
    customerId: string,
    shape: EntryShape<Customer>,
    fetch: () => Promise<Customer>,
  ): Promise<Customer> {
    if (this.ttl.customersMs === 0) return this.uncached(reads, fetch);
    return this.readThrough(
      "customers",
      reads,
      () => this.store.readCustomer(reads.tenant, customerId, shape),
      `customers:${reads.tenant}:${customerId}`,
      fetch,
      this.ttl.customersMs,
      shape,
    );
  }

  /** A read with its cache turned off: nothing can vouch for it, so no answer built from it is kept. */
  private uncached<T>(reads: RequestReads, fetch: () => Promise<T>): Promise<T> {
    reads.sources?.unvouched();
    return fetch();
  }

  private async readThrough<T>(
    cache: CacheName,
    reads: RequestReads,
    read: () => Promise<StampedRead<T>>,
    uncachedKey: string,
    fetch: () => Promise<T>,
    ttlMs: number,
    shape: EntryShape<T>,
  ): Promise<T> {
    const { fresh, sources } = reads;
    const completedBefore = this.flightsCompleted;
    const lookup = async () => {
      const first = await read();
      // A read in flight may have stored its answer, and left `inFlight`, while this lookup was on its way: look again
      // rather than start a second upstream call for what is now cached (one more cache read, only in that case).
      return first.value === null && !fresh && this.flightsCompleted !== completedBefore ? read() : first;
    };
    const stamped = await traceCacheLookup(cache, this.store.kind, lookup, (found) =>
      fresh ? "bypass" : found.value !== null ? "hit" : "miss",
    );
    if (stamped.value !== null && !fresh) {
      this.events.lookup(cache, "hit");
      this.events.saved(cache);
      sources?.add(stamped.sources, this.now() + lifeLeft(stamped.lifeLeftMs, ttlMs), stamped.key);
      return stamped.value;
    }
    this.events.lookup(cache, fresh ? "bypass" : "miss");
    // A read joins one in flight only with proof that no write came between their starts: the same key (generations
    // read after every write's invalidation), or the same count of the tenant's writes. Without either (the store
    // cannot answer: Redis is away, so a write through another replica would go unseen) it makes its own call. A
    // fresh read never joins one in flight: that one may have started before the write this client just made.
    const joinable = !fresh && (stamped.key !== null || stamped.writes !== undefined);
    const uncachedFlightKey = `${uncachedKey}:${this.writes}:${stamped.writes}`;
    const flightKey = stamped.key ?? uncachedFlightKey;
    // A first read through a member's name (no key yet) may still be in flight when its voucher id has been learned
    // and later reads have a key: they join it when no write of the tenant came since it started.
    const byName = stamped.key === null ? undefined : this.inFlight.get(uncachedFlightKey);
    const flight =
      this.inFlight.get(flightKey) ?? (byName && byName.writes !== undefined && byName.writes === stamped.writes ? byName : undefined);
    if (flight && joinable) {
      this.events.saved(cache);
      const { value, fetchedAt } = (await flight.loading) as Fetched<T>;
      // Under this read's own generations, which the read in flight was proven to share.
      sources?.add(stamped.sources, fetchedAt + ttlMs, stamped.key);
      return value;
    }
    const key = stamped.key;
    if (sources) sources.fetches++;
    const loading = (async (): Promise<Fetched<T>> => {
      // Taken before the fetch: the entry, stored after it, lives at least ttlMs from here.
      const fetchedAt = this.now();
      const value = await fetch();
      if (key !== null) await this.store.write(key, value, shape, ttlMs);
      this.flightsCompleted++;
      return { value, fetchedAt };
    })();
    if (joinable) {
      this.inFlight.set(flightKey, { loading, writes: stamped.writes });
      void loading.then(
        () => this.inFlight.delete(flightKey),
        () => this.inFlight.delete(flightKey),
      );
    }
    const { value, fetchedAt } = await loading;
    sources?.add(stamped.sources, fetchedAt + ttlMs, stamped.key);
    return value;
  }

  /**
   * Called by every write before it answers, success or failure: what it touched is invalidated for all replicas,
   * so the next read anywhere goes upstream. A write whose member has not been read yet, or whose outcome is unknown,
   * invalidates the whole tenant: rarer, and always correct.
   */
  async afterWrite(tenant: string, outcome: WriteOutcome): Promise<void> {
    this.writes++;
    if (this.ttl.holdersMs === 0 && this.ttl.customersMs === 0) return;
    if ("unknown" in outcome) {
      this.events.invalidated("tenant");
      return this.store.invalidateTenant(tenant);
    }
    const voucherId = outcome.voucherId ?? (await this.store.voucherIdOf(tenant, outcome.memberName));
    if (voucherId) {
      this.events.invalidated("member");
      await this.store.invalidateMember(tenant, voucherId);
    } else {
      this.events.invalidated("tenant");
      await this.store.invalidateTenant(tenant);
    }
    if (outcome.customerIds.length > 0) {
      this.events.invalidated("customers");
      await this.store.invalidateCustomers(tenant, outcome.customerIds);
    }
  }
}

/** A value read upstream, and when its read started. */
interface Fetched<T> {
  value: T;
  fetchedAt: number;
}

/** A hit's remaining life, never more than the cache's TTL (an entry without one, not written by the gateway, included). */
function lifeLeft(lifeLeftMs: number | undefined, ttlMs: number): number {
  return lifeLeftMs !== undefined && lifeLeftMs > 0 ? Math.min(lifeLeftMs, ttlMs) : ttlMs;
}
