import { getIntrospectionQuery, parse, type OperationDefinitionNode } from "graphql";
import { SEED } from "../../src/emulator/seed.js";
import { estimateOperationCost } from "../../src/limits/operation-cost.js";
import {
  MAX_ALIASES,
  MAX_OPERATION_COST,
  MAX_QUERY_DEPTH,
  MAX_QUERY_TOKENS,
  MAX_REQUEST_BODY_BYTES,
} from "../../src/limits/operation-limits.js";
import { MAX_VARIABLE_DEPTH } from "../../src/limits/variable-checks.js";
import { buildGatewaySchema } from "../../src/graphql/schema.js";
import { graphql, startStack, type Stack } from "../support/stack.js";

// Every limit refuses before any upstream call: each test checks the emulator saw nothing.

const HOLDERS_WITH_CUSTOMERS = (size: number | string) => `holders(first: ${size}) { totalCount nodes { id customer { email } } }`;

async function post(url: string, body: string | Buffer, headers: Record<string, string> = {}) {
  const response = await fetch(url, { method: "POST", headers: { "content-type": "application/json", ...headers }, body });
  const text = await response.text();
  return {
    status: response.status,
    text,
    json: JSON.parse(text) as { data?: unknown; errors?: Array<{ message: string; extensions?: Record<string, unknown> }> },
  };
}

describe("the cost estimate", () => {
  let schema: Awaited<ReturnType<typeof buildGatewaySchema>>;
  beforeAll(async () => {
    schema = await buildGatewaySchema();
  });
  const cost = (query: string, variables?: Record<string, unknown>) => {
    const document = parse(query);
    return estimateOperationCost(schema, document, document.definitions[0] as OperationDefinitionNode, variables);
  };

  test("grows with page size, customer fields, aliases and fragments", () => {
    const member = (selection: string) => `{ referralMember(memberId: "X") { ${selection} } }`;
    expect(cost(member("id"))).toBe(0);
    expect(cost(member("holders { totalCount }"))).toBe(1); // default first: 10
    expect(cost(member("holders(first: 10) { totalCount }"))).toBe(1);
    expect(cost(member("holders(first: 500) { totalCount }"))).toBe(5);
    expect(cost(member("holders(last: 250) { totalCount }"))).toBe(3);
    expect(cost(member("holders(first: 10) { nodes { customer { id } } }"))).toBe(1); // id needs no read
    expect(cost(member(HOLDERS_WITH_CUSTOMERS(10)))).toBe(11);
    expect(cost(member(HOLDERS_WITH_CUSTOMERS(500)))).toBe(505);
    expect(
      cost(
        `{ referralMember(memberId: "X") { holders(first: 20) { edges { node { customer { ...C } } } } } } fragment C on Customer { name }`,
      ),
    ).toBe(21);
    expect(
      cost(
        `{
          a: referralMember(memberId: "X") { ${HOLDERS_WITH_CUSTOMERS(500)} }
          b: referralMember(memberId: "Y") { ${HOLDERS_WITH_CUSTOMERS(500)} }
        }`,
      ),
    ).toBe(1010);
    // A size the resolver refuses never goes upstream.
    expect(cost(member("holders(first: 501) { totalCount }"))).toBe(0);
  });

  test("reads sizes from variables and their defaults", () => {
    const query = `query($n: Int = 300) { referralMember(memberId: "X") { ${HOLDERS_WITH_CUSTOMERS("$n")} } }`;
    expect(cost(query, {})).toBe(303);
    expect(cost(query, { n: 10 })).toBe(11);
    expect(cost(query, { n: 500 })).toBe(505);
  });

  test("counts mutations, their input holders and federation representations", () => {
    const add = `mutation($input: AddHoldersInput!) {
      addHolders(input: $input) { holders { customer { email } } member { holders { totalCount } } }
    }`;
    const holders = Array.from({ length: 30 }, (_, i) => ({ sourceId: `s${i}` }));
    expect(cost(add, { input: { memberId: "X", holders } })).toBe(1 + 30 + 1);
    expect(
      cost(
        `mutation {
          a: removeHolder(input: {memberId: "X", holderId: "h"}) { removedHolderId }
          b: removeHolder(input: {memberId: "X", holderId: "i"}) { removedHolderId }
        }`,
      ),
    ).toBe(2);
    const entities = `query($r: [_Any!]!) {
      _entities(representations: $r) { ... on ReferralMember { holders(first: 200) { totalCount } } ... on Customer { email } }
    }`;
    expect(cost(entities, { r: [{}, {}, {}] })).toBe(3 * 2 + 3);
  });
});

