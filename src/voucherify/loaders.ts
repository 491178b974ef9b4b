import { createHash } from "node:crypto";
import DataLoader from "dataloader";
import { errorCodeOf, UNCERTAIN_OUTCOME_CODES } from "../errors/error-codes.js";
import type { PageCodec, ReadCache, RequestReads } from "../shared-state/read-cache.js";
import type { ListHoldersParams, VoucherifyClient } from "./client.js";
import type { CustomerRecord, HolderPage, HolderRecord } from "./domain.js";
import { upstreamErrorCode } from "./error-mapping.js";
import { encodeHolderFilter } from "./filters.js";
import { CUSTOMER_ENTRY, HOLDER_PAGE_ENTRY } from "./record-shapes.js";
import { UpstreamError } from "./upstream-errors.js";

/** Upstream customer reads in flight at once for one operation: enough to be quick, few enough to spare the quota. */
export const CUSTOMER_FETCH_CONCURRENCY = 8;

/** Every parameter that shapes a page's answer: the page's key in one operation, and (hashed) in the shared cache. */
function pageKey(params: ListHoldersParams): string {
  return JSON.stringify([
    params.memberId,
    params.campaignId ?? null,
    params.limit,
    params.order,
    params.startingAfterId ?? null,
    encodeHolderFilter(params.filter),
  ]);
}

/** How the shared cache keeps holder pages (in-process as they are; in Redis in their declared shape, checked when read). */
const HOLDER_PAGES: PageCodec<ListHoldersParams, HolderPage> = {
  memberName: (params) => params.memberId,
  pageId: (params) => createHash("sha1").update(pageKey(params)).digest("base64url"),
  voucherIdOf: (page) => page.holders[0]?.redeemableId,
  shape: HOLDER_PAGE_ENTRY,
};

/** DataLoader's cache, counting the loads it answers without a fetch (the dedupe metric). */
class CountingCache<V> extends Map<string, V> {
  hits = 0;
  override get(key: string): V | undefined {
    const value = super.get(key);
    if (value !== undefined) this.hits++;
    return value;
  }
}

/**
 * Holder pages for one operation. The upstream has no batch read, so this only dedupes: the same page asked for
 * twice in one operation (aliases, fragments, payload.member) costs one upstream call. A map of the reads started, not
 * a DataLoader: with nothing to batch, its deferred dispatch and per-load promises were turns and garbage for nothing.
 * A failed read stays failed for the operation (as a DataLoader keeps an error its batch answered with).
 */
export class HolderPageLoader {
  private readonly reads = new Map<string, Promise<HolderPage>>();
  private readonly read: (params: ListHoldersParams) => Promise<HolderPage>;
  /** Loads answered by a read already started in this operation (the dedupe metric). */
  dedupeHits = 0;

  constructor(client: VoucherifyClient, shared?: SharedReads) {
    this.read = shared
      ? (p) => shared.cache.holderPage(shared, p, HOLDER_PAGES, () => client.listHolders(p))
      : (p) => client.listHolders(p);
  }

  load(params: ListHoldersParams): Promise<HolderPage> {
    const key = pageKey(params);
    const started = this.reads.get(key);
    if (started !== undefined) {
      this.dedupeHits++;
      return started;
    }
    const reading = this.read(params);
    this.reads.set(key, reading);
    return reading;
  }

  /** Forgets every read: after a write, nothing read before it is served again in this operation. */
  clearAll(): void {
    this.reads.clear();
  }
}

/** Runs `task` over `items` with at most `concurrency` at once, keeping each item's result or error. */
export async function mapBounded<T, R>(items: readonly T[], concurrency: number, task: (item: T) => Promise<R>): Promise<(R | Error)[]> {
  const results = new Array<R | Error>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await task(items[index]).catch((error: Error) => error);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
  return results;
}

/** Customers for one operation: each distinct id fetched at most once, at most CUSTOMER_FETCH_CONCURRENCY at a time. */
export class CustomerLoader extends DataLoader<string, CustomerRecord> {
  private readonly cache: CountingCache<Promise<CustomerRecord>>;

  constructor(client: VoucherifyClient, shared?: SharedReads) {
    const cache = new CountingCache<Promise<CustomerRecord>>();
    const read = shared
      ? (id: string) => shared.cache.customer(shared, id, CUSTOMER_ENTRY, () => client.getCustomer(id))
      : (id: string) => client.getCustomer(id);
    super((ids) => mapBounded(ids, CUSTOMER_FETCH_CONCURRENCY, read), { cacheMap: cache });
    this.cache = cache;
  }

  get dedupeHits(): number {
    return this.cache.hits;
  }
}

/** The replicas' cache for one request: whose entries (tenant), whether it asked to skip them (no-cache), what it read. */
export interface SharedReads extends RequestReads {
  cache: ReadCache;
}

export interface Loaders {
  holderPages: HolderPageLoader;
  customers: CustomerLoader;
  /**
   * After a write, nothing read before it may be served again in this operation: not the member's pages (under
   * any of its names: code, voucher id, with or without campaign) and not the customers the write upserted. The
   * same for every replica's cache, done before the mutation answers (read-your-writes).
   * `written`: the holders a write returned, or the error the client threw (then its effect may be unknown).
   */
  afterWrite(memberName: string, written: readonly HolderRecord[] | { error: unknown } | "removed"): Promise<void>;
}

export function createLoaders(client: VoucherifyClient, shared?: SharedReads): Loaders {
  const holderPages = new HolderPageLoader(client, shared);
  const customers = new CustomerLoader(client, shared);
  const clearAfterWrite = () => {
    holderPages.clearAll();
    customers.clearAll();
  };
  return {
    holderPages,
    customers,
    async afterWrite(memberName, written) {
      clearAfterWrite();
      if (!shared) return;
      if (written === "removed") {
        return shared.cache.afterWrite(shared.tenant, { memberName, voucherId: null, customerIds: [] });
      }
      if ("error" in written) {
        const code = errorCodeOfFailure(written.error);
        if (UNCERTAIN_OUTCOME_CODES.has(code)) return shared.cache.afterWrite(shared.tenant, { memberName, unknown: true });
        return shared.cache.afterWrite(shared.tenant, { memberName, voucherId: null, customerIds: [] });
      }
      return shared.cache.afterWrite(shared.tenant, {
        memberName,
        voucherId: written[0]?.redeemableId ?? null,
        customerIds: [...new Set(written.map((holder) => holder.customerId))],
      });
    },
  };
}

/** A failed call's error-table code: a typed upstream failure's, or the code of an error the client raised itself. */
function errorCodeOfFailure(error: unknown): string {
  return error instanceof UpstreamError ? upstreamErrorCode(error) : errorCodeOf(error);
}
