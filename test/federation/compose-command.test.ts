import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { print } from "graphql";
import { SEED } from "../../src/emulator/seed.js";
import { blocksUnder } from "../support/markdown-blocks.js";
import { graphql, startStack, type Stack } from "../support/stack.js";
import { startApolloGatewayRouter } from "./apollo-gateway-router.js";
import { composeCommand } from "./compose-command.js";
import { REWARDS_TYPE_DEFS, startRewardsSubgraph, type RewardsSubgraph } from "./rewards-subgraph.js";

// `npm run compose` (test/federation/compose.ts -> compose-command.ts), run in-process with the arguments a reader
// gives it: rover's supergraph.yaml in, a supergraph SDL out that a real router serves, exit 2 with one line per problem.

const REWARDS_SDL = print(REWARDS_TYPE_DEFS);

async function compose(args: string[], cwd: string, env: NodeJS.ProcessEnv = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await composeCommand(args, { cwd, env, out: (text) => out.push(text), err: (line) => err.push(line) });
  return { code, out: out.join(""), err };
}

let scratch: string;
beforeEach(() => {
  scratch = mkdtempSync(join(tmpdir(), "compose-"));
});
afterEach(() => rmSync(scratch, { recursive: true, force: true }));

test("`npm run compose` runs the built entry of this command, which tsconfig.tools.json builds", () => {
  const scripts = (JSON.parse(readFileSync("package.json", "utf8")) as { scripts: Record<string, string> }).scripts;
  expect(scripts.compose).toBe("node dist/test/federation/compose.js");
  expect(scripts.precompose).toBe("npm run build:tools");
  expect(readFileSync("tsconfig.tools.json", "utf8")).toContain('"test/federation/compose.ts"');
  expect(readFileSync("test/federation/compose.ts", "utf8")).toContain('from "./compose-command.js"');
});

describe("docs/platform/composition.md's offline example, followed as written", () => {
  const blocks = blocksUnder(readFileSync("docs/platform/composition.md", "utf8"), "Compose offline: `npm run compose`");

  test("its supergraph.yaml, the rewards SDL beside the checkout: its command writes supergraph.graphql", async () => {
    const yaml = blocks.find((block) => block.language === "yaml" && /`supergraph\.yaml`/.test(block.caption))!;
    const command = blocks.find((block) => block.language === "sh" && /^npm run compose\b/m.test(block.text))!;
    const checkout = join(scratch, "referrals-gateway");
    mkdirSync(join(checkout, "schema"), { recursive: true });
    mkdirSync(join(scratch, "rewards"));
    writeFileSync(join(checkout, "schema/schema.graphql"), readFileSync("schema/schema.graphql"));
    writeFileSync(join(checkout, "supergraph.yaml"), yaml.text);
    writeFileSync(join(scratch, "rewards/schema.graphql"), REWARDS_SDL);

    const args = /^npm run compose(?: -- (.*))?$/m.exec(command.text)![1]?.split(/\s+/) ?? [];
    const result = await compose(args, checkout);
    const printed = blocks[blocks.indexOf(command) + 1];
    expect(printed.language).toBe("");
    expect({ code: result.code, lines: [...result.err, result.out.trimEnd()] }).toEqual({
      code: 0,
      lines: printed.text.trimEnd().split("\n"),
    });
    const supergraph = readFileSync(join(checkout, "supergraph.graphql"), "utf8");
    expect(supergraph).toContain('REFERRALS @join__graph(name: "referrals", url: "http://127.0.0.1:4000/graphql")');
    expect(supergraph).toContain('REWARDS @join__graph(name: "rewards", url: "http://127.0.0.1:4001/graphql")');
  });
});

