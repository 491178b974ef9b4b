import { jest } from "@jest/globals";
import { Redis } from "ioredis";
import { SEED } from "../../src/emulator/seed.js";
import { startEmulator, type EmulatorHandle } from "../../src/emulator/emulator.js";
import { findOsBinary } from "../support/os-binary.js";
import { startRedisServer, type RedisServer } from "../support/redis-server.js";
import { startGatewayProcess, type GatewayProcess } from "../support/gateway-process.js";
import { eventually, listCalls, readyz } from "../support/replica-probes.js";
import { upstreamEnv } from "../support/process-env.js";
import { graphql } from "../support/stack.js";

// A Redis that stops answering without going away (CLIENT PAUSE: connections stay open, replies wait). The gateway
// must not wait for it longer than REDIS_TIMEOUT_MS per request: after the first command that times out, the cache,
// the quota and the caller budgets all go on without Redis until its health probe finds it answering again.
const redisServer = findOsBinary("redis-server", { debianPackage: "redis-server" });

const REDIS_TIMEOUT_MS = 300;
const PAUSE_MS = 6000;
/** Requests made during the pause: were each to wait REDIS_TIMEOUT_MS even once, they could not all fit in it. */
const REQUESTS = 30;
const PAGE = `query($memberId: ID!) { referralMember(memberId: $memberId) { holders(first: 100) { totalCount nodes { id } } } }`;
const ADD = `mutation($input: AddHoldersInput!) { addHolders(input: $input) { holders { id } } }`;

redisServer.describe("a Redis slower than REDIS_TIMEOUT_MS", () => {
  let redis: RedisServer;
  let emulator: EmulatorHandle;
  let gateway: GatewayProcess;
  const clients: Redis[] = [];
  jest.setTimeout(60_000);

  beforeAll(async () => {
    redis = await startRedisServer(redisServer.path!);
    emulator = await startEmulator({ dbFile: ":memory:", port: 0 });
    gateway = await startGatewayProcess({
      ...upstreamEnv(emulator),
      REDIS_URL: redis.url,
      REDIS_TIMEOUT_MS: String(REDIS_TIMEOUT_MS),
      CACHE_HOLDERS_TTL_MS: "60000",
      // Budgets and the quota in Redis too (far from reached): they must not wait on it either.
      CALLER_BUDGET_PER_MINUTE: "1000000",
      VOUCHERIFY_QUOTA_PER_MINUTE: "1000000",
    });
  });
  afterAll(async () => {
    for (const client of clients) client.disconnect();
    await gateway?.stop();
    await emulator?.stop();
    await redis?.stop();
  });

  test("paused Redis: every request answers 200 with the right data before Redis does; degraded, then shared again", async () => {
    const connect = () => {
      const client = new Redis({ port: redis.port, host: "127.0.0.1", maxRetriesPerRequest: 1 });
      clients.push(client);
      return client;
    };
    const [admin, probe] = [connect(), connect()];
    const read = () => graphql(gateway.graphqlUrl, PAGE, { memberId: SEED.code });
    const listed = (answer: Awaited<ReturnType<typeof read>>) =>
      (answer.data?.referralMember.holders.nodes as Array<{ id: string }> | undefined)?.map((node) => node.id) ?? [];
    // The page is cached in Redis before the pause.
    await eventually(async () => (await readyz(gateway)).checks.cache === "shared");
    expect((await read()).errors).toBeUndefined();
    emulator.resetRequests();
    expect((await read()).data?.referralMember.holders.totalCount).toBe(26);
    expect(listCalls(emulator)).toBe(0);

    await admin.call("CLIENT", "PAUSE", String(PAUSE_MS), "ALL");
    let redisAnswered = false;
    const pong = probe.ping().then(() => (redisAnswered = true));

    const added = await graphql(gateway.graphqlUrl, ADD, { input: { memberId: SEED.code, holders: [{ sourceId: "during-the-pause" }] } });
    expect(added.status).toBe(200);
    expect(added.errors).toBeUndefined();
    const holderId = added.data!.addHolders.holders[0].id as string;
    const answers = [];
    for (let i = 0; i < REQUESTS; i++) answers.push(await read());
    const state = await readyz(gateway);
    // All of it happened while Redis was still paused: none of it can have waited for Redis's answer.
    expect(redisAnswered).toBe(false);
    expect(answers.map((answer) => answer.status)).toEqual(Array(REQUESTS).fill(200));
    expect(answers.filter((answer) => answer.errors !== undefined)).toEqual([]);
    const right = answers.filter((answer) => answer.data?.referralMember.holders.totalCount === 27 && listed(answer).includes(holderId));
    expect(right).toHaveLength(REQUESTS);
    expect(state).toMatchObject({ ready: true, checks: { cache: "degraded" } });

    await pong;
    await eventually(async () => (await readyz(gateway)).checks.cache === "shared");
    // The write made during the pause invalidated nothing in Redis then; it is replayed before the cache serves
    // again, so the page cached before it is not served, and the cache works again.
    const after = await read();
    expect(listed(after)).toContain(holderId);
    emulator.resetRequests();
    expect(listed(await read())).toContain(holderId);
    expect(listCalls(emulator)).toBe(0);
    // Said in the log (more than once if the busy test machine makes a later command slower than the timeout too).
    expect(gateway.output()).toContain("Redis is unreachable or slow");
  });
});
