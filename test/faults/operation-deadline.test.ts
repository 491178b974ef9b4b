import { SEED } from "../../src/emulator/seed.js";
import { CUSTOMER_FETCH_CONCURRENCY } from "../../src/voucherify/loaders.js";
import { graphql, startStack, type Stack } from "../support/stack.js";

// OPERATION_TIMEOUT_MS bounds a whole operation, not one upstream call: past it, the operation's pending reads are
// cancelled instead of going on spending the rate limit (26 customer reads here, 8 at a time).
describe("the operation deadline", () => {
  let stack: Stack;
  beforeAll(async () => {
    // The deadline is a real timer: 2 s leaves the first batch of reads ample time to go out even on a loaded machine.
    stack = await startStack({ env: { OPERATION_TIMEOUT_MS: "2000", VOUCHERIFY_TIMEOUT_MS: "10000" } });
  });
  afterAll(() => stack.stop());

  test("cancels the operation's upstream reads, queued ones included, and answers UPSTREAM_TIMEOUT", async () => {
    // Every customer read is held until the operation has answered: only its deadline can end it.
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    stack.emulator.injectFault({ holdUntil: held, match: (r) => r.path.startsWith("/v1/customers/") });
    const result = await graphql(
      stack.gateway.graphqlUrl,
      `{ referralMember(memberId: "${SEED.code}") { holders(first: 26) { nodes { customer { name } } } } }`,
    );
    stack.emulator.clearFaults();
    release();
    expect(result.errors!.length).toBeGreaterThan(0);
    expect(new Set(result.errors!.map((error) => error.extensions?.code))).toEqual(new Set(["UPSTREAM_TIMEOUT"]));
    // Only the first batch ever reached the upstream: the 18 queued reads were cancelled, not sent late.
    const customerReads = stack.emulator.requests.filter((r) => r.path.startsWith("/v1/customers/"));
    expect(customerReads.length).toBe(CUSTOMER_FETCH_CONCURRENCY);
  });
});
