import DataLoader from "dataloader";
import type { Customer } from "../referrals/customer.type.js";
import type { ListHoldersParams, VoucherifyClient } from "./client.js";
import { encodeHolderFilter } from "./filters.js";
import type { HolderPage } from "./to-graphql.js";

/** Upstream customer reads in flight at once for one operation: enough to be quick, few enough to spare the quota. */
export const CUSTOMER_FETCH_CONCURRENCY = 8;

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
 * Holder pages for one operation. The upstream has no batch read, so this loader only dedupes: the same page
 * asked for twice in one operation (aliases, fragments, payload.member) costs one upstream call.
 */
export class HolderPageLoader extends DataLoader<ListHoldersParams, HolderPage, string> {
  private readonly cache: CountingCache<Promise<HolderPage>>;

  constructor(client: VoucherifyClient) {
    const cache = new CountingCache<Promise<HolderPage>>();
    super((params) => Promise.all(params.map((p) => client.listHolders(p).catch((error: Error) => error))), {
      cacheKeyFn: pageKey,
      cacheMap: cache,
      batch: false,
    });
    this.cache = cache;
  }

  get dedupeHits(): number {
    return this.cache.hits;
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
export class CustomerLoader extends DataLoader<string, Customer> {
  private readonly cache: CountingCache<Promise<Customer>>;

  constructor(client: VoucherifyClient) {
    const cache = new CountingCache<Promise<Customer>>();
    super((ids) => mapBounded(ids, CUSTOMER_FETCH_CONCURRENCY, (id) => client.getCustomer(id)), { cacheMap: cache });
    this.cache = cache;
  }

  get dedupeHits(): number {
    return this.cache.hits;
  }
}

export interface Loaders {
  holderPages: HolderPageLoader;
  customers: CustomerLoader;
  /**
   * After a write, nothing read before it may be served again in this operation: not the member's pages (under
   * any of its names: code, voucher id, with or without campaign) and not the customers the write upserted.
   */
  clearAfterWrite(): void;
}

export function createLoaders(client: VoucherifyClient): Loaders {
  const holderPages = new HolderPageLoader(client);
  const customers = new CustomerLoader(client);
  return {
    holderPages,
    customers,
    clearAfterWrite() {
      holderPages.clearAll();
      customers.clearAll();
    },
  };
}
