import { jest } from "@jest/globals";
import { SEED } from "../../src/emulator/seed.js";
import { startEmulator, type EmulatorHandle } from "../../src/emulator/emulator.js";
import { findOsBinary } from "../support/os-binary.js";
import { startSentinelSet, type SentinelSet } from "../support/redis-sentinel.js";
import { startGatewayProcess, type GatewayProcess } from "../support/gateway-process.js";
import { eventually, listCalls, readyz } from "../support/replica-probes.js";
import { upstreamEnv } from "../support/process-env.js";
import { graphql, type GraphQLResponse } from "../support/stack.js";

// Redis as deployments run it (a master, a replica, three sentinels), three gateway processes that find the master
// through the sentinels, and the emulator counting every upstream call. The master is SIGKILLed; the sentinels
// promote the replica within seconds (down-after-milliseconds 1000).
const redisServer = findOsBinary("redis-server", { debianPackage: "redis-server" });

const PAGE = `query($memberId: ID!) { referralMember(memberId: $memberId) { holders(first: 100) { totalCount nodes { id } } } }`;
const ADD = `mutation($input: AddHoldersInput!) { addHolders(input: $input) { holders { id } } }`;
const REMOVE = `mutation($input: RemoveHolderInput!) { removeHolder(input: $input) { removedHolderId } }`;

type Page = { referralMember: { holders: { totalCount: number; nodes: Array<{ id: string }> } } };

async function startGateways(emulator: EmulatorHandle, set: SentinelSet): Promise<GatewayProcess[]> {
  const env = {
    ...upstreamEnv(emulator),
    ...set.gatewayEnv,
    // The machine running the tests is busy: a generous timeout, so only the failover degrades the cache.
    REDIS_TIMEOUT_MS: "1000",
    CACHE_HOLDERS_TTL_MS: "60000",
    // Budgets and the quota on (and far from reached): they must go on counting through the failover.
    CALLER_BUDGET_PER_MINUTE: "1000000",
    VOUCHERIFY_QUOTA_PER_MINUTE: "1000000",
  };
  return Promise.all([0, 1, 2].map(() => startGatewayProcess(env)));
}

/** Every answer that is not a 200 without errors, described; the tests expect none. */
function answerChecker() {
  const failures: string[] = [];
  const check = <T>(what: string, answer: GraphQLResponse<T>): GraphQLResponse<T> => {
    if (answer.status !== 200 || answer.errors !== undefined) failures.push(`${what}: ${answer.status} ${JSON.stringify(answer.errors)}`);
    return answer;
  };
  return { failures, check };
}

const listed = (answer: GraphQLResponse<Page>) => answer.data?.referralMember.holders.nodes.map((node) => node.id) ?? [];

redisServer.describe("a Sentinel failover under steady reads and writes", () => {
  let set: SentinelSet;
  let emulator: EmulatorHandle;
  let gateways: GatewayProcess[];
  jest.setTimeout(60_000);

  beforeAll(async () => {
    set = await startSentinelSet(redisServer.path!);
    emulator = await startEmulator({ dbFile: ":memory:", port: 0 });
    gateways = await startGateways(emulator, set);
  });
  afterAll(async () => {
    await Promise.all((gateways ?? []).map((gateway) => gateway.stop()));
    await emulator?.stop();
    await set?.stop();
  });

  test("master SIGKILLed: no request fails, no stale read after a write, the shared cache works again within 15 s", async () => {
    const { failures, check } = answerChecker();
    const read = (gateway: GatewayProcess) => graphql<Page>(gateway.graphqlUrl, PAGE, { memberId: SEED.code });
    for (const gateway of gateways) check("warm-up read", await read(gateway));
    let stop = false;
    let rounds = 0;
    let roundsAfterPromotion = 0;
    let promoted = false;
    let stale = 0;
    // Two readers, and a writer whose every write is read back through another gateway: add a holder (the next read
    // must list it), remove it (the next read must not). Bounded, whatever happens.
    const readers = [0, 1].map(async (offset) => {
      for (let i = 0; !stop && i < 5000; i++) check("steady read", await read(gateways[(i + offset) % 3]));
    });
    const writer = (async () => {
      for (; !stop && rounds < 1000; rounds++) {
        const added = check(
          "addHolders",
          await graphql(gateways[rounds % 3].graphqlUrl, ADD, {
            input: { memberId: SEED.code, holders: [{ sourceId: `failover-round-${rounds}` }] },
          }),
        );
        const holderId = added.data?.addHolders.holders[0].id as string;
        if (!listed(check("read after add", await read(gateways[(rounds + 1) % 3]))).includes(holderId)) stale++;
        check("removeHolder", await graphql(gateways[(rounds + 2) % 3].graphqlUrl, REMOVE, { input: { memberId: SEED.code, holderId } }));
        if (listed(check("read after remove", await read(gateways[rounds % 3]))).includes(holderId)) stale++;
        if (promoted) roundsAfterPromotion++;
      }
    })();

    await eventually(async () => rounds >= 3);
    process.kill(set.master.pid, "SIGKILL");
    await set.promoted(set.replica.port, 30_000);
    const promotedAt = Date.now();
    promoted = true;
    // Writes and reads go on across the promotion (each gateway reconnects on its own schedule).
    await eventually(async () => roundsAfterPromotion >= 5, 20_000);
    stop = true;
    await Promise.all([...readers, writer]);
    expect(failures).toEqual([]);
    expect(stale).toBe(0);

    // Repeated identical reads stop reaching upstream: the shared cache works on the promoted master.
    await eventually(
      async () => {
        for (const gateway of gateways) check("read", await read(gateway));
        emulator.resetRequests();
        for (const gateway of gateways) check("read", await read(gateway));
        return listCalls(emulator) === 0;
      },
      Math.max(0, promotedAt + 15_000 - Date.now()),
    );
    expect(failures).toEqual([]);
    expect((await Promise.all(gateways.map(readyz))).map((state) => state.checks.cache)).toEqual(["shared", "shared", "shared"]);
    // Each gateway says once that it found another Redis server (and so a cold cache).
    for (const gateway of gateways) expect(gateway.output().match(/Redis is another server now/g)).toHaveLength(1);

    // Quota and budgets are counted on the promoted master again: a call upstream spends from both there.
    const promotedMaster = set.client(set.replica.port);
    const counters = async () =>
      Promise.all(
        ["rg:quota:*", "rg:caller-budget:*"].map(async (pattern) => {
          const [key] = await promotedMaster.keys(pattern);
          return key === undefined ? 0 : Number(await promotedMaster.get(key));
        }),
      );
    const before = await counters();
    check("uncached read", await graphql(gateways[0].graphqlUrl, PAGE, { memberId: SEED.code }, { "cache-control": "no-cache" }));
    const after = await counters();
    expect(after[0]).toBeGreaterThan(before[0]);
    expect(after[1]).toBeGreaterThan(before[1]);
    expect(failures).toEqual([]);
  });
});

