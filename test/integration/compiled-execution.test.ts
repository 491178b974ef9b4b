import { SEED } from "../../src/emulator/seed.js";
import { COMPILE_AFTER_SIGHTINGS } from "../../src/execution/compiled-execution.js";
import { graphql, startStack, type Stack } from "../support/stack.js";

// An operation runs on graphql-js until it has been seen COMPILE_AFTER_SIGHTINGS times, then compiled by graphql-jit:
// both must answer alike, data, errors (codes, paths, nulling) and status included.
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
];

describe("compiled execution answers exactly as graphql-js", () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(() => stack.stop());

  test.each(OPERATIONS)("%s", async (_name, query, variables) => {
    const answers = [];
    for (let i = 0; i <= COMPILE_AFTER_SIGHTINGS; i++) {
      const { status, data, errors } = await graphql(stack.gateway.graphqlUrl, query, variables);
      // Stack traces (development mode) and Voucherify's request ids differ per request by nature.
      const comparable = errors?.map(({ extensions, ...error }) => {
        const { stacktrace: _stack, upstream, ...rest } = extensions ?? {};
        const { requestId: _id, ...upstreamRest } = (upstream ?? {}) as Record<string, unknown>;
        return { ...error, extensions: { ...rest, ...(upstream ? { upstream: upstreamRest } : {}) } };
      });
      answers.push({ status, data, errors: comparable });
    }
    expect(answers[0].data ?? answers[0].errors).toBeDefined();
    for (const answer of answers.slice(1)) {
      const [a, b] = [JSON.stringify(answer), JSON.stringify(answers[0])];
      expect(a).toBe(b);
    }
  });
});