describe("with the running subgraphs", () => {
  let stack: Stack;
  let rewards: RewardsSubgraph;
  beforeAll(async () => {
    stack = await startStack({ env: { ROUTER_SECRET: "router-secret-for-the-compose-test-0123456789" } });
    rewards = await startRewardsSubgraph({ rewards: [{ id: "reward_1", points: 100, memberId: SEED.code }], loyaltyTiers: {} });
  });
  afterAll(async () => {
    await rewards?.stop();
    await stack?.stop();
  });

  test("ours read over HTTP (subgraph_url, the router secret from ${env...}), theirs from a file: a router serves the result", async () => {
    writeFileSync(join(scratch, "rewards.graphql"), REWARDS_SDL);
    writeFileSync(
      join(scratch, "supergraph.yaml"),
      [
        "federation_version: =2.7.1",
        "subgraphs:",
        "  referrals:",
        "    schema:",
        `      subgraph_url: ${stack.gateway.graphqlUrl}`,
        "      introspection_headers:",
        "        X-Router-Secret: ${env.ROUTER_SECRET}",
        "  rewards:",
        `    routing_url: ${rewards.url}`,
        "    schema:",
        "      file: rewards.graphql",
        "",
      ].join("\n"),
    );
    const result = await compose(["--output", "out/supergraph.graphql"], scratch, {
      ROUTER_SECRET: "router-secret-for-the-compose-test-0123456789",
    });
    expect(result.err.filter((line) => !line.startsWith("note: federation_version"))).toEqual([]);
    expect(result.code).toBe(0);

    const router = await startApolloGatewayRouter(readFileSync(join(scratch, "out/supergraph.graphql"), "utf8"));
    try {
      const response = await graphql(
        router.url,
        "{ rewards { id member { id holders(first: 1) { totalCount nodes { customer { id name loyaltyTier } } } } } }",
      );
      expect(response.errors).toBeUndefined();
      expect(response.data).toEqual({
        rewards: [
          {
            id: "reward_1",
            member: {
              id: SEED.code,
              holders: { totalCount: 26, nodes: [{ customer: { id: SEED.referrerCustomerId, name: "Demo Referrer", loyaltyTier: null } }] },
            },
          },
        ],
      });
    } finally {
      await router.stop();
    }
  });

  test("without the router secret, our subgraph serves no SDL: exit 2 naming the subgraph and the URL", async () => {
    writeFileSync(
      join(scratch, "supergraph.yaml"),
      `subgraphs:\n  referrals:\n    schema:\n      subgraph_url: ${stack.gateway.graphqlUrl}\n`,
    );
    const result = await compose([], scratch);
    expect(result.code).toBe(2);
    expect(result.err).toEqual([expect.stringMatching(`^subgraph referrals: cannot read its schema from ${stack.gateway.graphqlUrl}: `)]);
  });
});

test("composition errors: exit 2, one line per error with its code, and no supergraph written", async () => {
  writeFileSync(join(scratch, "referrals.graphql"), readFileSync("schema/schema.graphql"));
  writeFileSync(
    join(scratch, "supergraph.yaml"),
    `subgraphs:
  referrals:
    routing_url: http://127.0.0.1:4000/graphql
    schema:
      file: referrals.graphql
  clash:
    routing_url: http://127.0.0.1:4002/graphql
    schema:
      sdl: |
        extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])
        type Query { other: Int }
        type Customer @key(fields: "id") { id: ID! name: Int }
`,
  );
  const result = await compose([], scratch);
  expect(result.code).toBe(2);
  expect(result.err).toEqual([
    expect.stringMatching(
      /^composition error FIELD_TYPE_MISMATCH: Type of field "Customer\.name" is incompatible across subgraphs: .*"Int".*"String"/,
    ),
    expect.stringMatching(
      /^composition error INVALID_FIELD_SHARING: Non-shareable field "Customer\.name" is resolved from multiple subgraphs/,
    ),
  ]);
  expect(existsSync(join(scratch, "supergraph.graphql"))).toBe(false);
});

test("configuration problems: all of them, one line each, exit 2, before anything is composed", async () => {
  writeFileSync(
    join(scratch, "supergraph.yaml"),
    `federation_version: =1
subgraphs:
  missing-file:
    routing_url: http://127.0.0.1:4000/graphql
    schema:
      file: nowhere.graphql
  no-routing:
    schema:
      sdl: "type Query { a: Int }"
  from-graphos:
    routing_url: http://127.0.0.1:4003/graphql
    schema:
      graphref: my-graph@current
  secret:
    routing_url: \${env.NOT_SET_ANYWHERE}
    schema:
      sdl: "type Query { b: Int }"
`,
  );
  const result = await compose([], scratch);
  expect(result.code).toBe(2);
  expect(result.err).toEqual([
    "supergraph.yaml: federation_version: =1: only Federation 2 is composed (for example =2.7.1)",
    "supergraph.yaml: subgraphs.no-routing.routing_url: missing: the URL the router sends this subgraph's requests to",
    "supergraph.yaml: subgraphs.from-graphos.schema.graphref: GraphOS needs rover: give file, subgraph_url or sdl",
    "supergraph.yaml: subgraphs.secret.routing_url: ${env.NOT_SET_ANYWHERE} is not set in the environment",
    expect.stringMatching(/^subgraph missing-file: cannot read its schema from .*nowhere\.graphql: ENOENT/),
  ]);
  expect(await compose([], join(scratch, "elsewhere"))).toMatchObject({
    code: 2,
    err: [expect.stringMatching(/supergraph\.yaml: cannot be read \(ENOENT\)/)],
  });
  expect(await compose(["--output"], scratch)).toMatchObject({
    code: 2,
    err: ["--output needs a value", expect.stringMatching(/^usage: /)],
  });
});
