import { jest } from "@jest/globals";
import { once } from "node:events";
import { Redis } from "ioredis";
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

redisServer.describe("the key layout, TypeScript and Lua, on a real Redis", () => {
  let server: RedisServer;
  let redis: Redis;
  let store: RedisCacheStore;
  let identity: RedisServerIdentity;
  const tenant = tenantOf("http://upstream.test", "app:{1}");
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
    expect((await store.readPage(tenant, MEMBER, "p1")).key).toBeNull();
    await store.learnAlias(tenant, MEMBER, VOUCHER);
    expect(await store.voucherIdOf(tenant, MEMBER)).toBe(VOUCHER);
    const read = await store.readPage(tenant, MEMBER, "p1");
    expect(read.key).toBe(keys.page(tenant, stamped(0), VOUCHER, "0", "p1"));
    expect(read.value).toBeNull();
    expect(read.writes).toBe(stamped(0));
  });

  test("a page stored under the TypeScript key is what the Lua script reads, through either member name", async () => {
    await redis.set(keys.page(tenant, stamped(0), VOUCHER, "0", "p2"), "page two");
    expect((await store.readPage(tenant, MEMBER, "p2")).value).toBe("page two");
    expect((await store.readPage(tenant, VOUCHER, "p2")).value).toBe("page two");
  });

  test("a member bump through TypeScript keys hides the page from the Lua read; its new key is TypeScript's", async () => {
    const before = await store.readPage(tenant, MEMBER, "p3");
    await store.write(before.key!, "page three", 60_000);
    expect((await store.readPage(tenant, MEMBER, "p3")).value).toBe("page three");
    await store.invalidateMember(tenant, VOUCHER);
    expect(await redis.get(keys.memberGeneration(tenant, VOUCHER))).toBe("1");
    const after = await store.readPage(tenant, MEMBER, "p3");
    expect(after).toEqual({ key: keys.page(tenant, stamped(0), VOUCHER, "1", "p3"), value: null, writes: stamped(1) });
  });

  test("a tenant bump hides pages and customers; a customer bump hides only that customer", async () => {
    const customer = await store.readCustomer(tenant, CUSTOMER);
    expect(customer.key).toBe(keys.customer(tenant, stamped(0), CUSTOMER, "0"));
    await redis.set(keys.customer(tenant, stamped(0), CUSTOMER, "0"), "customer");
    expect((await store.readCustomer(tenant, CUSTOMER)).value).toBe("customer");

    await store.invalidateCustomers(tenant, [CUSTOMER]);
    expect(await redis.get(keys.customerGeneration(tenant, CUSTOMER))).toBe("1");
    expect(await store.readCustomer(tenant, CUSTOMER)).toEqual({ key: keys.customer(tenant, stamped(0), CUSTOMER, "1"), value: null });

    await store.invalidateTenant(tenant);
    expect(await redis.get(keys.tenantGeneration(tenant))).toBe("1");
    expect((await store.readCustomer(tenant, CUSTOMER)).key).toBe(keys.customer(tenant, stamped(1), CUSTOMER, "1"));
    expect((await store.readPage(tenant, MEMBER, "p2")).key).toBe(keys.page(tenant, stamped(1), VOUCHER, "1", "p2"));
  });

  test("every key stays inside the tenant's hash tag, whatever the ids hold", async () => {
    const all = await redis.keys("*");
    expect(all.length).toBeGreaterThan(0);
    for (const key of all) expect(key.startsWith(keys.prefix(tenant))).toBe(true);
    // An id's own braces and colons are escaped: the first '}' is the tag's.
    for (const key of all) expect(key.indexOf("}")).toBe(keys.prefix(tenant).length - 2);
  });
});
