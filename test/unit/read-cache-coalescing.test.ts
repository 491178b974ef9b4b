import { MemoryCacheStore, type CacheStore, type StampedRead } from "../../src/shared-state/cache-store.js";
import { entryShape } from "../../src/shared-state/entry-shape.js";
import { ReadCache } from "../../src/shared-state/read-cache.js";

// Concurrent identical reads in one replica share one upstream call only when the store proves that no write came
// between them. A store that cannot answer (Redis away) proves nothing: a write through another replica would go
// unseen, so each read makes its own call.
const TENANT = "tenant-under-test";
const TTL = { holdersMs: 60_000, customersMs: 60_000 };
const noEvents = { lookup: () => {}, saved: () => {}, invalidated: () => {} };

/** A store whose every answer is "unknown", as RedisCacheStore's while Redis is degraded. */
class UnavailableStore implements CacheStore {
  readonly kind = "redis";
  private readonly miss: StampedRead<never> = { key: null, value: null, sources: [] };
  async readPage(): Promise<StampedRead<never>> {
    return this.miss;
  }
  async readCustomer(): Promise<StampedRead<never>> {
    return this.miss;
  }
  async write(): Promise<void> {}
  async learnAlias(): Promise<void> {}
  async voucherIdOf(): Promise<string | null> {
    return null;
  }
  async invalidateMember(): Promise<void> {}
  async invalidateCustomers(): Promise<void> {}
  async invalidateTenant(): Promise<void> {}
  async readAnswer(): Promise<null> {
    return null;
  }
  async writeAnswer(): Promise<void> {}
  async dropAnswer(): Promise<void> {}
}

const CUSTOMER = entryShape<{ id: string }>("test-customer", { record: { id: "string" } });

/** Starts three identical customer reads at once, each answered when `release` is called; returns the fetch count. */
async function concurrentReads(cache: ReadCache): Promise<number> {
  let fetches = 0;
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const fetch = async () => {
    fetches++;
    await gate;
    return { id: "cust_1" };
  };
  const reads = [0, 1, 2].map(() => cache.customer({ tenant: TENANT, fresh: false }, "cust_1", CUSTOMER, fetch));
  await new Promise((resolve) => setImmediate(resolve));
  release();
  expect(await Promise.all(reads)).toEqual([{ id: "cust_1" }, { id: "cust_1" }, { id: "cust_1" }]);
  return fetches;
}

describe("ReadCache: coalescing of concurrent misses", () => {
  test("a store that answers (keys with generations): three concurrent reads make one upstream call", async () => {
    expect(
      await concurrentReads(new ReadCache(new MemoryCacheStore({ maxEntries: 10, maxBytes: 1e6, answersMaxBytes: 0 }), TTL, noEvents)),
    ).toBe(1);
  });

  test("a store that cannot answer: each read makes its own call (a write elsewhere may have come between)", async () => {
    expect(await concurrentReads(new ReadCache(new UnavailableStore(), TTL, noEvents))).toBe(3);
  });
});
