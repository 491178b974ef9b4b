import { SEED } from "../../src/emulator/seed.js";
import { graphql, startStack, type Stack } from "../support/stack.js";
import { RemoveHolderDocument } from "../generated/operations.js";
import { execute } from "../support/typed-operation.js";

// `holders` is nullable: a read that fails nulls only that member's holders, with the error at its path. Before, one
// unknown code in one alias nulled the whole response (`data: null`), sibling aliases included.

const TWO_MEMBERS = `query TwoMembers($bad: ID!) {
  ok: referralMember(memberId: "${SEED.code}") { id holders(first: 2) { totalCount nodes { id } } }
  bad: referralMember(memberId: $bad) { id holders(first: 2) { totalCount nodes { id } } }
}`;

describe("one member's failed holders read leaves its siblings standing", () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(() => stack.stop());
  afterEach(() => stack.emulator.clearFaults());

  test("an unknown code in one alias: its holders are null with NOT_FOUND at its path, the other alias is whole", async () => {
    const response = await graphql(stack.gateway.graphqlUrl, TWO_MEMBERS, { bad: "NO-SUCH" });
    expect(response.status).toBe(200);
    expect(response.data).toEqual({
      ok: {
        id: SEED.code,
        holders: { totalCount: SEED.refereeCount + 1, nodes: [{ id: expect.any(String) }, { id: expect.any(String) }] },
      },
      bad: { id: "NO-SUCH", holders: null },
    });
    expect(response.errors).toHaveLength(1);
    expect(response.errors![0]).toMatchObject({ path: ["bad", "holders"], extensions: { code: "NOT_FOUND" } });
  });

  test("an upstream 5xx for one member only: that member's holders are null with UPSTREAM_ERROR, the other stands", async () => {
    stack.emulator.injectFault({ status: 500, body: "{}", match: (r) => r.path.includes(`/members/${SEED.otherCode}/`) });
    const response = await graphql(stack.gateway.graphqlUrl, TWO_MEMBERS, { bad: SEED.otherCode });
    expect(response.data?.ok.holders.totalCount).toBe(SEED.refereeCount + 1);
    expect(response.data?.bad).toEqual({ id: SEED.otherCode, holders: null });
    expect(response.errors?.map((e) => [e.path, e.extensions?.code])).toEqual([[["bad", "holders"], "UPSTREAM_ERROR"]]);
  });

  test("a mutation's payload keeps its write result when re-reading the member's holders fails", async () => {
    const holderId = (
      await graphql(stack.gateway.graphqlUrl, `{ referralMember(memberId: "${SEED.otherCode}") { holders(last: 1) { nodes { id } } } }`)
    ).data!.referralMember.holders.nodes[0].id as string;
    stack.emulator.injectFault({ status: 503, body: "{}", match: (r) => r.method === "GET" && r.path.endsWith("/holders") });
    const response = await execute(stack.gateway.graphqlUrl, RemoveHolderDocument, { input: { memberId: SEED.otherCode, holderId } });
    expect(response.data).toEqual({
      removeHolder: { removedHolderId: holderId, member: { id: SEED.otherCode, campaignId: null, holders: null } },
    });
    expect(response.errors?.map((e) => e.path)).toEqual([["removeHolder", "member", "holders"]]);
  });
});
