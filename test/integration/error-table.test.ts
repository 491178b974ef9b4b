import { SEED, demoRefereeCustomerId } from "../../src/emulator/seed.js";
import { restHolders } from "../support/holders-expectation.js";
import { AddHoldersDocument, RemoveHolderDocument, type AddHoldersInput, type RemoveHolderInput } from "../generated/operations.js";
import { graphql, startStack, type GraphQLResponse, type Stack } from "../support/stack.js";
import { execute } from "../support/typed-operation.js";

// Every row of the error table (docs/frontend/errors.md) that an upstream answer can produce, reached through GraphQL over real HTTP:
// `extensions.code` plus `extensions.upstream.{status,key}`. Faults come from the emulator's in-process injector.

const LIST = `query($memberId: ID!, $campaignId: ID) {
  referralMember(memberId: $memberId, campaignId: $campaignId) { holders(first: 3) { totalCount nodes { id } } }
}`;

/** The shipped mutations (schema/operations), typed. */
const add = (stack: Stack, input: AddHoldersInput) => execute(stack.gateway.graphqlUrl, AddHoldersDocument, { input });
const remove = (stack: Stack, input: RemoveHolderInput) => execute(stack.gateway.graphqlUrl, RemoveHolderDocument, { input });

/** The single error of a failed operation, with the things no error may carry checked on the way. */
function onlyError(response: GraphQLResponse) {
  expect(response.errors).toHaveLength(1);
  const error = response.errors![0];
  const text = JSON.stringify(error);
  for (const secret of ["demo-app-token", "x-app-token", "127.0.0.1", "http://"]) expect(text.toLowerCase()).not.toContain(secret);
  return error;
}

const upstreamOf = (error: { extensions?: Record<string, unknown> }) => error.extensions?.upstream as Record<string, unknown>;

describe("upstream 4xx answers", () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(() => stack.stop());

  test("NOT_FOUND: an unknown referral code", async () => {
    const error = onlyError(await graphql(stack.gateway.graphqlUrl, LIST, { memberId: "NO-SUCH-CODE" }));
    expect(error.extensions).toMatchObject({ code: "NOT_FOUND", upstream: { status: 404, key: "not_found", resourceType: "voucher" } });
    expect(error.path).toEqual(["referralMember", "holders"]);
  });

  test("NOT_FOUND: an unknown campaign on the campaign-scoped path", async () => {
    const error = onlyError(await graphql(stack.gateway.graphqlUrl, LIST, { memberId: SEED.code, campaignId: "camp_nope" }));
    expect(error.extensions).toMatchObject({ code: "NOT_FOUND", upstream: { status: 404, key: "not_found", resourceType: "campaign" } });
  });

  test("NOT_FOUND: removing an unknown holder", async () => {
    const error = onlyError(await remove(stack, { memberId: SEED.code, holderId: "rh_000000000000000000" }));
    expect(error.extensions).toMatchObject({
      code: "NOT_FOUND",
      upstream: { status: 404, key: "not_found", resourceType: "redeemable_holder" },
    });
    expect(typeof upstreamOf(error).requestId).toBe("string");
  });

  test("FORBIDDEN: removing the referrer", async () => {
    const referrer = (await restHolders(stack.emulator, SEED.code)).data.find((h) => h.holder_role === "REFERRER")!;
    const error = onlyError(await remove(stack, { memberId: SEED.code, holderId: referrer.id }));
    expect(error.extensions).toMatchObject({ code: "FORBIDDEN", upstream: { status: 403, key: "forbidden" } });
    expect(error.message).toBe("Can not remove assignment");
    expect((await restHolders(stack.emulator, SEED.code)).total).toBe(26);
  });

  test("CONFLICT: adding a customer who already holds the code", async () => {
    const error = onlyError(await add(stack, { memberId: SEED.code, holders: [{ id: demoRefereeCustomerId(4) }] }));
    expect(error.extensions).toMatchObject({
      code: "CONFLICT",
      upstream: { status: 409, key: "holder_assignement_duplication", resourceId: demoRefereeCustomerId(4) },
    });
  });

  test("BAD_USER_INPUT from the upstream: a code not yet published to a referrer", async () => {
    const error = onlyError(await add(stack, { memberId: SEED.unpublishedCode, holders: [{ sourceId: "fresh-customer" }] }));
    expect(error.extensions).toMatchObject({ code: "BAD_USER_INPUT", upstream: { status: 400, key: "not_published" } });
    expect(stack.emulator.requests.at(-1)!.method).toBe("POST");
  });
});