describe("operation limits over HTTP", () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(() => stack.stop());
  beforeEach(() => stack.emulator.resetRequests());
  afterEach(() => expect(stack.emulator.requests).toEqual([]));

  test(`depth: more than ${MAX_QUERY_DEPTH} levels is GRAPHQL_VALIDATION_FAILED naming the limit`, async () => {
    // Introspection is the only way this acyclic schema can be nested this deep (graphql's own
    // MaxIntrospectionDepthRule counts only fields/inputFields/interfaces/possibleTypes, not ofType).
    let selection = "name";
    for (let i = 0; i < 20; i++) selection = `ofType { ${selection} }`;
    const result = await post(stack.gateway.graphqlUrl, JSON.stringify({ query: `{ __type(name: "ReferralHolder") { ${selection} } }` }));
    expect(result.status).toBe(400);
    expect(result.json.errors).toEqual([
      expect.objectContaining({
        message: `The operation is nested deeper than ${MAX_QUERY_DEPTH} levels.`,
        extensions: expect.objectContaining({
          code: "GRAPHQL_VALIDATION_FAILED",
          limit: { name: "MAX_QUERY_DEPTH", max: MAX_QUERY_DEPTH, actual: 22 },
        }),
      }),
    ]);
  });

  test("depth: graphql's full introspection query (what Sandbox and codegen send) is within the limit", async () => {
    const result = await post(
      stack.gateway.graphqlUrl,
      JSON.stringify({ query: getIntrospectionQuery({ descriptions: true, inputValueDeprecation: true }) }),
    );
    expect(result.status).toBe(200);
    expect(result.json.errors).toBeUndefined();
  });

  test("depth and cost: nested fragments are measured once each, and a fragment cycle is refused without hanging", async () => {
    // 30 nested fragments, each spreading the next twice: 2^30 walks unless each fragment is measured once.
    const fragments = Array.from(
      { length: 30 },
      (_, i) => `fragment F${i} on ReferralMember { ${i === 29 ? "id" : `...F${i + 1} ...F${i + 1}`} }`,
    );
    const exponential = await post(
      stack.gateway.graphqlUrl,
      JSON.stringify({ query: `{ referralMember(memberId: "X") { ...F0 } } ${fragments.join(" ")}` }),
    );
    expect(exponential.json.errors).toBeUndefined();
    const cycle = `{ referralMember(memberId: "X") { ...A } } fragment A on ReferralMember { ...B } fragment B on ReferralMember { ...A }`;
    const result = await post(stack.gateway.graphqlUrl, JSON.stringify({ query: cycle }));
    expect(result.status).toBe(400);
    expect(result.json.errors![0].extensions!.code).toBe("GRAPHQL_VALIDATION_FAILED");
  });

  test(`aliases: ${MAX_ALIASES} pass, ${MAX_ALIASES + 1} are refused`, async () => {
    const aliases = (n: number) =>
      `{ ${Array.from({ length: n }, (_, i) => `m${i}: referralMember(memberId: "X${i}") { id }`).join(" ")} }`;
    const ok = await post(stack.gateway.graphqlUrl, JSON.stringify({ query: aliases(MAX_ALIASES) }));
    expect(ok.json.errors).toBeUndefined();
    const refused = await post(stack.gateway.graphqlUrl, JSON.stringify({ query: aliases(MAX_ALIASES + 1) }));
    expect(refused.status).toBe(400);
    expect(refused.json.errors![0].extensions).toMatchObject({
      code: "GRAPHQL_VALIDATION_FAILED",
      limit: { name: "MAX_ALIASES", max: MAX_ALIASES, actual: MAX_ALIASES + 1 },
    });
  });

  test(`cost: over ${MAX_OPERATION_COST} estimated upstream calls is refused, whether the size is literal or a variable`, async () => {
    const twoPages = `query($n: Int) {
      a: referralMember(memberId: "${SEED.code}") { ${HOLDERS_WITH_CUSTOMERS("$n")} }
      b: referralMember(memberId: "${SEED.code}") { ${HOLDERS_WITH_CUSTOMERS("$n")} }
    }`;
    const refused = await post(stack.gateway.graphqlUrl, JSON.stringify({ query: twoPages, variables: { n: 500 } }));
    expect(refused.status).toBe(400);
    expect(refused.json.errors).toEqual([
      expect.objectContaining({
        extensions: expect.objectContaining({
          code: "GRAPHQL_VALIDATION_FAILED",
          limit: { name: "MAX_OPERATION_COST", max: MAX_OPERATION_COST, actual: 1010 },
        }),
      }),
    ]);
    const literal = twoPages.replace("query($n: Int)", "").replaceAll("$n", "500");
    const refusedLiteral = await post(stack.gateway.graphqlUrl, JSON.stringify({ query: literal }));
    expect(refusedLiteral.json.errors![0].extensions!.limit).toMatchObject({ name: "MAX_OPERATION_COST", actual: 1010 });
  });

  test("cost: the same document with small variables runs (validation caching does not pin the first verdict)", async () => {
    const twoPages = `query($n: Int) {
      a: referralMember(memberId: "${SEED.code}") { ${HOLDERS_WITH_CUSTOMERS("$n")} }
      b: referralMember(memberId: "${SEED.code}") { ${HOLDERS_WITH_CUSTOMERS("$n")} }
    }`;
    expect((await post(stack.gateway.graphqlUrl, JSON.stringify({ query: twoPages, variables: { n: 500 } }))).status).toBe(400);
    const ok = await post(stack.gateway.graphqlUrl, JSON.stringify({ query: twoPages, variables: { n: 2 } }));
    expect(ok.json.errors).toBeUndefined();
    expect(ok.json.data).toMatchObject({ a: { holders: { totalCount: SEED.refereeCount + 1 } } });
    // This one is allowed upstream: 1 list page (deduped between the aliases) + 2 customers.
    expect(stack.emulator.requests).toHaveLength(3);
    stack.emulator.resetRequests();
  });

  test("batched operations (a JSON array body) are refused: batching stays off", async () => {
    const batch = JSON.stringify([
      { query: `{ referralMember(memberId: "${SEED.code}") { holders { totalCount } } }` },
      { query: `{ referralMember(memberId: "${SEED.code}") { holders { totalCount } } }` },
    ]);
    const result = await post(stack.gateway.graphqlUrl, batch);
    expect(result.status).toBe(400);
    expect(result.text).toMatch(/batching/i);
  });

  test(`body: more than ${MAX_REQUEST_BODY_BYTES} bytes is 413, declared or streamed`, async () => {
    const huge = JSON.stringify({ query: "{ __typename }", variables: { pad: "x".repeat(MAX_REQUEST_BODY_BYTES) } });
    const declared = await post(stack.gateway.graphqlUrl, huge);
    expect(declared.status).toBe(413);
    expect(declared.json.errors![0].extensions!.code).toBe("BAD_REQUEST");
    // Without a content-length (chunked), the reader must count as it goes.
    const streamed = await fetch(stack.gateway.graphqlUrl, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: new Blob([huge]).stream(),
      duplex: "half",
    });
    expect(streamed.status).toBe(413);
  });

  test(`tokens: a document of more than ${MAX_QUERY_TOKENS} tokens is refused at parse time`, async () => {
    const query = `{ ${"__typename ".repeat(MAX_QUERY_TOKENS)} }`;
    const result = await post(stack.gateway.graphqlUrl, JSON.stringify({ query }));
    expect(result.status).toBe(400);
    expect(result.json.errors![0].extensions!.code).toBe("GRAPHQL_PARSE_FAILED");
    expect(result.json.errors![0].message).toMatch(/5000 tokens/);
  });

  test("variables: a lone surrogate is BAD_USER_INPUT naming the variable", async () => {
    // Written by hand: JSON.stringify would escape the surrogate the same way, but this is what a client sends.
    const body =
      `{"query":"query($m: ID!) { referralMember(memberId: $m) { holders { totalCount } } }",` + `"variables":{"m":"WELCOME\\ud800-REF"}}`;
    const result = await post(stack.gateway.graphqlUrl, body);
    expect(result.status).toBe(400);
    expect(result.json.errors![0].extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "variables.m" });
  });

  test(`variables: nested deeper than ${MAX_VARIABLE_DEPTH} levels is BAD_USER_INPUT`, async () => {
    // Built as text: JSON.stringify itself overflows the stack at this depth.
    const metadata = `${'{"a":'.repeat(100_000)}"leaf"${"}".repeat(100_000)}`;
    const query = JSON.stringify("mutation($i: AddHoldersInput!) { addHolders(input: $i) { holders { id } } }");
    const body = `{"query":${query},"variables":{"i":{"memberId":"${SEED.code}","holders":[{"sourceId":"deep"}],"metadata":${metadata}}}}`;
    const result = await post(stack.gateway.graphqlUrl, body);
    expect(result.status).toBe(400);
    expect(result.json.errors![0].extensions!.code).toBe("BAD_USER_INPUT");
    expect(result.json.errors![0].message).toMatch(/nested deeper than/);
  });
});

