import { SEED } from "../../src/emulator/seed.js";
import { graphql, startStack, type Stack } from "../support/stack.js";
import { AddHoldersDocument, RemoveHolderDocument } from "../generated/operations.js";
import { execute } from "../support/typed-operation.js";
import { addReferee, FAULT_SCENARIOS, LIST_HOLDERS, runScenario, startScenarioStack } from "./fault-scenarios.js";

/** How many holders with this id the gateway lists now: 1 while it exists, 0 once removed. */
async function listedCount(stack: Stack, holderId: string): Promise<number> {
  const listed = await graphql<{ referralMember: { holders: { totalCount: number } } }>(
    stack.gateway.graphqlUrl,
    "query ($m: ID!, $h: [ID!]) { referralMember(memberId: $m) { holders(filter: { holderIds: $h }) { totalCount } } }",
    { m: SEED.code, h: [holderId] },
  );
  return listed.data!.referralMember.holders.totalCount;
}

// Each upstream fault, injected into the real emulator, must reach the client as one code of the error table,
// after exactly the attempts the retry policy allows (GET/DELETE on 502/503/504 and network errors, 3 at most).

describe("upstream faults map to the error table", () => {
  test.each(FAULT_SCENARIOS.map((s) => [s.name, s] as const))("%s", async (_name, scenario) => {
    const stack = await startScenarioStack(scenario);
    try {
      const { response, upstream } = await runScenario(stack, scenario);
      if (scenario.code === null) {
        expect(response.errors).toBeUndefined();
      } else {
        expect(response.errors).toHaveLength(1);
        expect(response.errors![0].extensions?.code).toBe(scenario.code);
        // A failed field is nulled up to its nearest nullable parent, never a half-built object with nulls in non-null
        // fields: a failed read nulls only `holders` (nullable), a failed write its whole (non-null) mutation field.
        if (scenario.operation === "list") {
          expect(response.data).toEqual({ referralMember: { holders: null } });
          expect(response.errors![0].path).toEqual(["referralMember", "holders"]);
        } else {
          expect(response.data ?? null).toBeNull();
        }
      }
      expect(upstream).toHaveLength(scenario.attempts);
    } finally {
      await stack.stop();
    }
  });
});

