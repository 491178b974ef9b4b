import { MemoryCacheStore } from "../../src/shared-state/cache-store.js";
import { entryShape } from "../../src/shared-state/entry-shape.js";
import { ReadCache, type PageCodec } from "../../src/shared-state/read-cache.js";

// What a write means to reads around it: a page fetched while a write came between is never cached (not even under
// the generation the write created), and a `Cache-Control: no-cache` read never joins a read already in flight.
const TENANT = "tenant-under-test";
const TTL = { holdersMs: 60_000, customersMs: 60_000 };
const noEvents = { lookup: () => {}, saved: () => {}, invalidated: () => {} };

interface Page {
  voucherId: string;
  holders: string[];
}
const codec: PageCodec<{ member: string }, Page> = {
  memberName: ({ member }) => member,
  pageId: ({ member }) => `page:${member}`,
  voucherIdOf: (page) => page.voucherId,
  shape: entryShape<Page>("test-page", { record: { voucherId: "string", holders: { list: "string" } } }),
};
const BOUNDS = { maxEntries: 10, maxBytes: 1e6, answersMaxBytes: 0 };
const reads = (fresh = false) => ({ tenant: TENANT, fresh });

/** An upstream whose answers wait for release(): a read is "in flight" until then. */
function gatedUpstream<T>(answer: () => T) {
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const upstream = {
    calls: 0,
    fetch: async () => {
      upstream.calls++;
      // Answered as of the call: what upstream held when the read reached it.
      const value = answer();
      await gate;
      return value;
    },
    release,
  };
  return upstream;
}

const turn = () => new Promise((resolve) => setImmediate(resolve));

describe("ReadCache around writes", () => {
  test("a first read through a member's name that a write overtakes keeps its page out of the cache", async () => {
    const cache = new ReadCache(new MemoryCacheStore(BOUNDS), TTL, noEvents);
    let holders = ["before-the-write"];
    const upstream = gatedUpstream(() => ({ voucherId: "v_1", holders }));

    // The first read ever through "CODE": the store knows no voucher id for it yet, so it has no key to write to.
    const first = cache.holderPage(reads(), { member: "CODE" }, codec, upstream.fetch);
    await turn();
    // A write lands (and invalidates the member) while that read's answer is on its way back: the answer is stale.
    const stale = { voucherId: "v_1", holders: [...holders] };
    holders = ["after-the-write"];
    await cache.afterWrite(TENANT, { memberName: "CODE", voucherId: "v_1", customerIds: [] });
    upstream.release();
    expect(await first).toEqual(stale);

    // The next read goes upstream and sees the write, rather than a stale page stored under the new generation.
    const next = await cache.holderPage(reads(), { member: "CODE" }, codec, upstream.fetch);
    expect(upstream.calls).toBe(2);
    expect(next.holders).toEqual(["after-the-write"]);
  });

  test("without a write between, the first read's page is cached (sanity: the test above can tell)", async () => {
    const cache = new ReadCache(new MemoryCacheStore(BOUNDS), TTL, noEvents);
    const upstream = gatedUpstream(() => ({ voucherId: "v_1", holders: ["h"] }));
    upstream.release();
    await cache.holderPage(reads(), { member: "CODE" }, codec, upstream.fetch);
    await cache.holderPage(reads(), { member: "CODE" }, codec, upstream.fetch);
    expect(upstream.calls).toBe(1);
  });

  test.each([
    [
      "a holder page",
      (cache: ReadCache, fresh: boolean, fetch: () => Promise<Page>) => cache.holderPage(reads(fresh), { member: "v_1" }, codec, fetch),
    ],
    [
      "a customer",
      (cache: ReadCache, fresh: boolean, fetch: () => Promise<Page>) => cache.customer(reads(fresh), "cust_1", codec.shape, fetch),
    ],
  ])("a no-cache read of %s makes its own upstream call, even with the same read in flight", async (_what, read) => {
    const store = new MemoryCacheStore(BOUNDS);
    // The voucher id known, so the page has a key and a plain read would join the one in flight.
    await store.learnAlias(TENANT, "v_1", "v_1");
    const cache = new ReadCache(store, TTL, noEvents);
    const upstream = gatedUpstream(() => ({ voucherId: "v_1", holders: ["h"] }));

    const inFlight = read(cache, false, upstream.fetch);
    await turn();
    const joined = read(cache, false, upstream.fetch);
    const fresh = read(cache, true, upstream.fetch);
    await turn();
    upstream.release();
    await Promise.all([inFlight, joined, fresh]);
    // The plain read joined the one in flight (one call); the no-cache one made its own.
    expect(upstream.calls).toBe(2);
  });
});
