import { SEED } from "../../src/emulator/seed.js";
import { COMPILE_AFTER_SIGHTINGS } from "../../src/execution/compiled-execution.js";
import { startStack, type Stack } from "../support/stack.js";

// An operation runs on graphql-js until it has been seen COMPILE_AFTER_SIGHTINGS times, then compiled by graphql-jit:
// both must answer alike, data, errors (codes, paths, nulling) and status included, byte for byte.
const OPERATIONS: Array<[string, string, Record<string, unknown>?]> = [
  [
    "a holders page with customers, fragments and variables",
    `query Page($m: ID!, $n: Int) { referralMember(memberId: $m) { id campaignId holders(first: $n, order: ID_DESC) {
       totalCount pageInfo { hasNextPage endCursor } edges { cursor node { ...H customer { id name email } } } } } }
     fragment H on ReferralHolder { id holderRole createdAt customerId metadata }`,
    { m: SEED.code, n: 5 },
  ],
  [
    "federation entities",
    `query($r: [_Any!]!) {
      _entities(representations: $r) { ... on ReferralMember { id holders(first: 1) { totalCount } } ... on Customer { id } }
    }`,
    {
      r: [
        { __typename: "ReferralMember", id: SEED.code },
        { __typename: "Customer", id: "cust_x" },
      ],
    },
  ],
  [
    "a variable of the wrong type",
    `query($n: Int) { referralMember(memberId: "${SEED.code}") { holders(first: $n) { totalCount } } }`,
    { n: "ten" },
  ],
  [
    "an unknown member (an upstream error, its field nulled)",
    `query { referralMember(memberId: "no-such-member") { id holders(first: 2) { totalCount } } }`,
    // Spelled out: a row shorter than the test function's parameters makes jest pass `done` in their place.
    undefined,
  ],
];

/**
 * The body as sent, byte for byte, less what differs per request by nature: stack traces (development mode;
 * graphql-jit's frames are not graphql-js's) and Voucherify's request ids. A body with neither is compared as sent;
 * one with either is re-serialised without them (JSON.stringify keeps the order of keys, so order still counts).
 */
function comparable(body: string): string {
  if (!/"(stacktrace|requestId)"/.test(body)) return body;
  return JSON.stringify(
    JSON.parse(body, (key, value: unknown) => (key === "stacktrace" ? undefined : key === "requestId" ? "(per request)" : value)),
  );
}

describe("compiled execution answers exactly as graphql-js", () => {
  let stack: Stack;
  beforeAll(async () => {
    // Every request executes: an answer kept whole would be served again without execution.
    stack = await startStack({ env: { CACHE_ANSWERS_MAX_BYTES: "0" } });
  });
  afterAll(() => stack.stop());

  const post = async (query: string, variables?: Record<string, unknown>) => {
    const response = await fetch(stack.gateway.graphqlUrl, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ query, variables }),
    });
    return { status: response.status, type: response.headers.get("content-type"), body: comparable(await response.text()) };
  };

  test.each(OPERATIONS)("%s", async (_name, query, variables) => {
    const compiledBefore = stack.gateway.compiledOperations;
    // Sightings before the one that compiles run on graphql-js, and compile nothing.
    const onGraphqlJs = [];
    for (let i = 1; i < COMPILE_AFTER_SIGHTINGS; i++) onGraphqlJs.push(await post(query, variables));
    expect(stack.gateway.compiledOperations).toBe(compiledBefore);

    // From the COMPILE_AFTER_SIGHTINGS-th on, graphql-jit runs it: compiled once, then reused.
    const compiled = [await post(query, variables)];
    expect(stack.gateway.compiledOperations).toBe(compiledBefore + 1);
    compiled.push(await post(query, variables));
    expect(stack.gateway.compiledOperations).toBe(compiledBefore + 1);

    expect(onGraphqlJs.length).toBeGreaterThan(0);
    expect(onGraphqlJs[0].body.length).toBeGreaterThan(20);
    for (const answer of compiled) expect(answer).toEqual(onGraphqlJs[0]);
  });
});
