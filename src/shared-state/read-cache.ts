import type { CacheStore, StampedRead } from "./cache-store.js";
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
  /** A page back from its JSON text. */
  revive(text: string): Page;
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
  ) {}

  holderPage<Params, Page>(
    tenant: string,
    params: Params,
    codec: PageCodec<Params, Page>,
    fresh: boolean,
    fetch: () => Promise<Page>,
  ): Promise<Page> {
    if (this.ttl.holdersMs === 0) return fetch();
    const id = codec.pageId(params);
    const memberName = codec.memberName(params);
    let before: StampedRead | null = null;
    return this.readThrough(
      "holders",
      fresh,
      async () => (before = await this.store.readPage(tenant, memberName, id)),
      `holders:${tenant}:${id}`,
      (text) => codec.revive(text),
      async () => {
        const page = await fetch();
        const voucherId = codec.voucherIdOf(page);
        if (!voucherId || before?.key !== null || before.writes === undefined) return page;
        // A first read through this name: learn its voucher id (later reads through either name hit the cache),
        // and keep the page only if no write of the tenant came between the read and now.
        await this.store.learnAlias(tenant, memberName, voucherId);
        const now = await this.store.readPage(tenant, memberName, id);
        if (now.key !== null && now.writes === before.writes) await this.store.write(now.key, JSON.stringify(page), this.ttl.holdersMs);
        return page;
      },
      this.ttl.holdersMs,
    );
  }

  customer<Customer>(tenant: string, customerId: string, fresh: boolean, fetch: () => Promise<Customer>): Promise<Customer> {
    if (this.ttl.customersMs === 0) return fetch();
    return this.readThrough(
      "customers",
      fresh,
      () => this.store.readCustomer(tenant, customerId),
      `customers:${tenant}:${customerId}`,
      (text) => JSON.parse(text) as Customer,
      fetch,
      this.ttl.customersMs,
    );
  }

  private async readThrough<T>(
    cache: CacheName,
    fresh: boolean,
    read: () => Promise<StampedRead>,
    uncachedKey: string,
    parse: (text: string) => T,
    fetch: () => Promise<T>,
    ttlMs: number,
  ): Promise<T> {
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
      return parse(stamped.value);
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
      return flight.loading as Promise<T>;
    }
    const key = stamped.key;
    const loading = (async () => {
      const value = await fetch();
      if (key !== null) await this.store.write(key, JSON.stringify(value), ttlMs);
      this.flightsCompleted++;
      return value;
    })();
    if (joinable) {
      this.inFlight.set(flightKey, { loading, writes: stamped.writes });
      void loading.then(
        () => this.inFlight.delete(flightKey),
        () => this.inFlight.delete(flightKey),
      );
    }
    return loading;
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
