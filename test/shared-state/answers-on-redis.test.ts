import { jest } from "@jest/globals";
import { Redis } from "ioredis";
import { startEmulator, type EmulatorHandle } from "../../src/emulator/emulator.js";
import { SEED } from "../../src/emulator/seed.js";
import { findOsBinary } from "../support/os-binary.js";
import { startRedisServer, type RedisServer } from "../support/redis-server.js";
import { startGatewayProcess, type GatewayProcess } from "../support/gateway-process.js";
import { upstreamEnv } from "../support/process-env.js";
import { metric } from "../support/replica-probes.js";
import { graphql } from "../support/stack.js";
import { ALL_SCOPES, bearer, signToken, TEST_JWT_SECRET } from "../support/tokens.js";

// Answers kept whole, shared by three gateway processes through one real Redis: served by every replica without an
// upstream call, never after a write through any of them, never longer than the pages they hold.
const redisServer = findOsBinary("redis-server", { debianPackage: "redis-server" });

const PAGE = `query SharedAnswer($memberId: ID!) {
  referralMember(memberId: $memberId) { holders(first: 100) { totalCount nodes { id } } }
}`;
const NAMES = `query SharedNames($memberId: ID!) { referralMember(memberId: $memberId) { holders(first: 100) { nodes { customerId } } } }`;
const ADD = `mutation($input: AddHoldersInput!) { addHolders(input: $input) { holders { id redeemableId } } }`;
const REMOVE = `mutation($input: RemoveHolderInput!) { removeHolder(input: $input) { removedHolderId } }`;

const hits = (replica: GatewayProcess, operation: string) =>
  metric(replica, `gateway_answer_cache_lookups_total{operation="${operation}",result="hit"}`);

