import { SEED, demoRefereeCustomerId } from "../../src/emulator/seed.js";
import {
  AddHoldersDocument,
  FilteredHoldersDocument,
  ReferralHoldersBackwardDocument,
  ReferralHoldersDocument,
  RemoveHolderDocument,
} from "../generated/operations.js";
import { startStack, type Stack } from "../support/stack.js";
import { execute } from "../support/typed-operation.js";

// Every example operation in schema/operations/ runs against the real gateway as its generated typed document:
// the operations a frontend would copy are valid, and their results have the generated types' shape.

describe("the example operations, as typed documents over HTTP", () => {
  let stack: Stack;
  let url: string;
  beforeAll(async () => {
    stack = await startStack();
    url = stack.gateway.graphqlUrl;
  });
  afterAll(() => stack.stop());

  const allCustomerIds = () => [
    SEED.referrerCustomerId,
    ...Array.from({ length: SEED.refereeCount }, (_, i) => demoRefereeCustomerId(i + 1)),
  ];

  test("ReferralHolders: a forward page through the campaign-scoped path, customers included", async () => {
    const response = await execute(url, ReferralHoldersDocument, { memberId: SEED.code, campaignId: SEED.campaignId, first: 3 });
    expect(response.errors).toBeUndefined();
    const member = response.data!.referralMember;
    expect(member.campaignId).toBe(SEED.campaignId);
    expect(member.holders!.totalCount).toBe(SEED.refereeCount + 1);
    expect(member.holders!.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: false });
    expect(member.holders!.edges.map((e) => [e.node.holderRole, e.node.customer.id, e.node.customer.sourceId])).toEqual([
      ["REFERRER", SEED.referrerCustomerId, SEED.referrerSourceId],
      ["REFEREE", demoRefereeCustomerId(1), "demo-referee-01"],
      ["REFEREE", demoRefereeCustomerId(2), "demo-referee-02"],
    ]);
  });

  test("ReferralHoldersBackward: last 4 before the 11th edge are the forward edges 7 to 10", async () => {
    const forward = await execute(url, ReferralHoldersDocument, { memberId: SEED.code, first: 11 });
    const edges = forward.data!.referralMember.holders!.edges;
    const backward = await execute(url, ReferralHoldersBackwardDocument, { memberId: SEED.code, last: 4, before: edges[10].cursor });
    expect(backward.errors).toBeUndefined();
    expect(backward.data!.referralMember.holders!.edges).toEqual(edges.slice(6, 10));
    expect(backward.data!.referralMember.holders!.pageInfo).toMatchObject({ startCursor: edges[6].cursor, endCursor: edges[9].cursor });
  });

  test("FilteredHolders: by role, and by customer ids", async () => {
    const referrer = await execute(url, FilteredHoldersDocument, { memberId: SEED.code, filter: { roles: ["REFERRER"] } });
    expect(referrer.errors).toBeUndefined();
    expect(referrer.data!.referralMember.holders).toEqual({
      totalCount: 1,
      nodes: [{ id: expect.stringMatching(/^rh_/), holderRole: "REFERRER", customerId: SEED.referrerCustomerId, createdAt: SEED.epoch }],
    });

    const picked = [demoRefereeCustomerId(3), demoRefereeCustomerId(7)];
    const some = await execute(url, FilteredHoldersDocument, { memberId: SEED.code, filter: { customerIds: picked }, first: 50 });
    expect(some.errors).toBeUndefined();
    expect(some.data!.referralMember.holders!.nodes.map((n) => n.customerId)).toEqual(picked);
    expect(some.data!.referralMember.holders!.totalCount).toBe(2);
  });

  test("AddHolders then RemoveHolder: the payloads' members read the holders afresh", async () => {
    const added = await execute(url, AddHoldersDocument, {
      input: { memberId: SEED.code, holders: [{ sourceId: "typed-ops-referee", name: "Typed Ops", email: "typed@example.com" }] },
    });
    expect(added.errors).toBeUndefined();
    const [holder] = added.data!.addHolders.holders;
    expect(holder).toMatchObject({
      holderRole: "REFEREE",
      customer: { sourceId: "typed-ops-referee", name: "Typed Ops", email: "typed@example.com" },
    });
    expect(allCustomerIds()).not.toContain(holder.customerId);
    expect(added.data!.addHolders.member).toEqual({ id: SEED.code, campaignId: null, holders: { totalCount: SEED.refereeCount + 2 } });

    const removed = await execute(url, RemoveHolderDocument, { input: { memberId: SEED.code, holderId: holder.id } });
    expect(removed.errors).toBeUndefined();
    expect(removed.data!.removeHolder).toEqual({
      removedHolderId: holder.id,
      member: { id: SEED.code, campaignId: null, holders: { totalCount: SEED.refereeCount + 1 } },
    });
  });
});
