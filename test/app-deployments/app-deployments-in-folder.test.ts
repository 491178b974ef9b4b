import { existsSync, mkdtempSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sha256Hex } from "../../src/documents/load-trusted-documents.js";
import { SEED } from "../../src/emulator/seed.js";
import { apolloManifest, byId, listDeployments, manifestFolder, runApp, PUBLISHED_WITHIN_MS } from "../support/app-deployments.js";
import { eventually } from "../support/replica-probes.js";
import { graphql, startStack, type Stack } from "../support/stack.js";

// App deployments without Redis: one gateway, its registry in APP_DEPLOYMENTS_DIR, the command (the compiled entry
// point) writing the same folder. The same flow as on Redis (test/app-deployments/app-deployments-on-redis.test.ts).

const PAGE = "query FolderPage($memberId: ID!) { referralMember(memberId: $memberId) { holders(first: 2) { totalCount } } }";
const NEXT = "query FolderNext($memberId: ID!) { referralMember(memberId: $memberId) { holders(first: 2) { nodes { id } } } }";
const OTHER = "query FolderOther($memberId: ID!) { referralMember(memberId: $memberId) { id } }";
const variables = { memberId: SEED.code };

describe("app deployments in a folder, one gateway under safelisting", () => {
  const dir = join(mkdtempSync(join(tmpdir(), "app-deployments-folder-")), "registry");
  const env = { APP_DEPLOYMENTS_DIR: dir };
  const file = manifestFolder("app-deployments-folder-manifests-");
  const manifests = {
    v1: file("v1.json", apolloManifest(PAGE)),
    v2: file("v2.json", { [`sha256:${sha256Hex(PAGE)}`]: PAGE, "next-page": NEXT }),
    clash: file("clash.json", { "next-page": OTHER }),
    invalid: file("invalid.json", { broken: "query Broken { referralMember(" }),
    empty: file("empty.json", {}),
  };
  let stack: Stack;
  const serves = async (id: string, gateway: Stack = stack) => {
    const answer = await byId(gateway.gateway.graphqlUrl, id, variables);
    return answer.status === 200 && answer.code === undefined;
  };

  beforeAll(async () => {
    stack = await startStack({ env: { ...env, TRUSTED_DOCUMENTS_ONLY: "true" } });
  });
  afterAll(() => stack?.stop());

  test("refused at create: an invalid manifest (the start's lines) and an empty one; nothing is written", async () => {
    const invalid = await runApp(["create", "--name", "web", "--version", "0.1.0", manifests.invalid], env);
    expect(invalid.status).toBe(2);
    expect(invalid.stderr.trim().split("\n")).toEqual([
      expect.stringMatching(new RegExp(`^${manifests.invalid}: document broken: does not parse: Syntax Error: `)),
      "1 problem(s): web 0.1.0 was not created.",
    ]);
    const empty = await runApp(["create", "--name", "web", "--version", "0.1.0", manifests.empty], env);
    expect(empty.status).toBe(2);
    expect(empty.stderr).toContain(`${manifests.empty}: holds no documents`);
    expect(existsSync(dir)).toBe(false);
  });

  test("created: stored, not served; published under load: served with no restart, 0 failed requests; then the next version", async () => {
    expect((await runApp(["create", "--name", "web", "--version", "1.0.0", manifests.v1], env)).status).toBe(0);
    expect(readdirSync(join(dir, "deployments"))).toEqual(["web@1.0.0.json"]);
    expect(await serves(sha256Hex(PAGE))).toBe(false);
    expect((await runApp(["publish", "--name", "web", "--version", "1.0.0", "--actor", "ci"], env)).status).toBe(0);
    await eventually(() => serves(sha256Hex(PAGE)), PUBLISHED_WITHIN_MS);

    let loading = true;
    const failures: string[] = [];
    const load = Promise.all(
      [0, 1, 2, 3].map(async () => {
        while (loading) {
          const answer = await byId(stack.gateway.graphqlUrl, sha256Hex(PAGE), variables);
          if (answer.status !== 200 || answer.code !== undefined) failures.push(`${answer.status} ${answer.code}`);
        }
      }),
    );
    try {
      expect((await runApp(["create", "--name", "web", "--version", "1.1.0", "--publish", manifests.v2], env)).status).toBe(0);
      await eventually(() => serves("next-page"), PUBLISHED_WITHIN_MS);
    } finally {
      loading = false;
      await load;
    }
    expect(failures).toEqual([]);
    expect(stack.gateway.appDeployments).toMatchObject({ location: `folder ${dir}`, status: "current", publishedCount: 2 });
  });

  test("create again with the same documents changes nothing (a re-run deploy job); with others it is refused", async () => {
    const again = await runApp(["create", "--name", "web", "--version", "1.1.0", "--publish", manifests.v2], env);
    expect(again.status).toBe(0);
    expect(again.stdout).toBe(
      "web 1.1.0 exists already with these 2 document(s) (published).\nweb 1.1.0 is published already: nothing changed.\n",
    );
    const other = await runApp(["create", "--name", "web", "--version", "1.1.0", manifests.v1], env);
    expect(other.status).toBe(2);
    expect(other.stderr).toMatch(/^web 1\.1\.0 exists with other documents \(created \S+ by \S+\): a version's documents never change/);
  });

  test("a conflicting id is refused, naming the deployment that holds it", async () => {
    const refused = await runApp(["create", "--name", "admin", "--version", "1.0.0", manifests.clash], env);
    expect(refused.status).toBe(2);
    expect(refused.stderr.split("\n")[0]).toBe(
      `${manifests.clash}: document next-page: the id names two different documents (the other in app deployment web 1.1.0)`,
    );
  });

  test("a gateway started after a publish serves it", async () => {
    const late = await startStack({ env: { ...env, TRUSTED_DOCUMENTS_ONLY: "true" } });
    try {
      expect(await serves("next-page", late)).toBe(true);
      expect(late.gateway.appDeployments.publishedCount).toBe(2);
    } finally {
      await late.stop();
    }
  });

  test("usage counts match the requests sent; a client naming its version counts for that version only", async () => {
    // A second app, two versions sharing a document: counted from zero.
    const shared = "query AppShared($memberId: ID!) { referralMember(memberId: $memberId) { id } }";
    const added = "query AppAdded($memberId: ID!) { referralMember(memberId: $memberId) { campaignId } }";
    const app = { v1: file("app-1.json", apolloManifest(shared)), v2: file("app-2.json", apolloManifest(shared, added)) };
    expect((await runApp(["create", "--name", "app", "--version", "1", "--publish", app.v1], env)).status).toBe(0);
    expect((await runApp(["create", "--name", "app", "--version", "2", "--publish", app.v2], env)).status).toBe(0);
    // Waiting on the gateway's state, not on requests: a probe would be counted.
    await eventually(async () => stack.gateway.appDeployments.publishedCount === 4, PUBLISHED_WITHIN_MS);
    const send = async (count: number, body: string, headers: Record<string, string> = {}) => {
      for (let i = 0; i < count; i++)
        expect((await byId(stack.gateway.graphqlUrl, sha256Hex(body), variables, headers)).code).toBeUndefined();
    };
    await send(4, shared);
    await send(3, shared, { "apollographql-client-name": "app", "apollographql-client-version": "1" });
    await send(2, shared, { "graphql-client-name": "app", "graphql-client-version": "2" });
    await send(5, added);
    const counted = async () =>
      (await listDeployments(env))
        .filter((deployment) => deployment.name === "app")
        .map((deployment) => [deployment.version, deployment.requests, deployment.usage.map((usage) => usage.requests)]);
    const expected = [
      ["1", 4 + 3, [4 + 3]],
      ["2", 4 + 2 + 5, [4 + 2, 5]],
    ];
    await eventually(async () => JSON.stringify(await counted()) === JSON.stringify(expected), 10_000);
    const [app1] = (await listDeployments(env)).filter((deployment) => deployment.name === "app");
    expect(Date.parse(app1.lastRequestAt!)).toBeLessThanOrEqual(Date.now());
  });

  test("retired under safelisting: refused by id and as text; the audit lists every change with who, when and how many", async () => {
    for (const version of ["1.0.0", "1.1.0"]) expect((await runApp(["retire", "--name", "web", "--version", version], env)).status).toBe(0);
    await eventually(
      async () => (await byId(stack.gateway.graphqlUrl, "next-page", variables)).code === "PERSISTED_QUERY_NOT_IN_LIST",
      PUBLISHED_WITHIN_MS,
    );
    expect((await byId(stack.gateway.graphqlUrl, sha256Hex(PAGE), variables)).code).toBe("PERSISTED_QUERY_NOT_IN_LIST");
    expect((await graphql(stack.gateway.graphqlUrl, PAGE, variables)).errors?.[0]?.extensions?.code).toBe("QUERY_NOT_IN_SAFELIST");
    const [, , web100, web110] = await listDeployments(env);
    expect(web100.history.map(({ action, actor, documents }) => [action, actor, documents])).toEqual([
      ["create", expect.any(String), 1],
      ["publish", "ci", 1],
      ["retire", expect.any(String), 1],
    ]);
    expect(web110.history.map(({ action }) => action)).toEqual(["create", "publish", "retire"]);
    expect(web110).toMatchObject({ state: "retired", documents: 2 });
    const unknown = await runApp(["publish", "--name", "web", "--version", "9.9.9"], env);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toBe(`No app deployment web 9.9.9 in the registry (folder ${dir}); see npm run app -- list\n`);
  });
});
