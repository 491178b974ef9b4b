import { jest } from "@jest/globals";
import { once } from "node:events";
import { Redis } from "ioredis";
import { entryShape } from "../../src/shared-state/entry-shape.js";
import { RedisCacheStore } from "../../src/shared-state/redis-cache-store.js";
import { RedisHealth } from "../../src/shared-state/redis-health.js";
import { RedisServerIdentity } from "../../src/shared-state/redis-server-identity.js";
import { tenantOf } from "../../src/shared-state/tenant.js";
import { captureLogs } from "../support/log-capture.js";
import { findOsBinary } from "../support/os-binary.js";
import { startRedisServer, type RedisServer } from "../support/redis-server.js";

// After an outage, Redis answering again is not enough to read from it: other replicas may still be acknowledging
// writes whose invalidations they cannot write yet, so the cache is read again only once Redis has answered for
// SETTLE_MS. A real Redis that stops answering (SIGSTOP) and answers again (SIGCONT); the settle time measured on a
// clock the test steps, so nothing here waits for it.
const redisServer = findOsBinary("redis-server", { debianPackage: "redis-server" });

/** The settle time operators are told (docs/operators/replicas-and-redis.md: "the cache stays off for 2.5 s more"). */
const SETTLE_MS = 2500;
/** Entries of one string, as the store writes them. */
const TEXT = entryShape<{ text: string }>("text", { record: { text: "string" } });
/** Short: the outage is found by one read that waits this long. */
const TIMEOUT_MS = 300;

redisServer.describe("Redis health: the cache comes back only after the settle time", () => {
  let server: RedisServer;
  let redis: Redis;
  jest.setTimeout(30_000);

  beforeAll(async () => {
    server = await startRedisServer(redisServer.path!);
    redis = new Redis(server.url);
    await once(redis, "ready");
  });
  afterAll(async () => {
    redis?.disconnect();
    await server?.stop();
  });

  test("right after Redis answers again reads skip it; SETTLE_MS later they are served from it", async () => {
    let clock = 1_000_000;
    const logs = captureLogs("info");
    const health = new RedisHealth(redis, logs.logger, TIMEOUT_MS, { now: () => clock });
    const changes: boolean[] = [];
    health.onChange((degraded) => changes.push(degraded));
    const identity = new RedisServerIdentity(redis, (error) => {
      throw error;
    });
    await identity.learn();
    const store = new RedisCacheStore(redis, health, identity);
    const tenant = tenantOf("http://upstream.test", "settle");
    const read = async () => (await store.readCustomer(tenant, "cust_1", TEXT)).value?.text ?? null;
    try {
      const { key } = await store.readCustomer(tenant, "cust_1", TEXT);
      await store.write(key!, { text: "cached customer" }, TEXT, 60_000);
      expect(await read()).toBe("cached customer");

      // The outage: Redis stops answering; the read that finds it out is a miss, and so is every read after it.
      process.kill(server.pid, "SIGSTOP");
      try {
        expect(await read()).toBeNull();
      } finally {
        process.kill(server.pid, "SIGCONT");
      }
      expect(health.degraded).toBe(true);
      expect(changes).toEqual([true]);

      // Redis answers again: a probe sees it (and would replay missed invalidations), invalidations may be written...
      while (!health.writable) await health.probeNow();
      // ...but reads still skip the cache, up to the last millisecond of the settle time.
      expect(health.degraded).toBe(true);
      expect(await read()).toBeNull();
      clock += SETTLE_MS - 1;
      await health.probeNow();
      expect(health.degraded).toBe(true);
      expect(await read()).toBeNull();

      // Settled: the next probe turns the cache back on, and the entry from before the outage is served again.
      clock += 1;
      await health.probeNow();
      expect(health.degraded).toBe(false);
      expect(changes).toEqual([true, false]);
      expect(await read()).toBe("cached customer");
      const back = logs.lines().find((line) => line.msg === "Redis answers again: cache and shared limits are back");
      expect(back).toMatchObject({ outageMs: SETTLE_MS });
    } finally {
      health.close();
    }
  });
});
