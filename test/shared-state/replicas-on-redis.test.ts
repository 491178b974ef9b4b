import { jest } from "@jest/globals";
import http from "node:http";
import { once } from "node:events";
import type { AddressInfo } from "node:net";
import { SEED } from "../../src/emulator/seed.js";
import { startEmulator, type EmulatorHandle } from "../../src/emulator/emulator.js";
import { findOsBinary } from "../support/os-binary.js";
import { startRedisServer, type RedisServer } from "../support/redis-server.js";
import { startGatewayProcess, type GatewayProcess } from "../support/gateway-process.js";
import { eventually, listCalls, metric, pool, readyz } from "../support/replica-probes.js";
import { upstreamEnv } from "../support/process-env.js";
import { graphql } from "../support/stack.js";

// Several gateway processes, one real Redis, the emulator counting every upstream call it receives.
const redisServer = findOsBinary("redis-server", { debianPackage: "redis-server" });

const PAGE = `query($memberId: ID!) { referralMember(memberId: $memberId) { holders(first: 100) { totalCount nodes { id customerId } } } }`;
const ADD = `mutation($input: AddHoldersInput!) { addHolders(input: $input) { holders { id customerId redeemableId } } }`;
const REMOVE = `mutation($input: RemoveHolderInput!) { removeHolder(input: $input) { removedHolderId } }`;

function replicaEnv(emulator: EmulatorHandle, redis: RedisServer, extra: Record<string, string> = {}): Record<string, string> {
  return {
    ...upstreamEnv(emulator),
    REDIS_URL: redis.url,
    // The machine running the tests is busy: a generous timeout, so only a real outage degrades the cache.
    REDIS_TIMEOUT_MS: "1000",
    CACHE_HOLDERS_TTL_MS: "60000",
    ...extra,
  };
}

async function read(replica: GatewayProcess, memberId: string = SEED.code, headers: Record<string, string> = {}) {
  return graphql(replica.graphqlUrl, PAGE, { memberId }, headers);
}