redisServer.describe("a failover that loses the invalidation of an acknowledged write (password-protected Redis and sentinels)", () => {
  let set: SentinelSet;
  let emulator: EmulatorHandle;
  let gateways: GatewayProcess[];
  jest.setTimeout(60_000);

  beforeAll(async () => {
    set = await startSentinelSet(redisServer.path!, { redis: "redis-test-password", sentinels: "sentinel-test-password" });
    emulator = await startEmulator({ dbFile: ":memory:", port: 0 });
    gateways = await startGateways(emulator, set);
  });
  afterAll(async () => {
    await Promise.all((gateways ?? []).map((gateway) => gateway.stop()));
    await emulator?.stop();
    await set?.stop();
  });

  test("the promoted replica still holds the page cached before the write: no gateway serves it", async () => {
    const { failures, check } = answerChecker();
    const read = (gateway: GatewayProcess) => graphql<Page>(gateway.graphqlUrl, PAGE, { memberId: SEED.code });
    const master = set.client(set.master.port);
    const replica = set.client(set.replica.port);
    // Every gateway caches the page on the master, and the replica receives the entry.
    for (const gateway of gateways) for (let i = 0; i < 2; i++) check("warm-up read", await read(gateway));
    expect(await master.wait(1, 5000)).toBe(1);
    expect((await replica.keys("rg:*page*")).length).toBeGreaterThan(0);

    // Replication stops: the replica can no longer authenticate to the master.
    await replica.config("SET", "masterauth", "not-the-password");
    await replica.client("KILL", "TYPE", "master");
    await eventually(async () => (await master.info("replication")).includes("connected_slaves:0"), 10_000);

    // An acknowledged write: its invalidation reached the master only.
    const added = check(
      "addHolders",
      await graphql(gateways[0].graphqlUrl, ADD, { input: { memberId: SEED.code, holders: [{ sourceId: "lost-invalidation" }] } }),
    );
    const holderId = added.data?.addHolders.holders[0].id as string;
    expect(holderId).toMatch(/^rh_/);
    expect(await master.wait(1, 100)).toBe(0);

    process.kill(set.master.pid, "SIGKILL");
    await set.promoted(set.replica.port, 30_000);
    // Reads through every gateway until a round of them is served from the cache (the promoted master's, which
    // holds the page cached before the write): every one lists the holder.
    let stale = 0;
    const readThroughEach = async () => {
      for (const gateway of gateways) if (!listed(check("read", await read(gateway))).includes(holderId)) stale++;
    };
    await eventually(async () => {
      await readThroughEach();
      emulator.resetRequests();
      await readThroughEach();
      return listCalls(emulator) === 0;
    }, 20_000);
    expect(stale).toBe(0);
    expect(failures).toEqual([]);
  });
});
