import { MemoryCacheStore } from "../../src/shared-state/cache-store.js";
import { entryShape } from "../../src/shared-state/entry-shape.js";

// The in-process cache (no REDIS_URL) must stay within CACHE_MAX_ENTRIES and CACHE_MAX_BYTES whatever it is fed:
// least recently used entries go first, and forgetting can only cause misses.
const TENANT = "tenant-under-test";
const TTL_MS = 60_000;
/** Records of one string: kept as the objects they are, sized from their declared shape. */
const TEXT = entryShape<{ text: string }>("text", { record: { text: "string" } });
const NO_ANSWERS = 0;

async function fill(store: MemoryCacheStore, customerId: string, value: string): Promise<void> {
  const { key } = await store.readCustomer(TENANT, customerId, TEXT);
  await store.write(key!, { text: value }, TEXT, TTL_MS);
}

async function cached(store: MemoryCacheStore, customerId: string): Promise<string | null> {
  return (await store.readCustomer(TENANT, customerId, TEXT)).value?.text ?? null;
}

async function keptOf(store: MemoryCacheStore, ids: string[]): Promise<string[]> {
  const kept: string[] = [];
  for (const id of ids) if ((await cached(store, id)) !== null) kept.push(id);
  return kept;
}

describe("MemoryCacheStore bounds", () => {
  test("keeps at most maxEntries entries and evicts the least recently used", async () => {
    const store = new MemoryCacheStore({ maxEntries: 3, maxBytes: 1024 * 1024, answersMaxBytes: NO_ANSWERS });
    for (const id of ["a", "b", "c"]) await fill(store, id, `customer ${id}`);
    // Reading "a" makes "b" the least recently used.
    expect(await cached(store, "a")).toBe("customer a");
    await fill(store, "d", "customer d");
    expect(await keptOf(store, ["a", "b", "c", "d"])).toEqual(["a", "c", "d"]);
    await fill(store, "e", "customer e");
    expect(await keptOf(store, ["a", "b", "c", "d", "e"])).toHaveLength(3);
  });

  test("keeps at most maxBytes of entries (two bytes a character, key included), evicting the oldest", async () => {
    // One-letter customer ids: every entry has the same size.
    const key = (await new MemoryCacheStore({ maxEntries: 1, maxBytes: 1024, answersMaxBytes: NO_ANSWERS }).readCustomer(TENANT, "a", TEXT))
      .key!;
    const value = "v".repeat(1000);
    const entryBytes = TEXT.sizeOf({ text: value }) + key.length * 2;
    expect(entryBytes).toBeGreaterThan(value.length * 2);
    const store = new MemoryCacheStore({ maxEntries: 1000, maxBytes: entryBytes * 4, answersMaxBytes: NO_ANSWERS });
    const names = "abcdefghij".split("");
    for (const name of names) await fill(store, name, value);
    // Four entries fit exactly; the six written first are gone, whatever maxEntries allows.
    expect(await keptOf(store, names)).toEqual(["g", "h", "i", "j"]);
  });

  test("an entry larger than maxBytes is not kept, and does not push out the others", async () => {
    const store = new MemoryCacheStore({ maxEntries: 100, maxBytes: 4096, answersMaxBytes: NO_ANSWERS });
    await fill(store, "small", "fits");
    await fill(store, "huge", "h".repeat(5000));
    expect(await cached(store, "huge")).toBeNull();
    expect(await cached(store, "small")).toBe("fits");
  });

  test("memory stays bounded: 400 MB of answers through a 2 MB cache leave at most 2 MB of entries", async () => {
    const maxBytes = 2 * 1024 * 1024;
    const store = new MemoryCacheStore({ maxEntries: 1_000_000, maxBytes, answersMaxBytes: NO_ANSWERS });
    const valueChars = 10_000;
    const writes = 20_000; // 20,000 × 10,000 characters × 2 bytes = 400 MB offered
    for (let i = 0; i < writes; i++) await fill(store, `c${i}`, `${i}:`.padEnd(valueChars, "x"));
    const ids = Array.from({ length: writes }, (_, i) => `c${i}`);
    const kept = await keptOf(store, ids);
    const keptBytes = kept.length * (valueChars + (await store.readCustomer(TENANT, "c0", TEXT)).key!.length) * 2;
    expect(kept.length).toBeGreaterThan(0);
    expect(keptBytes).toBeLessThanOrEqual(maxBytes);
    // What is kept is the most recent writes, with their own values.
    expect(kept.at(-1)).toBe(`c${writes - 1}`);
    expect((await cached(store, `c${writes - 1}`))!.startsWith(`${writes - 1}:`)).toBe(true);
  });

  test("more invalidations than generations remembered: forgetting them never resurrects an entry from before a write", async () => {
    const store = new MemoryCacheStore({ maxEntries: 1000, maxBytes: 1024 * 1024, answersMaxBytes: NO_ANSWERS });
    await fill(store, "kept-id", "before the write");
    await store.invalidateCustomers(TENANT, ["kept-id"]);
    expect(await cached(store, "kept-id")).toBeNull();
    await fill(store, "kept-id", "after the write");
    // 150,000 other customers invalidated: more than the 100,000 generations the store remembers.
    await store.invalidateCustomers(
      TENANT,
      Array.from({ length: 150_000 }, (_, i) => `other-${i}`),
    );
    // The generation of "kept-id" was forgotten: a miss (refetch), never the entry from before the write.
    expect(await cached(store, "kept-id")).toBeNull();
    await fill(store, "kept-id", "refetched");
    expect(await cached(store, "kept-id")).toBe("refetched");
  });
});
