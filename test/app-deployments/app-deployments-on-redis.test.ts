import { jest } from "@jest/globals";
import { Redis } from "ioredis";
import { formatDocumentProblem } from "../../src/documents/load-trusted-documents.js";
import { sha256Hex } from "../../src/documents/load-trusted-documents.js";
import { SHIPPED_DOCUMENTS } from "../../src/documents/shipped-documents.generated.js";
import { startEmulator, type EmulatorHandle } from "../../src/emulator/emulator.js";
import { SEED } from "../../src/emulator/seed.js";
import {
  apolloManifest,
  byId,
  clientSchemaWithout,
  listDeployments,
  manifestFolder,
  runApp,
  schemaCheck,
  PUBLISHED_WITHIN_MS,
} from "../support/app-deployments.js";
import { runCommand } from "../support/child-process.js";
import { findOsBinary } from "../support/os-binary.js";
import { startRedisServer, type RedisServer } from "../support/redis-server.js";
import { startGatewayProcess, type GatewayProcess } from "../support/gateway-process.js";
import { eventually, readyz } from "../support/replica-probes.js";
import { upstreamEnv } from "../support/process-env.js";
import { graphql } from "../support/stack.js";

// App deployments as operators run them: three gateway processes under safelisting on one real Redis, and the
// command (`npm run app`, the compiled entry point) writing the registry there. The cases run in order on the same
// gateways; each says what it adds.

const redisServer = findOsBinary("redis-server", { debianPackage: "redis-server" });

const TOTAL = "query AppMemberTotal($memberId: ID!) { referralMember(memberId: $memberId) { holders(first: 1) { totalCount } } }";
const FIRST =
  "query AppFirstHolder($memberId: ID!) { referralMember(memberId: $memberId) { holders(first: 1) { nodes { id holderRole } } } }";
const USAGE = "query AppUsage($memberId: ID!) { referralMember(memberId: $memberId) { id } }";
const COSTLY = 'query AppCostly { referralMember(memberId: "x") { holders(first: 500) { nodes { customer { name } } } } }';
const CHEAP = "query AppCheap($memberId: ID!) { referralMember(memberId: $memberId) { campaignId } }";
const CLASHING = "query AppClash($memberId: ID!) { referralMember(memberId: $memberId) { id campaignId } }";
/** A relay-style id that is no hash: the one an id conflict is about. */
const FIRST_ID = "web-first-holder";
const SHIPPED = SHIPPED_DOCUMENTS.find((document) => document.name === "ReferralHolders")!;
const variables = { memberId: SEED.code };

/** One metric's samples summed, from the replica's /metrics (lines starting with `series`). */
async function metric(replica: GatewayProcess, series: string): Promise<number> {
  const text = await (await fetch(`${replica.url}/metrics`)).text();
  return text
    .split("\n")
    .filter((line) => line.startsWith(series))
    .reduce((sum, line) => sum + Number(line.split(" ").at(-1)), 0);
}