describe("specific fault behaviour", () => {
  let stack: Stack;
  beforeEach(async () => {
    stack = await startStack();
  });
  afterEach(() => stack.stop());

  test("429 answers RATE_LIMITED with retryAfterSeconds, and the next operation fails fast without an upstream request", async () => {
    stack.emulator.injectFault({ status: 429, headers: { "retry-after": "7" }, times: 1 });
    const limited = await graphql(stack.gateway.graphqlUrl, LIST_HOLDERS, { memberId: SEED.code });
    expect(limited.errors![0].extensions).toMatchObject({ code: "RATE_LIMITED", retryAfterSeconds: 7, upstream: { status: 429 } });
    expect(stack.emulator.requests).toHaveLength(1);

    // The fault is used up: an upstream request now would succeed, so only the guard can make this fail.
    stack.emulator.resetRequests();
    const next = await graphql(stack.gateway.graphqlUrl, LIST_HOLDERS, { memberId: SEED.code });
    expect(next.errors![0].extensions?.code).toBe("RATE_LIMITED");
    const seconds = next.errors![0].extensions?.retryAfterSeconds as number;
    expect(seconds).toBeGreaterThanOrEqual(1);
    expect(seconds).toBeLessThanOrEqual(7);
    const mutation = await execute(stack.gateway.graphqlUrl, RemoveHolderDocument, { input: { memberId: SEED.code, holderId: "rh_any" } });
    expect(mutation.errors![0].extensions?.code).toBe("RATE_LIMITED");
    expect(stack.emulator.requests).toHaveLength(0);
  });

  test("a 200 that spent the plan (X-Rate-Limit-Remaining: 0) answers, and the next call is refused locally until the reset", async () => {
    stack.emulator.injectFault({ planSpentForSeconds: 30, times: 1 });
    const answered = await graphql(stack.gateway.graphqlUrl, LIST_HOLDERS, { memberId: SEED.code });
    expect(answered.errors).toBeUndefined();
    expect(stack.emulator.requests).toHaveLength(1);

    // The plan resets in 30 s: a call now would earn a 429, so the gateway refuses it without asking upstream.
    stack.emulator.resetRequests();
    const read = await graphql(stack.gateway.graphqlUrl, LIST_HOLDERS, { memberId: SEED.code }, { "cache-control": "no-cache" });
    expect(read.errors![0].extensions?.code).toBe("RATE_LIMITED");
    const seconds = read.errors![0].extensions?.retryAfterSeconds as number;
    expect(seconds).toBeGreaterThanOrEqual(1);
    expect(seconds).toBeLessThanOrEqual(30);
    const mutation = await execute(stack.gateway.graphqlUrl, RemoveHolderDocument, { input: { memberId: SEED.code, holderId: "rh_any" } });
    expect(mutation.errors![0].extensions?.code).toBe("RATE_LIMITED");
    expect(stack.emulator.requests).toHaveLength(0);
  });

  test("a real 401 (the gateway's credentials are wrong) is UNAUTHENTICATED, with the upstream's key", async () => {
    const wrong = await startStack({ gateway: { credentials: { appId: "wrong-id", appToken: "wrong-token" } } });
    try {
      const result = await graphql(wrong.gateway.graphqlUrl, LIST_HOLDERS, { memberId: SEED.code });
      expect(result.errors![0].extensions).toMatchObject({ code: "UNAUTHENTICATED", upstream: { status: 401 } });
    } finally {
      await wrong.stop();
    }
  });

  test("a redirect is a failure, never a done DELETE: the holder stays", async () => {
    const holderId = await addReferee(stack);
    stack.emulator.injectFault({
      status: 301,
      headers: { location: "https://elsewhere.example/" },
      body: "",
      times: 1,
      match: (r) => r.method === "DELETE",
    });
    const removed = await execute(stack.gateway.graphqlUrl, RemoveHolderDocument, { input: { memberId: SEED.code, holderId } });
    expect(removed.errors![0].extensions).toMatchObject({ code: "UPSTREAM_ERROR", upstream: { status: 301 } });
    expect(await listedCount(stack, holderId)).toBe(1);
  });

  test("a DELETE whose reply was lost really removed the holder, and a plain 404 is still NOT_FOUND", async () => {
    const holderId = await addReferee(stack);
    stack.emulator.injectFault({ afterHandler: "drop", times: 1, match: (r) => r.method === "DELETE" });
    stack.emulator.resetRequests();
    const removed = await execute(stack.gateway.graphqlUrl, RemoveHolderDocument, { input: { memberId: SEED.code, holderId } });
    expect(removed.errors).toBeUndefined();
    expect(removed.data?.removeHolder.removedHolderId).toBe(holderId);
    expect(stack.emulator.requests.filter((r) => r.method === "DELETE")).toHaveLength(2);

    expect(await listedCount(stack, holderId)).toBe(0);

    // A first-attempt 404 is not a lost reply: the holder was never there.
    stack.emulator.resetRequests();
    const again = await execute(stack.gateway.graphqlUrl, RemoveHolderDocument, { input: { memberId: SEED.code, holderId } });
    expect(again.errors![0].extensions).toMatchObject({ code: "NOT_FOUND", upstream: { status: 404 } });
    expect(stack.emulator.requests).toHaveLength(1);
  });

  test("a POST applied upstream but whose reply was lost is not retried: a second try sees CONFLICT, not a duplicate", async () => {
    const input = { memberId: SEED.code, holders: [{ sourceId: "lost-reply-referee" }] };
    stack.emulator.injectFault({ afterHandler: "drop", times: 1, match: (r) => r.method === "POST" });
    const lost = await execute(stack.gateway.graphqlUrl, AddHoldersDocument, { input });
    expect(lost.errors![0].extensions?.code).toBe("UPSTREAM_ERROR");
    expect(stack.emulator.requests.filter((r) => r.method === "POST")).toHaveLength(1);
    const retry = await execute(stack.gateway.graphqlUrl, AddHoldersDocument, { input });
    expect(retry.errors![0].extensions?.code).toBe("CONFLICT");
  });

  test("a failing customer read nulls only the customer's fields, with the error at their path", async () => {
    stack.emulator.injectFault({ status: 503, match: (r) => r.path.startsWith("/v1/customers/") });
    const result = await graphql(
      stack.gateway.graphqlUrl,
      `
        query ($m: ID!) {
          referralMember(memberId: $m) {
            holders(first: 1) {
              nodes {
                id
                customer {
                  id
                  email
                }
              }
            }
          }
        }
      `,
      { m: SEED.code },
    );
    const node = result.data.referralMember.holders.nodes[0];
    expect(node.customer).toEqual({ id: SEED.referrerCustomerId, email: null });
    expect(result.errors).toHaveLength(1);
    expect(result.errors![0]).toMatchObject({
      path: ["referralMember", "holders", "nodes", 0, "customer", "email"],
      extensions: { code: "UPSTREAM_ERROR" },
    });
    // 1 list + 3 attempts of the one customer read.
    expect(stack.emulator.requests.filter((r) => r.path.startsWith("/v1/customers/"))).toHaveLength(3);
  });

  test("the gateway stays healthy after every kind of fault", async () => {
    for (const fault of [{ dropConnection: true }, { status: 502 }, { status: 200, body: "{" }]) {
      stack.emulator.injectFault({ ...fault, times: 3 });
      await graphql(stack.gateway.graphqlUrl, LIST_HOLDERS, { memberId: SEED.code });
      stack.emulator.clearFaults();
    }
    const healthy = await graphql(stack.gateway.graphqlUrl, LIST_HOLDERS, { memberId: SEED.code });
    expect(healthy.errors).toBeUndefined();
    expect(healthy.data.referralMember.holders.totalCount).toBe(SEED.refereeCount + 1);
    expect(stack.gateway.transport.inFlight).toBe(0);
  });
});
