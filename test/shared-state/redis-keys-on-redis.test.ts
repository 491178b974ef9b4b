import { jest } from "@jest/globals";
import { once } from "node:events";
import { Redis } from "ioredis";
import { entryShape } from "../../src/shared-state/entry-shape.js";
import { RedisCacheStore } from "../../src/shared-state/redis-cache-store.js";
import { RedisHealth } from "../../src/shared-state/redis-health.js";
import { keys } from "../../src/shared-state/redis-keys.js";
import { RedisServerIdentity } from "../../src/shared-state/redis-server-identity.js";
import { tenantOf } from "../../src/shared-state/tenant.js";
import { captureLogs } from "../support/log-capture.js";
import { findOsBinary } from "../support/os-binary.js";
import { startRedisServer, type RedisServer } from "../support/redis-server.js";

// The cache's Lua read scripts build some keys themselves (from what they read); the TypeScript builds the others.
// Both come from redis-keys.ts: on a real Redis, what one side writes the other reads, and what one side bumps
// the other no longer finds, with ids full of the characters a key layout can trip on.
const redisServer = findOsBinary("redis-server", { debianPackage: "redis-server" });

const MEMBER = "code:with {braces}/%2F é";
const VOUCHER = "v_1:{x}%/.. ü";
const CUSTOMER = "cust:{y} 1/%3A";
/** Entries of one string, written in their format as the store writes them. */
const TEXT = entryShape<{ text: string }>("text", { record: { text: "string" } });
const entry = (text: string) => `${TEXT.format}\n${JSON.stringify({ text })}`;
const textOf = (read: { value: { text: string } | null }) => read.value?.text ?? null;