redisServer.describe("app deployments on three replicas sharing one Redis", () => {
  jest.setTimeout(120_000);
  let redis: RedisServer;
  let emulator: EmulatorHandle;
  let replicas: GatewayProcess[];
  let env: Record<string, string>;
  const file = manifestFolder("app-deployments-redis-");
  const manifests = {
    v1: file("web-1.0.0.json", apolloManifest(TOTAL)),
    // relay-compiler's form: {id: text}; one id is a name, not a hash.
    v2: file("web-1.1.0.json", { [sha256Hex(TOTAL)]: TOTAL, [FIRST_ID]: FIRST }),
    usage: file("usage.json", apolloManifest(USAGE)),
    costly: file("costly.json", apolloManifest(COSTLY, CHEAP)),
    clash: file("clash.json", { [FIRST_ID]: CLASHING }),
    invalid: file("invalid.json", {
      [`sha256:${"0".repeat(64)}`]: TOTAL,
      invalid: "query Invalid { referralMembr }",
      expensive: COSTLY,
    }),
  };

  const serves = async (replica: GatewayProcess, id: string) => {
    const answer = await byId(replica.graphqlUrl, id, variables);
    return answer.status === 200 && answer.code === undefined;
  };
  const everyReplica = async (probe: (replica: GatewayProcess) => Promise<boolean>) =>
    (await Promise.all(replicas.map(probe))).every(Boolean);

  beforeAll(async () => {
    redis = await startRedisServer(redisServer.path!);
    emulator = await startEmulator({ dbFile: ":memory:", port: 0 });
    env = { REDIS_URL: redis.url };
    const replicaEnv = { ...upstreamEnv(emulator), ...env, REDIS_TIMEOUT_MS: "1000", TRUSTED_DOCUMENTS_ONLY: "true" };
    replicas = await Promise.all([0, 1, 2].map(() => startGatewayProcess(replicaEnv)));
  });
  afterAll(async () => {
    await Promise.all((replicas ?? []).map((replica) => replica.stop()));
    await emulator?.stop();
    await redis?.stop();
  });

  test("an invalid manifest is refused by create with the start's one-line errors, exit 2, and nothing is stored", async () => {
    const created = await runApp(["create", "--name", "web", "--version", "0.9.0", "--publish", manifests.invalid], env);
    expect(created.status).toBe(2);
    // The same lines as `npm run documents:check` (the gateway's start-up checks) for the same manifest.
    const checked = await runCommand(process.execPath, ["dist/src/tools/check-documents.js", manifests.invalid]);
    expect(checked.status).toBe(2);
    const startLines = checked.stderr.trim().split("\n").slice(0, -1);
    expect(startLines).toEqual([
      formatDocumentProblem({
        source: manifests.invalid,
        id: `sha256:${"0".repeat(64)}`,
        reason: `the id is a sha256 but not the sha256 of the document's body (${sha256Hex(TOTAL)})`,
      }),
      expect.stringContaining(`${manifests.invalid}: document invalid: does not validate against the served schema`),
      `${manifests.invalid}: document expensive: costs at least 505 upstream calls whatever its variables; GRAPHQL_MAX_COST is 110`,
    ]);
    expect(created.stderr.trim().split("\n")).toEqual([...startLines, "3 problem(s): web 0.9.0 was not created."]);
    const client = new Redis(redis.url);
    try {
      expect(await client.keys("rg:{apps}:*")).toEqual([]);
    } finally {
      client.disconnect();
    }
    expect(await listDeployments(env)).toEqual([]);
  });

  test("created, not served; published under steady load: every replica serves it by id with no restart, 0 failed or refused", async () => {
    const created = await runApp(["create", "--name", "web", "--version", "1.0.0", "--actor", "release-bot", manifests.v1], env);
    expect(created.status).toBe(0);
    expect(created.stdout).toMatch(
      /^\S+ release-bot created web 1\.0\.0: 1 document\(s\) \(registry: Redis at redis:\/\/127\.0\.0\.1:\d+\/0\)$/m,
    );
    // Created is not published: no replica serves it (they poll far more often than this command takes).
    expect((await byId(replicas[0].graphqlUrl, sha256Hex(TOTAL), variables)).code).toBe("PERSISTED_QUERY_NOT_IN_LIST");
    expect((await runApp(["publish", "--name", "web", "--version", "1.0.0"], env)).status).toBe(0);
    await eventually(() => everyReplica((replica) => serves(replica, sha256Hex(TOTAL))), PUBLISHED_WITHIN_MS);

    // Steady load on every replica: the published document and a shipped one, by id, until the next version is served.
    let loading = true;
    const failures: string[] = [];
    let answered = 0;
    const load = Promise.all(
      replicas.flatMap((replica) =>
        [sha256Hex(TOTAL), sha256Hex(SHIPPED.body)].map(async (id) => {
          while (loading) {
            const answer = await byId(replica.graphqlUrl, id, id === sha256Hex(TOTAL) ? variables : { memberId: SEED.code, first: 1 });
            answered++;
            if (answer.status !== 200 || answer.code !== undefined) failures.push(`${answer.status} ${answer.code}`);
          }
        }),
      ),
    );
    try {
      const published = await runApp(["create", "--name", "web", "--version", "1.1.0", "--publish", manifests.v2], env);
      expect(published.status).toBe(0);
      expect(published.stdout).toMatch(/ published web 1\.1\.0: 2 document\(s\)/);
      await eventually(() => everyReplica((replica) => serves(replica, FIRST_ID)), PUBLISHED_WITHIN_MS);
    } finally {
      loading = false;
      await load;
    }
    expect(failures).toEqual([]);
    expect(answered).toBeGreaterThan(replicas.length * 2);
    const [web100, web110] = (await listDeployments(env)).filter((deployment) => deployment.name === "web");
    expect(web100).toMatchObject({ version: "1.0.0", state: "published", documents: 1 });
    expect(web100.history.map(({ action, actor, documents }) => [action, actor, documents])).toEqual([
      ["create", "release-bot", 1],
      ["publish", expect.any(String), 1],
    ]);
    expect(web110).toMatchObject({ version: "1.1.0", state: "published", documents: 2 });
    expect(await metric(replicas[1], 'gateway_app_deployment_documents{deployment="web",version="1.1.0",status="served"}')).toBe(2);
  });

  test("a conflicting id is refused by create, naming the deployment that holds the other body; nothing is stored", async () => {
    const refused = await runApp(["create", "--name", "other", "--version", "1.0.0", "--publish", manifests.clash], env);
    expect(refused.status).toBe(2);
    expect(refused.stderr.trim().split("\n")).toEqual([
      `${manifests.clash}: document ${FIRST_ID}: the id names two different documents (the other in app deployment web 1.1.0)`,
      "1 problem(s): other 1.0.0 was not created.",
    ]);
    expect((await listDeployments(env)).map((deployment) => deployment.name)).not.toContain("other");
  });

  test("a replica started after a publish serves it", async () => {
    const late = await startGatewayProcess({ ...upstreamEnv(emulator), ...env, TRUSTED_DOCUMENTS_ONLY: "true" });
    try {
      expect(await serves(late, FIRST_ID)).toBe(true);
      expect(late.output()).toMatch(
        /^App deployments: 2 published \(registry: Redis at redis:\/\/127\.0\.0\.1:\d+\/0; npm run app -- list\)$/m,
      );
    } finally {
      await late.stop();
    }
  });

  test("usage: the requests sent, per deployment and document, all replicas together, in list with the last request time", async () => {
    expect((await runApp(["create", "--name", "usage", "--version", "1.0.0", "--publish", manifests.usage], env)).status).toBe(0);
    // Waiting on a metric, not on requests: a probe by id would be counted too.
    const served = 'gateway_app_deployment_documents{deployment="usage",version="1.0.0",status="served"}';
    await eventually(() => everyReplica(async (replica) => (await metric(replica, served)) === 1), PUBLISHED_WITHIN_MS);
    const before = Date.now();
    const sent = 31;
    for (let i = 0; i < sent; i++) expect((await byId(replicas[i % 3].graphqlUrl, sha256Hex(USAGE), variables)).code).toBeUndefined();
    // Replicas report every second: wait for the count, then check it stays (no double report).
    const usage = async () => (await listDeployments(env)).find((deployment) => deployment.name === "usage")!;
    await eventually(async () => (await usage()).requests >= sent, 10_000);
    const counted = await usage();
    expect(counted.requests).toBe(sent);
    expect(counted.usage).toEqual([{ id: sha256Hex(USAGE), requests: sent, lastRequestAt: expect.any(String) }]);
    expect(Date.parse(counted.lastRequestAt!)).toBeGreaterThanOrEqual(before - 1000);
    const metered = await Promise.all(
      replicas.map((replica) => metric(replica, 'gateway_app_deployment_requests_total{deployment="usage"')),
    );
    expect(metered.reduce((sum, count) => sum + count, 0)).toBe(sent);
    // The list shows it too, as a table.
    const table = await runApp(["list"], env);
    expect(table.stdout).toMatch(/^usage\s+1\.0\.0\s+published\s+1\s+31\s+\S+Z\s+/m);
  });

  test("the schema check reads the published deployments from Redis, with the gateway's settings", async () => {
    const schema = file("no-role.graphql", clientSchemaWithout("ReferralHolder", "holderRole"));
    const changelog = file("CHANGELOG.md", "## [Unreleased]\n\n- **Breaking:** `ReferralHolder.holderRole` removed.\n");
    const result = await schemaCheck(["--baseline", "schema/client.graphql", "--schema", schema, "--changelog", changelog], env);
    expect(result.status).toBe(2);
    expect(result.stderr.split("\n")[0]).toBe(
      `app deployment web 1.1.0: operation AppFirstHolder (document ${FIRST_ID}): ReferralHolder.holderRole: ` +
        "Field 'holderRole' was removed from object type 'ReferralHolder'",
    );
  });

  test("a document a replica's own checks refuse is not served there, said once in its log and a metric; the others are", async () => {
    // The command ran with a larger GRAPHQL_MAX_COST than the gateways have: as a build with another schema would.
    const created = await runApp(["create", "--name", "costly", "--version", "1.0.0", "--publish", manifests.costly], {
      ...env,
      GRAPHQL_MAX_COST: "1000",
    });
    expect(created.status).toBe(0);
    await eventually(() => everyReplica((replica) => serves(replica, sha256Hex(CHEAP))), PUBLISHED_WITHIN_MS);
    expect((await byId(replicas[0].graphqlUrl, sha256Hex(COSTLY))).code).toBe("PERSISTED_QUERY_NOT_IN_LIST");
    const unservable = 'gateway_app_deployment_documents{deployment="costly",version="1.0.0",status="unservable"}';
    expect(await Promise.all(replicas.map((replica) => metric(replica, unservable)))).toEqual([1, 1, 1]);
    // Another change reloads the set: the refusal is not said again.
    expect((await runApp(["retire", "--name", "usage", "--version", "1.0.0"], env)).status).toBe(0);
    await eventually(async () => !(await serves(replicas[2], sha256Hex(USAGE))), PUBLISHED_WITHIN_MS);
    for (const replica of replicas) {
      expect(replica.output().match(/App deployment document not served: this gateway's checks refuse it/g)).toHaveLength(1);
    }
    expect(replicas[0].output()).toContain(`"documentId":"${sha256Hex(COSTLY)}"`);
  });

  test("retired under safelisting: every replica refuses its documents by id (PERSISTED_QUERY_NOT_IN_LIST) and as text", async () => {
    for (const version of ["1.0.0", "1.1.0"]) expect((await runApp(["retire", "--name", "web", "--version", version], env)).status).toBe(0);
    const refused = async (replica: GatewayProcess) =>
      (await byId(replica.graphqlUrl, sha256Hex(TOTAL), variables)).code === "PERSISTED_QUERY_NOT_IN_LIST" &&
      (await byId(replica.graphqlUrl, FIRST_ID, variables)).code === "PERSISTED_QUERY_NOT_IN_LIST";
    await eventually(() => everyReplica(refused), PUBLISHED_WITHIN_MS);
    for (const replica of replicas) {
      expect((await graphql(replica.graphqlUrl, TOTAL, variables)).errors?.[0]?.extensions?.code).toBe("QUERY_NOT_IN_SAFELIST");
      // Its series are gone: metrics are bounded by what is published.
      expect(await metric(replica, 'gateway_app_deployment_documents{deployment="web"')).toBe(0);
    }
    expect(
      (await listDeployments(env)).filter((deployment) => deployment.state === "retired").map((d) => `${d.name} ${d.version}`),
    ).toEqual(["usage 1.0.0", "web 1.0.0", "web 1.1.0"]);
  });

  test("Redis killed: every replica keeps its set and serves it, /readyz says stale; Redis back empty: the set is kept", async () => {
    await redis.stop();
    await eventually(async () => (await Promise.all(replicas.map(readyz))).every((state) => state.ready && stateOf(state) === "stale"));
    for (const replica of replicas) {
      expect(await serves(replica, sha256Hex(CHEAP))).toBe(true);
      expect((await byId(replica.graphqlUrl, FIRST_ID, variables)).code).toBe("PERSISTED_QUERY_NOT_IN_LIST");
      expect(await metric(replica, "gateway_app_deployments_stale")).toBe(1);
      expect(
        replica.output().match(/The app deployments' registry cannot be read: serving the 1 deployment\(s\) last loaded/g),
      ).toHaveLength(1);
    }
    // No persistence in this Redis: it comes back empty. Never a publish or a retire, so the set stays served.
    redis = await startRedisServer(redisServer.path!, redis.port);
    await eventually(async () => replicas.every((replica) => /The app deployments' registry is empty/.test(replica.output())));
    for (const replica of replicas) {
      expect(await serves(replica, sha256Hex(CHEAP))).toBe(true);
      expect(stateOf(await readyz(replica))).toBe("stale");
    }
  });
});

function stateOf(readiness: { checks: object }): string {
  return (readiness.checks as { appDeployments: string }).appDeployments;
}
