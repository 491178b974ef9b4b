import DataLoader from "dataloader";
import type { Customer } from "../referrals/customer.type.js";
import type { ListHoldersParams, MemberRef, VoucherifyClient } from "./client.js";
import { encodeHolderFilter } from "./filters.js";
import type { HolderPage } from "./to-graphql.js";

/** Upstream customer reads in flight at once for one operation: enough to be quick, few enough to spare the quota. */
export const CUSTOMER_FETCH_CONCURRENCY = 8;

function memberKey({ memberId, campaignId }: MemberRef): string {
  return JSON.stringify([memberId, campaignId ?? null]);
}

function pageKey(params: ListHoldersParams): string {
  return JSON.stringify([
    memberKey(params),
    params.limit,
    params.order,
    params.startingAfterId ?? null,
    encodeHolderFilter(params.filter),
  ]);
}

/**
 * Holder pages for one operation. The upstream has no batch read, so this loader only dedupes: the same page
 * asked for twice in one operation (aliases, fragments, payload.member) costs one upstream call.
 */
export class HolderPageLoader {
  private readonly pagesByMember = new Map<string, Map<string, ListHoldersParams>>();
  private readonly loader: DataLoader<ListHoldersParams, HolderPage, string>;
  /** Loads answered from the cache, for the dedupe metric. */
  dedupeHits = 0;

  constructor(client: VoucherifyClient) {
    this.loader = new DataLoader(
      (params) => Promise.all(params.map((p) => client.listHolders(p).catch((error: Error) => error))),
      { cacheKeyFn: pageKey, batch: false },
    );
  }

  load(params: ListHoldersParams): Promise<HolderPage> {
    const key = pageKey(params);
    const member = memberKey(params);
    let pages = this.pagesByMember.get(member);
    if (!pages) this.pagesByMember.set(member, (pages = new Map()));
    if (pages.has(key)) this.dedupeHits++;
    else pages.set(key, params);
    return this.loader.load(params);
  }

  /** After a write to a member, its pages are stale: the next read in this operation must go upstream. */
  clearMember(member: MemberRef): void {
    const key = memberKey(member);
    for (const page of this.pagesByMember.get(key)?.values() ?? []) this.loader.clear(page);
    this.pagesByMember.delete(key);
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

/** DataLoader's cache, counting the loads it answers without a fetch (the dedupe metric). */
class CountingCache<V> extends Map<string, V> {
  hits = 0;
  override get(key: string): V | undefined {
    const value = super.get(key);
    if (value !== undefined) this.hits++;
    return value;
  }
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
}

export function createLoaders(client: VoucherifyClient): Loaders {
  return { holderPages: new HolderPageLoader(client), customers: new CustomerLoader(client) };
}