redisServer.describe("three replicas on one Redis", () => {
  let redis: RedisServer;
  let emulator: EmulatorHandle;
  let replicas: GatewayProcess[];
  jest.setTimeout(120_000);

  beforeAll(async () => {
    redis = await startRedisServer(redisServer.path!);
    emulator = await startEmulator({ dbFile: ":memory:", port: 0 });
    replicas = await Promise.all([0, 1, 2].map(() => startGatewayProcess(replicaEnv(emulator, redis))));
  });
  afterAll(async () => {
    await Promise.all((replicas ?? []).map((replica) => replica.stop()));
    await emulator?.stop();
    await redis?.stop();
  });

  test("300 identical reads over three replicas within the TTL make at most 3 upstream list calls", async () => {
    emulator.resetRequests();
    const answers = await pool(300, 12, (i) => read(replicas[i % 3]));
    expect(answers.every((answer) => answer.errors === undefined && answer.data?.referralMember.holders.totalCount === 26)).toBe(true);
    expect(listCalls(emulator)).toBeLessThanOrEqual(3);
    // Served by the answers kept whole in Redis, on every replica.
    for (const replica of replicas)
      expect(await metric(replica, 'gateway_answer_cache_lookups_total{operation="anonymous",result="hit"}')).toBeGreaterThan(0);
  });

  test("Cache-Control: no-cache reads upstream", async () => {
    emulator.resetRequests();
    const answer = await read(replicas[1], SEED.code, { "cache-control": "no-cache" });
    expect(answer.errors).toBeUndefined();
    expect(listCalls(emulator)).toBe(1);
  });

  test("20 write-then-read rounds across replicas, through the code and the voucher id: 0 stale reads", async () => {
    const voucherId =
      (await read(replicas[0])).data!.referralMember.holders.nodes.length > 0
        ? ((
            await graphql(
              replicas[0].graphqlUrl,
              `{ referralMember(memberId: "${SEED.code}") { holders(first: 1) { nodes { redeemableId } } } }`,
            )
          ).data!.referralMember.holders.nodes[0].redeemableId as string)
        : "";
    expect(voucherId).toMatch(/^v_/);
    // Warm every replica's view under both names.
    for (const replica of replicas) for (const name of [SEED.code, voucherId]) expect((await read(replica, name)).errors).toBeUndefined();
    let stale = 0;
    for (let round = 0; round < 20; round++) {
      const writer = replicas[round % 3];
      const reader = replicas[(round + 1) % 3];
      const added = await graphql(writer.graphqlUrl, ADD, {
        input: { memberId: round % 2 === 0 ? SEED.code : voucherId, holders: [{ sourceId: `replica-round-${round}` }] },
      });
      expect(added.errors).toBeUndefined();
      const holderId = added.data!.addHolders.holders[0].id as string;
      const seen = await read(reader, round % 2 === 0 ? voucherId : SEED.code);
      if (!seen.data!.referralMember.holders.nodes.some((node: { id: string }) => node.id === holderId)) stale++;
    }
    expect(stale).toBe(0);
    // The same for removals.
    const listed = (await read(replicas[0])).data!.referralMember.holders.nodes as Array<{ id: string }>;
    const referees = listed.slice(1, 21);
    let staleAfterRemoval = 0;
    for (const [round, holder] of referees.entries()) {
      const removed = await graphql(replicas[round % 3].graphqlUrl, REMOVE, {
        input: { memberId: round % 2 ? SEED.code : voucherId, holderId: holder.id },
      });
      expect(removed.errors).toBeUndefined();
      const seen = await read(replicas[(round + 2) % 3], round % 2 ? voucherId : SEED.code);
      if (seen.data!.referralMember.holders.nodes.some((node: { id: string }) => node.id === holder.id)) staleAfterRemoval++;
    }
    expect(staleAfterRemoval).toBe(0);
  });

  test("Redis killed during 200 reads: 0 failed reads, degraded in /readyz (still ready); Redis back: cache hits resume", async () => {
    const answers = pool(200, 8, async (i) => {
      if (i === 50) await redis.stop();
      return read(replicas[i % 3]);
    });
    const failed = (await answers).filter((answer) => answer.errors !== undefined || answer.status !== 200);
    expect(failed).toEqual([]);
    const state = await readyz(replicas[0]);
    expect(state).toMatchObject({ ready: true, checks: { cache: "degraded" } });
    expect(await metric(replicas[0], "gateway_shared_state_errors_total")).toBeGreaterThan(0);
    expect(replicas[0].output().match(/Redis is unreachable or slow/g)).toHaveLength(1);

    redis = await startRedisServer(redisServer.path!, redis.port);
    await eventually(async () => (await Promise.all(replicas.map(readyz))).every((s) => s.checks.cache === "shared"));
    await read(replicas[0]);
    emulator.resetRequests();
    for (const replica of replicas) expect((await read(replica)).errors).toBeUndefined();
    expect(listCalls(emulator)).toBe(0);
  });

  test("a 429 on one replica makes the others refuse without an upstream call", async () => {
    emulator.injectFault({ status: 429, headers: { "retry-after": "30" }, body: "{}", times: 1 });
    const first = await read(replicas[0], SEED.code, { "cache-control": "no-cache" });
    expect(first.errors?.[0]?.extensions?.code).toBe("RATE_LIMITED");
    emulator.resetRequests();
    for (const replica of replicas.slice(1)) {
      const refused = await read(replica, SEED.code, { "cache-control": "no-cache" });
      expect(refused.errors?.[0]?.extensions).toMatchObject({ code: "RATE_LIMITED" });
      expect(refused.errors?.[0]?.extensions?.retryAfterSeconds).toBeGreaterThan(1);
    }
    expect(emulator.requests).toHaveLength(0);
  });
});

