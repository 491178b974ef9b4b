import { SEED } from "../../src/emulator/seed.js";
import { graphql, startStack, type Stack } from "../support/stack.js";
import { bearer, signToken, TEST_JWT_SECRET } from "../support/tokens.js";

// CALLER_BUDGET_PER_MINUTE: each caller (JWT sub) may spend that many estimated upstream calls a minute. Over it,
// RATE_LIMITED with retryAfterSeconds and no upstream call, while other callers are served.

// 1 list call + 10 customer reads: an estimated cost of 11.
const PAGE_WITH_CUSTOMERS = `{ referralMember(memberId: "${SEED.code}") { holders(first: 10) { nodes { customer { name } } } } }`;
const PAGE = `{ referralMember(memberId: "${SEED.code}") { holders(first: 5) { totalCount } } }`;

describe("per-caller budget", () => {
  let stack: Stack;
  beforeAll(async () => {
    // The cache stays off: these tests prove "served" and "refused" by counting upstream calls.
    stack = await startStack({
      env: { AUTH_JWT_SECRET: TEST_JWT_SECRET, CALLER_BUDGET_PER_MINUTE: "110", CACHE_HOLDERS_TTL_MS: "0", CACHE_CUSTOMERS_TTL_MS: "0" },
    });
  });
  afterAll(() => stack.stop());

  test("a caller over its budget is refused with RATE_LIMITED and no upstream call; another caller is served", async () => {
    const alice = bearer(await signToken({ sub: "alice", scope: "referrals:read customers:read" }));
    const bob = bearer(await signToken({ sub: "bob", scope: "referrals:read customers:read" }));
    for (let i = 0; i < 10; i++) {
      const response = await graphql(stack.gateway.graphqlUrl, PAGE_WITH_CUSTOMERS, undefined, alice);
      expect(response.errors).toBeUndefined();
    }
    stack.emulator.resetRequests();
    const refused = await graphql(stack.gateway.graphqlUrl, PAGE, undefined, alice);
    expect(refused.status).toBe(429);
    expect(refused.errors?.map((e) => e.extensions?.code)).toEqual(["RATE_LIMITED"]);
    const retryAfterSeconds = refused.errors![0].extensions!.retryAfterSeconds as number;
    expect(retryAfterSeconds).toBeGreaterThanOrEqual(1);
    expect(retryAfterSeconds).toBeLessThanOrEqual(60);
    expect(refused.headers.get("retry-after")).toBe(String(retryAfterSeconds));
    expect(stack.emulator.requests).toEqual([]);

    const served = await graphql(stack.gateway.graphqlUrl, PAGE_WITH_CUSTOMERS, undefined, bob);
    expect(served.errors).toBeUndefined();
    expect(stack.emulator.requests.length).toBeGreaterThan(0);
  });

  test("a refused large operation spends nothing: a small one that still fits goes through", async () => {
    const carol = bearer(await signToken({ sub: "carol", scope: "referrals:read customers:read" }));
    for (let i = 0; i < 9; i++)
      expect((await graphql(stack.gateway.graphqlUrl, PAGE_WITH_CUSTOMERS, undefined, carol)).errors).toBeUndefined();
    // 99 spent, 11 left: a 101-call page does not fit and costs nothing; the 11-call page after it still fits.
    const big = `{ referralMember(memberId: "${SEED.code}") { holders(first: 100) { nodes { customer { name } } } } }`;
    expect((await graphql(stack.gateway.graphqlUrl, big, undefined, carol)).status).toBe(429);
    expect((await graphql(stack.gateway.graphqlUrl, PAGE_WITH_CUSTOMERS, undefined, carol)).errors).toBeUndefined();
    expect((await graphql(stack.gateway.graphqlUrl, PAGE, undefined, carol)).status).toBe(429);
  });

  test("operations that cost no upstream call are never refused by the budget", async () => {
    const dave = bearer(await signToken({ sub: "dave", scope: "referrals:read" }));
    for (let i = 0; i < 110; i++) await graphql(stack.gateway.graphqlUrl, PAGE.replace("first: 5", "first: 1"), undefined, dave);
    expect((await graphql(stack.gateway.graphqlUrl, PAGE, undefined, dave)).status).toBe(429);
    const free = await graphql(stack.gateway.graphqlUrl, `{ referralMember(memberId: "${SEED.code}") { id } }`, undefined, dave);
    expect(free.errors).toBeUndefined();
  });
});

describe("per-caller budget with authentication off", () => {
  test("is keyed by the client address", async () => {
    // The cache off, as above: a kept answer would be served without spending anything.
    const stack = await startStack({ env: { CALLER_BUDGET_PER_MINUTE: "110", CACHE_HOLDERS_TTL_MS: "0", CACHE_CUSTOMERS_TTL_MS: "0" } });
    try {
      for (let i = 0; i < 10; i++) expect((await graphql(stack.gateway.graphqlUrl, PAGE_WITH_CUSTOMERS)).errors).toBeUndefined();
      const refused = await graphql(stack.gateway.graphqlUrl, PAGE_WITH_CUSTOMERS);
      expect(refused.errors?.[0].extensions?.code).toBe("RATE_LIMITED");
    } finally {
      await stack.stop();
    }
  });
});