redisServer.describe("answers kept whole, three replicas on one Redis", () => {
  let redis: RedisServer;
  let client: Redis;
  let emulator: EmulatorHandle;
  let replicas: GatewayProcess[];
  let auth: Record<string, string>;
  jest.setTimeout(120_000);

  beforeAll(async () => {
    redis = await startRedisServer(redisServer.path!);
    client = new Redis(redis.url);
    emulator = await startEmulator({ dbFile: ":memory:", port: 0 });
    const env = {
      ...upstreamEnv(emulator),
      REDIS_URL: redis.url,
      // The machine running the tests is busy: a generous timeout, so only a real outage degrades the cache.
      REDIS_TIMEOUT_MS: "1000",
      CACHE_HOLDERS_TTL_MS: "60000",
      AUTH_JWT_SECRET: TEST_JWT_SECRET,
      CALLER_BUDGET_PER_MINUTE: "150",
    };
    replicas = await Promise.all([0, 1, 2].map(() => startGatewayProcess(env)));
    auth = bearer(await signToken({ sub: "reader", scope: ALL_SCOPES }));
  });
  afterAll(async () => {
    await Promise.all((replicas ?? []).map((replica) => replica.stop()));
    client?.disconnect();
    await emulator?.stop();
    await redis?.stop();
  });

  const read = (replica: GatewayProcess, memberId: string, query = PAGE, headers = auth) =>
    graphql(replica.graphqlUrl, query, { memberId }, headers);
  const ids = (answer: Awaited<ReturnType<typeof read>>) =>
    (answer.data!.referralMember.holders.nodes as Array<{ id: string }>).map((n) => n.id);

  test("one replica's answer is served by the others without an upstream call", async () => {
    const first = await read(replicas[0], SEED.code);
    expect(first.errors).toBeUndefined();
    emulator.resetRequests();
    for (const replica of replicas) expect((await read(replica, SEED.code)).data).toEqual(first.data);
    expect(emulator.requests).toEqual([]);
    for (const replica of replicas) expect(await hits(replica, "SharedAnswer")).toBeGreaterThan(0);
  });

  test("after a write through any replica (the reader itself included), no replica serves the answer from before it", async () => {
    const voucherId = (
      await graphql(replicas[0].graphqlUrl, ADD, { input: { memberId: SEED.code, holders: [{ sourceId: "answers-voucher" }] } }, auth)
    ).data!.addHolders.holders[0].redeemableId as string;
    expect(voucherId).toMatch(/^v_/);
    let stale = 0;
    let served = 0;
    for (let round = 0; round < 9; round++) {
      const writer = replicas[round % 3];
      const reader = replicas[Math.floor(round / 3)];
      // The reader's name for the member alternates: a write through the code hides answers read through the voucher id.
      const readName = round % 2 === 0 ? voucherId : SEED.code;
      const writeName = round % 2 === 0 ? SEED.code : voucherId;
      // Kept, and served again by the reader (proof that the next read could be served from Redis).
      await read(reader, readName);
      const hitsBefore = await hits(reader, "SharedAnswer");
      await read(reader, readName);
      served += (await hits(reader, "SharedAnswer")) - hitsBefore;

      const added = await graphql(
        writer.graphqlUrl,
        ADD,
        { input: { memberId: writeName, holders: [{ sourceId: `answers-round-${round}` }] } },
        auth,
      );
      expect(added.errors).toBeUndefined();
      const holderId = added.data!.addHolders.holders[0].id as string;
      if (!ids(await read(reader, readName)).includes(holderId)) stale++;

      const removed = await graphql(writer.graphqlUrl, REMOVE, { input: { memberId: writeName, holderId } }, auth);
      expect(removed.errors).toBeUndefined();
      if (ids(await read(reader, readName)).includes(holderId)) stale++;
    }
    expect({ stale, served }).toEqual({ stale: 0, served: 9 });
  });

  test("a hit spends none of the caller's budget, on any replica", async () => {
    // An estimated 101 upstream calls (100 holders with their customers): one fits in the budget of 150, two do not.
    const costly = `query SharedCostly($memberId: ID!) {
      referralMember(memberId: $memberId) { holders(first: 100) { nodes { customer { name } } } }
    }`;
    const thrifty = bearer(await signToken({ sub: "thrifty", scope: ALL_SCOPES }));
    expect((await read(replicas[0], SEED.code, costly, thrifty)).errors).toBeUndefined();
    emulator.resetRequests();
    for (let i = 0; i < 6; i++) expect((await read(replicas[i % 3], SEED.code, costly, thrifty)).errors).toBeUndefined();
    expect(emulator.requests).toEqual([]);
    const refused = await read(replicas[1], SEED.code, costly, { ...thrifty, "cache-control": "no-cache" });
    expect(refused.errors?.[0]?.extensions?.code).toBe("RATE_LIMITED");
  });

  test("an answer lives no longer than the page it holds: read with 5 s left, it is kept for at most 5 s", async () => {
    await read(replicas[0], SEED.code, NAMES);
    // The page (all of the member's, in one upstream read) as another read would find it, older: 5 s left (far from its
    // 60 s, and long enough that a busy machine cannot let it expire before the read).
    const pages = await client.keys("rg:*page:*");
    expect(pages.length).toBeGreaterThan(0);
    // All at once (one transaction): each page then has the same 5 s left.
    const older = client.multi();
    for (const page of pages) older.pexpire(page, 5000);
    await older.exec();
    for (const answer of await client.keys("rg:*ans:*")) await client.del(answer);
    // Another document over the same page, through another replica: the page is a hit, its customers too.
    emulator.resetRequests();
    const { errors } = await read(replicas[1], SEED.code, PAGE);
    expect(errors).toBeUndefined();
    expect(emulator.requests).toEqual([]);
    const kept = await client.keys("rg:*ans:*");
    expect(kept).toHaveLength(1);
    // Both lives read at the same instant (one transaction).
    const lives = client.multi().pttl(kept[0]);
    for (const page of pages) lives.pttl(page);
    const [answerLeft, ...pagesLeft] = (await lives.exec())!.map(([, left]) => left as number);
    expect(answerLeft).toBeGreaterThan(0);
    expect(answerLeft).toBeLessThanOrEqual(Math.min(...pagesLeft));
  });
});
