import { jest } from "@jest/globals";
import { Redis } from "ioredis";
import { startEmulator, type EmulatorHandle } from "../../src/emulator/emulator.js";
import { SEED } from "../../src/emulator/seed.js";
import { findOsBinary } from "../support/os-binary.js";
import { startRedisServer, type RedisServer } from "../support/redis-server.js";
import { startGatewayProcess, type GatewayProcess } from "../support/gateway-process.js";
import { upstreamEnv } from "../support/process-env.js";
import { metric, readyz } from "../support/replica-probes.js";
import { graphql } from "../support/stack.js";

// A rolling deploy puts two builds on one Redis: every entry the gateway reads back carries its format and is checked
// before use. Entries of another format, truncated ones and ones of the wrong types are all misses: the answer is
// still right (read upstream again), the entry counted, and one warning logged per kind of entry and reason.
const redisServer = findOsBinary("redis-server", { debianPackage: "redis-server" });

const QUERY = `query Formats($memberId: ID!) {
  referralMember(memberId: $memberId) { holders(first: 3) { totalCount nodes { id createdAt holderRole customer { name email } } } }
}`;
const ADD = `mutation($input: AddHoldersInput!) { addHolders(input: $input) { holders { id } } }`;

/** What each way of spoiling an entry leaves in Redis, given the entry as the gateway wrote it. */
const SPOILERS: Record<string, (entry: string) => string> = {
  "written under another format": (entry) => entry.replace(/^[^\n]+\n/, "another.0123456789\n"),
  "an earlier build's unversioned JSON": (entry) => entry.slice(entry.indexOf("\n") + 1),
  "truncated JSON": (entry) => entry.slice(0, Math.floor(entry.length * 0.6)),
  "values of the wrong types": (entry) =>
    entry
      .replace(/"total":\d+/, '"total":"26"')
      .replace(/"createdAt":"[^"]+"/g, '"createdAt":12')
      .replace(/"name":("[^"]*"|null)/, '"name":{"first":"Eve"}')
      .replace(/^(answer\.[^\n]+\n)\d+\n/, "$1many\n"),
};

redisServer.describe("entries with a shape, on a real Redis", () => {
  let redis: RedisServer;
  let client: Redis;
  let emulator: EmulatorHandle;
  let replica: GatewayProcess;
  let reference: string;
  jest.setTimeout(90_000);

  beforeAll(async () => {
    redis = await startRedisServer(redisServer.path!);
    client = new Redis(redis.url);
    emulator = await startEmulator({ dbFile: ":memory:", port: 0 });
    replica = await startGatewayProcess({
      ...upstreamEnv(emulator),
      REDIS_URL: redis.url,
      REDIS_TIMEOUT_MS: "1000",
      CACHE_HOLDERS_TTL_MS: "60000",
      AUTH_DISABLED: "true",
    });
    reference = JSON.stringify(
      await graphql(replica.graphqlUrl, QUERY, { memberId: SEED.code }).then(({ data, errors }) => ({ data, errors })),
    );
  });
  afterAll(async () => {
    await replica?.stop();
    client?.disconnect();
    await emulator?.stop();
    await redis?.stop();
  });

  const read = async () => {
    const { data, errors } = await graphql(replica.graphqlUrl, QUERY, { memberId: SEED.code });
    return JSON.stringify({ data, errors });
  };

  /** Every entry of one kind, rewritten by `spoil` (its remaining TTL kept). */
  async function spoilAll(pattern: string, spoil: (entry: string) => string): Promise<number> {
    const found = await client.keys(pattern);
    for (const key of found) {
      const entry = (await client.get(key))!;
      await client.set(key, spoil(entry), "PX", Math.max(1000, await client.pttl(key)));
    }
    return found.length;
  }

  test.each(Object.entries(SPOILERS))(
    "entries %s: pages, customers and answers are misses, and the answer is still right",
    async (_way, spoil) => {
      expect(await read()).toBe(reference);
      const rejectedBefore = await metric(replica, "gateway_cache_entries_rejected_total");
      expect(await spoilAll("rg:*page:*", spoil)).toBeGreaterThan(0);
      expect(await spoilAll("rg:*cust:*", spoil)).toBeGreaterThan(0);
      expect(await spoilAll("rg:*ans:*", spoil)).toBeGreaterThan(0);
      emulator.resetRequests();
      expect(await read()).toBe(reference);
      // Read upstream again: the page and its three customers.
      expect(emulator.requests.map((request) => request.path.split("/")[2])).toEqual(["referrals", "customers", "customers", "customers"]);
      // The answer, the page and three customers were each rejected once.
      expect((await metric(replica, "gateway_cache_entries_rejected_total")) - rejectedBefore).toBe(5);
      // Written again in this build's format: served from the cache from here on.
      emulator.resetRequests();
      expect(await read()).toBe(reference);
      expect(emulator.requests).toEqual([]);
    },
  );

  test("each kind of entry and reason is logged once, whatever the count", () => {
    const warnings = replica
      .output()
      .split("\n")
      .filter((line) => line.includes("treated as a miss"))
      .map((line) => JSON.parse(line) as { entry: string; reason: string });
    const kinds = warnings.map(({ entry, reason }) => `${entry} ${reason}`).sort();
    expect(kinds).toEqual([
      "answers corrupt",
      "answers foreign",
      "customers corrupt",
      "customers foreign",
      "holders corrupt",
      "holders foreign",
    ]);
  });

  test("a generation or an alias that is not the gateway's: invalidations still land, reads still answer, Redis stays in use", async () => {
    for (const key of await client.keys("rg:*mgen:*")) await client.set(key, "not a count");
    for (const key of await client.keys("rg:*alias:*")) await client.set(key, "%E0%A4%A");
    const before = JSON.parse(await read()) as { data: { referralMember: { holders: { totalCount: number } } } };
    const added = await graphql(replica.graphqlUrl, ADD, { input: { memberId: SEED.code, holders: [{ sourceId: "formats-referee" }] } });
    expect(added.errors).toBeUndefined();
    const after = JSON.parse(await read()) as { data: { referralMember: { holders: { totalCount: number } } } };
    expect(after.data.referralMember.holders.totalCount).toBe(before.data.referralMember.holders.totalCount + 1);
    expect(await readyz(replica)).toMatchObject({ checks: { cache: "shared" } });
    expect(await metric(replica, "gateway_shared_state_errors_total")).toBe(0);
    expect(await metric(replica, 'gateway_cache_entries_rejected_total{entry="aliases"')).toBeGreaterThan(0);
  });
});