redisServer.describe("the key layout, TypeScript and Lua, on a real Redis", () => {
  let server: RedisServer;
  let redis: Redis;
  let store: RedisCacheStore;
  let identity: RedisServerIdentity;
  const tenant = tenantOf("http://upstream.test", "app:{1}");
  /** Where an answer of `format` with the id `id` lives, as AnswerCache names it. */
  const answerName = (format: string, id: string) => ({ tenant, format, key: keys.answer(tenant, format, id) });
  jest.setTimeout(30_000);

  beforeAll(async () => {
    server = await startRedisServer(redisServer.path!);
    redis = new Redis(server.url);
    const onError = (error: unknown) => {
      throw error;
    };
    identity = new RedisServerIdentity(redis, onError);
    store = new RedisCacheStore(redis, new RedisHealth(redis, captureLogs("silent").logger, 2000), identity);
    await once(redis, "ready");
    await identity.learn();
  });
  afterAll(async () => {
    redis?.disconnect();
    await server?.stop();
  });

  /** The tenant's generation as the Lua scripts stamp it: the server's identity first. */
  const stamped = (generation: number) => `${identity.current}.${generation}`;

  test("an alias learned through TypeScript is read by the Lua script, which names the page as TypeScript does", async () => {
    expect((await store.readPage(tenant, MEMBER, "p1", TEXT)).key).toBeNull();
    await store.learnAlias(tenant, MEMBER, VOUCHER);
    expect(await store.voucherIdOf(tenant, MEMBER)).toBe(VOUCHER);
    const read = await store.readPage(tenant, MEMBER, "p1", TEXT);
    expect(read.key).toBe(keys.page(tenant, TEXT.format, stamped(0), VOUCHER, "0", "p1"));
    expect(read.value).toBeNull();
    expect(read.writes).toBe(stamped(0));
    expect(read.sources).toEqual([
      { kind: "tenant", id: "", generation: stamped(0) },
      { kind: "member", id: VOUCHER, generation: stamped(0) },
    ]);
  });

  test("a page stored under the TypeScript key is what the Lua script reads, through either member name", async () => {
    await redis.set(keys.page(tenant, TEXT.format, stamped(0), VOUCHER, "0", "p2"), entry("page two"));
    expect(textOf(await store.readPage(tenant, MEMBER, "p2", TEXT))).toBe("page two");
    expect(textOf(await store.readPage(tenant, VOUCHER, "p2", TEXT))).toBe("page two");
  });

  test("a member bump through TypeScript keys hides the page from the Lua read; its new key is TypeScript's", async () => {
    const before = await store.readPage(tenant, MEMBER, "p3", TEXT);
    await store.write(before.key!, { text: "page three" }, TEXT, 60_000);
    expect(textOf(await store.readPage(tenant, MEMBER, "p3", TEXT))).toBe("page three");
    await store.invalidateMember(tenant, VOUCHER);
    expect(await redis.get(keys.memberGeneration(tenant, VOUCHER))).toBe("1");
    const after = await store.readPage(tenant, MEMBER, "p3", TEXT);
    expect(after).toMatchObject({ key: keys.page(tenant, TEXT.format, stamped(0), VOUCHER, "1", "p3"), value: null, writes: stamped(1) });
  });

  test("a tenant bump hides pages and customers; a customer bump hides only that customer", async () => {
    const customer = await store.readCustomer(tenant, CUSTOMER, TEXT);
    expect(customer.key).toBe(keys.customer(tenant, TEXT.format, stamped(0), CUSTOMER, "0"));
    await redis.set(keys.customer(tenant, TEXT.format, stamped(0), CUSTOMER, "0"), entry("customer"));
    expect(textOf(await store.readCustomer(tenant, CUSTOMER, TEXT))).toBe("customer");

    await store.invalidateCustomers(tenant, [CUSTOMER]);
    expect(await redis.get(keys.customerGeneration(tenant, CUSTOMER))).toBe("1");
    expect(await store.readCustomer(tenant, CUSTOMER, TEXT)).toMatchObject({
      key: keys.customer(tenant, TEXT.format, stamped(0), CUSTOMER, "1"),
      value: null,
    });

    await store.invalidateTenant(tenant);
    expect(await redis.get(keys.tenantGeneration(tenant))).toBe("1");
    expect((await store.readCustomer(tenant, CUSTOMER, TEXT)).key).toBe(keys.customer(tenant, TEXT.format, stamped(1), CUSTOMER, "1"));
    expect((await store.readPage(tenant, MEMBER, "p2", TEXT)).key).toBe(keys.page(tenant, TEXT.format, stamped(1), VOUCHER, "1", "p2"));
  });

  test("an answer is served while the generations it was read under hold, and hidden by a bump of any of them", async () => {
    const page = await store.readPage(tenant, MEMBER, "p4", TEXT);
    const customer = await store.readCustomer(tenant, CUSTOMER, TEXT);
    const sources = [...page.sources, ...customer.sources.filter((source) => source.kind === "customer")];
    const body = Buffer.from('{"data":{"answer":"é"}}\n');
    const keep = () => store.writeAnswer(answerName("answer.test", "a1"), { body, sources }, [], 60_000);
    await keep();
    expect(await store.readAnswer(answerName("answer.test", "a1"))).toEqual(body);
    // Another format (another build's answers) is another key: nothing there.
    expect(await store.readAnswer(answerName("answer.other", "a1"))).toBeNull();
    await store.invalidateCustomers(tenant, [CUSTOMER]);
    expect(await store.readAnswer(answerName("answer.test", "a1"))).toBeNull();

    const again = async () => {
      const sources = [
        ...(await store.readPage(tenant, MEMBER, "p4", TEXT)).sources,
        ...(await store.readCustomer(tenant, CUSTOMER, TEXT)).sources,
      ];
      await store.writeAnswer(answerName("answer.test", "a1"), { body, sources }, [], 60_000);
      expect(await store.readAnswer(answerName("answer.test", "a1"))).toEqual(body);
    };
    await again();
    await store.invalidateMember(tenant, VOUCHER);
    expect(await store.readAnswer(answerName("answer.test", "a1"))).toBeNull();
    await again();
    await store.invalidateTenant(tenant);
    expect(await store.readAnswer(answerName("answer.test", "a1"))).toBeNull();
    await again();
    await store.dropAnswer(answerName("answer.test", "a1"));
    expect(await store.readAnswer(answerName("answer.test", "a1"))).toBeNull();
  });

  test("an answer built before its member's voucher id was known depends on the tenant's count of writes", async () => {
    const unknown = await store.readPage(tenant, "a code never read", "p5", TEXT);
    expect(unknown.sources).toEqual([{ kind: "writes", id: "", generation: unknown.writes }]);
    const body = Buffer.from('{"data":{}}\n');
    await store.writeAnswer(answerName("answer.test", "a2"), { body, sources: unknown.sources }, [], 60_000);
    expect(await store.readAnswer(answerName("answer.test", "a2"))).toEqual(body);
    // A write through any member of the tenant bumps the count.
    await store.invalidateMember(tenant, "v_some_other_member");
    expect(await store.readAnswer(answerName("answer.test", "a2"))).toBeNull();
  });

  test("an answer lives no longer than the entries it was built from, by Redis's clock; not at all when one is gone", async () => {
    const page = await store.readPage(tenant, MEMBER, "p6", TEXT);
    await store.write(page.key!, { text: "page six" }, TEXT, 2000);
    const answer = { body: Buffer.from("{}\n"), sources: page.sources };
    await store.writeAnswer(answerName("answer.test", "a3"), answer, [page.key!], 60_000);
    const lives = await redis.multi().pttl(answerName("answer.test", "a3").key).pttl(page.key!).exec();
    const [answerLeft, pageLeft] = lives!.map(([, left]) => left as number);
    expect(answerLeft).toBeGreaterThan(0);
    expect(answerLeft).toBeLessThanOrEqual(pageLeft);
    await store.writeAnswer(
      answerName("answer.test", "a4"),
      answer,
      [page.key!, keys.customer(tenant, TEXT.format, "x", "gone", "0")],
      60_000,
    );
    expect(await redis.exists(answerName("answer.test", "a4").key)).toBe(0);
  });

  test("every key stays inside the tenant's hash tag, whatever the ids hold", async () => {
    const all = await redis.keys("*");
    expect(all.length).toBeGreaterThan(0);
    for (const key of all) expect(key.startsWith(keys.prefix(tenant))).toBe(true);
    // An id's own braces and colons are escaped: the first '}' is the tag's.
    for (const key of all) expect(key.indexOf("}")).toBe(keys.prefix(tenant).length - 2);
  });
});