describe("UNAUTHENTICATED: the gateway's own credentials are wrong", () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ gateway: { credentials: { appId: "x", appToken: "y" } } });
  });
  afterAll(() => stack.stop());

  test("reads and writes both answer UNAUTHENTICATED with the upstream's 401", async () => {
    const read = onlyError(await graphql(stack.gateway.graphqlUrl, LIST, { memberId: SEED.code }));
    expect(read.extensions).toMatchObject({ code: "UNAUTHENTICATED", upstream: { status: 401, key: "unauthorized" } });
    const write = onlyError(await add(stack, { memberId: SEED.code, holders: [{ sourceId: "s-1" }] }));
    expect(write.extensions).toMatchObject({ code: "UNAUTHENTICATED", upstream: { status: 401, key: "unauthorized" } });
  });

  test("credentials a client sends are ignored unless the operator allows them", async () => {
    const response = await graphql(
      stack.gateway.graphqlUrl,
      LIST,
      { memberId: SEED.code },
      {
        "x-app-id": stack.emulator.appId,
        "x-app-token": stack.emulator.appToken,
      },
    );
    expect(onlyError(response).extensions).toMatchObject({ code: "UNAUTHENTICATED" });
  });
});

// RATE_LIMITED (retryAfterSeconds from Retry-After, then failing fast without an upstream call, reads and writes
// alike) is covered in test/faults/upstream-faults.test.ts.

describe("UPSTREAM_ERROR", () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(() => stack.stop());
  afterEach(() => stack.emulator.clearFaults());

  test("a 500 with a Voucherify error body", async () => {
    stack.emulator.injectFault({ status: 500, times: 1 });
    const error = onlyError(await graphql(stack.gateway.graphqlUrl, LIST, { memberId: SEED.code }));
    expect(error.extensions).toMatchObject({ code: "UPSTREAM_ERROR", upstream: { status: 500, key: "injected_fault" } });
  });

  test("an HTML error page: a generic message, and nothing of the body reaches the client", async () => {
    stack.emulator.injectFault({
      status: 502,
      body: "<html><body><h1>502 Bad Gateway</h1>secret-internal-host.example</body></html>",
      headers: { "content-type": "text/html" },
    });
    const response = await graphql(stack.gateway.graphqlUrl, LIST, { memberId: SEED.code });
    const error = onlyError(response);
    expect(error.extensions).toMatchObject({ code: "UPSTREAM_ERROR", upstream: { status: 502 } });
    expect(upstreamOf(error).key).toBeUndefined();
    expect(error.message).toBe("Voucherify answered with an error.");
    expect(JSON.stringify(response.errors)).not.toMatch(/html|secret-internal-host/i);
  });

  test("a 200 that is not JSON", async () => {
    stack.emulator.injectFault({ status: 200, body: "<html>oops</html>", times: 1 });
    const error = onlyError(await graphql(stack.gateway.graphqlUrl, LIST, { memberId: SEED.code }));
    expect(error.extensions).toMatchObject({ code: "UPSTREAM_ERROR", upstream: { status: 200 } });
    expect(JSON.stringify(error)).not.toContain("oops");
  });

  test("a 200 of the wrong shape", async () => {
    stack.emulator.injectFault({
      status: 200,
      body: JSON.stringify({ object: "list", data: [{ id: 1 }], total: 1, has_more: false }),
      times: 1,
    });
    const error = onlyError(await graphql(stack.gateway.graphqlUrl, LIST, { memberId: SEED.code }));
    expect(error.extensions).toMatchObject({ code: "UPSTREAM_ERROR", upstream: { status: 200 } });
  });

  test("a dropped connection on a write (never retried)", async () => {
    stack.emulator.injectFault({ dropConnection: true, times: 1 });
    stack.emulator.resetRequests();
    const error = onlyError(await add(stack, { memberId: SEED.code, holders: [{ sourceId: "dropped" }] }));
    expect(error.extensions).toMatchObject({ code: "UPSTREAM_ERROR", upstream: { status: null } });
    expect(stack.emulator.requests).toHaveLength(1);
  });
});

describe("UPSTREAM_TIMEOUT", () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ env: { VOUCHERIFY_TIMEOUT_MS: "300" } });
  });
  afterAll(() => stack.stop());

  test("an upstream slower than VOUCHERIFY_TIMEOUT_MS", async () => {
    stack.emulator.injectFault({ latencyMs: 2000 });
    const error = onlyError(await graphql(stack.gateway.graphqlUrl, LIST, { memberId: SEED.code }));
    expect(error.extensions).toMatchObject({ code: "UPSTREAM_TIMEOUT", upstream: { status: null } });
    stack.emulator.clearFaults();
    // The gateway is not left broken by it.
    const ok = await graphql(stack.gateway.graphqlUrl, LIST, { memberId: SEED.code });
    expect(ok.errors).toBeUndefined();
    expect(ok.data.referralMember.holders.totalCount).toBe(26);
  });
});