describe("GRAPHQL_MAX_COST", () => {
  test("an operator can lower the cost limit to the Voucherify plan", async () => {
    const stack = await startStack({ env: { GRAPHQL_MAX_COST: "2" } });
    try {
      const refused = await graphql(
        stack.gateway.graphqlUrl,
        `{ referralMember(memberId: "${SEED.code}") { holders(first: 300) { totalCount } } }`,
      );
      expect(refused.errors![0].extensions).toMatchObject({
        code: "GRAPHQL_VALIDATION_FAILED",
        limit: { name: "MAX_OPERATION_COST", max: 2, actual: 3 },
      });
      expect(stack.emulator.requests).toEqual([]);
      const allowed = await graphql(
        stack.gateway.graphqlUrl,
        `{ referralMember(memberId: "${SEED.code}") { holders(first: 200) { totalCount } } }`,
      );
      expect(allowed.errors).toBeUndefined();
    } finally {
      await stack.stop();
    }
  });
});

describe("the default cost limit (110)", () => {
  test("refuses the 144-byte request that once made 505 upstream calls, before any call; 100 holders with customers fit", async () => {
    const stack = await startStack();
    try {
      const worst = `{ referralMember(memberId: "${SEED.code}") { holders(first: 500) { nodes { customer { email } } } } }`;
      const refused = await graphql(stack.gateway.graphqlUrl, worst);
      expect(refused.errors![0].extensions).toMatchObject({
        code: "GRAPHQL_VALIDATION_FAILED",
        limit: { name: "MAX_OPERATION_COST", max: 110, actual: 505 },
      });
      expect(stack.emulator.requests).toEqual([]);
      const largest = `{ referralMember(memberId: "${SEED.code}") { holders(first: 100) { nodes { customer { email } } } } }`;
      const allowed = await graphql(stack.gateway.graphqlUrl, largest);
      expect(allowed.errors).toBeUndefined();
      // 26 demo holders: one list call and one read per distinct customer, within the 101 the estimate allowed.
      expect(stack.emulator.requests).toHaveLength(1 + SEED.refereeCount + 1);
    } finally {
      await stack.stop();
    }
  });
});