redisServer.describe("the plan's quota, shared", () => {
  let redis: RedisServer;
  let emulator: EmulatorHandle;
  let replicas: GatewayProcess[];
  jest.setTimeout(120_000);

  beforeAll(async () => {
    redis = await startRedisServer(redisServer.path!);
    emulator = await startEmulator({ dbFile: ":memory:", port: 0 });
    const env = replicaEnv(emulator, redis, { VOUCHERIFY_QUOTA_PER_MINUTE: "10", CACHE_HOLDERS_TTL_MS: "0", CACHE_CUSTOMERS_TTL_MS: "0" });
    replicas = await Promise.all([0, 1].map(() => startGatewayProcess(env)));
  });
  afterAll(async () => {
    await Promise.all((replicas ?? []).map((replica) => replica.stop()));
    await emulator?.stop();
    await redis?.stop();
  });

  test("all replicas together send at most the quota; the rest is refused with RATE_LIMITED and retryAfterSeconds", async () => {
    emulator.resetRequests();
    const answers = await pool(30, 4, (i) => read(replicas[i % 2]));
    const refused = answers.filter((answer) => answer.errors?.[0]?.extensions?.code === "RATE_LIMITED");
    expect(emulator.requests.length).toBeLessThanOrEqual(10);
    expect(refused.length).toBeGreaterThanOrEqual(20);
    expect(refused[0].errors![0].extensions!.retryAfterSeconds).toBeGreaterThanOrEqual(1);
  });
});

redisServer.describe("tenants with client credentials", () => {
  let redis: RedisServer;
  const emulators: EmulatorHandle[] = [];
  let router: http.Server;
  let replica: GatewayProcess;
  jest.setTimeout(60_000);

  beforeAll(async () => {
    redis = await startRedisServer(redisServer.path!);
    emulators.push(await startEmulator({ port: 0, appId: "tenant-a", appToken: "token-a" }));
    emulators.push(await startEmulator({ port: 0, appId: "tenant-b", appToken: "token-b" }));
    // One upstream URL in front of two applications (as Voucherify is): requests go by X-App-Id.
    router = http.createServer((request, response) => {
      const target = new URL(emulators[request.headers["x-app-id"] === "tenant-b" ? 1 : 0].url);
      const outgoing = http.request(
        { host: target.hostname, port: target.port, method: request.method, path: request.url, headers: request.headers },
        (answer) => {
          response.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(response);
        },
      );
      request.pipe(outgoing);
    });
    router.listen(0, "127.0.0.1");
    await once(router, "listening");
    replica = await startGatewayProcess({
      VOUCHERIFY_API_URL: `http://127.0.0.1:${(router.address() as AddressInfo).port}`,
      ALLOW_CLIENT_CREDENTIALS: "true",
      REDIS_URL: redis.url,
      REDIS_TIMEOUT_MS: "1000",
      CACHE_HOLDERS_TTL_MS: "60000",
    });
  });
  afterAll(async () => {
    await replica?.stop();
    router?.closeAllConnections();
    router?.close();
    await Promise.all(emulators.map((emulator) => emulator.stop()));
    await redis?.stop();
  });

  test("one tenant never reads another's entries", async () => {
    const a = { "x-app-id": "tenant-a", "x-app-token": "token-a" };
    const b = { "x-app-id": "tenant-b", "x-app-token": "token-b" };
    const added = await graphql(replica.graphqlUrl, ADD, { input: { memberId: SEED.code, holders: [{ sourceId: "only-in-a" }] } }, a);
    expect(added.errors).toBeUndefined();
    for (let i = 0; i < 3; i++) expect((await read(replica, SEED.code, a)).data!.referralMember.holders.totalCount).toBe(27);
    for (let i = 0; i < 3; i++) expect((await read(replica, SEED.code, b)).data!.referralMember.holders.totalCount).toBe(26);
    const tokenless = await graphql(replica.graphqlUrl, PAGE, { memberId: SEED.code }, { "x-app-id": "tenant-a", "x-app-token": "wrong" });
    expect(tokenless.errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");
  });
});
