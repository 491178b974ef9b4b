import { SEED, demoRefereeCustomerId } from "../../src/emulator/seed.js";
import { restGet, restHolders, toGraphQLShape } from "../support/holders-expectation.js";
import { RemoveHolderDocument } from "../generated/operations.js";
import { graphql, startStack, type Stack } from "../support/stack.js";
import { execute } from "../support/typed-operation.js";

// addHolders and removeHolder over real HTTP: what they return, what they leave upstream (read back through both
// GraphQL and the emulator's REST), and that a write makes later reads in the same operation go upstream again.

// The payload test selects every payload field (metadata, campaignType, the member's newest holders), which the
// shipped AddHolders operation does not; removals use the shipped RemoveHolder operation.
const ADD = `mutation($input: AddHoldersInput!) {
  addHolders(input: $input) {
    holders { id holderRole customerId customer { id sourceId name email } redeemableId campaignId campaignType metadata }
    member { id campaignId holders(last: 2) { totalCount nodes { id } } }
  }
}`;
const COUNT = `query($memberId: ID!) { referralMember(memberId: $memberId) { holders(first: 0) { totalCount } } }`;

describe("holder mutations", () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(() => stack.stop());

  /** The member's holder count, read both ways; the two must agree. */
  async function holderCount(memberId: string = SEED.code): Promise<number> {
    const viaGraphQL = await graphql(stack.gateway.graphqlUrl, COUNT, { memberId });
    expect(viaGraphQL.errors).toBeUndefined();
    const viaRest = (await restHolders(stack.emulator, memberId)).total;
    expect(viaGraphQL.data.referralMember.holders.totalCount).toBe(viaRest);
    return viaRest;
  }

  test("addHolders upserts customers by sourceId and returns the new holders in order, with the member read afresh", async () => {
    const before = await holderCount();
    const response = await graphql(stack.gateway.graphqlUrl, ADD, {
      input: {
        memberId: SEED.code,
        metadata: { channel: "test" },
        holders: [
          {
            sourceId: "mut-new-1",
            name: "New One",
            email: "new1@example.com",
            birthdate: "1990-02-28",
            address: { city: "Oslo", postalCode: "0150" },
          },
          { sourceId: "mut-new-2", name: "New Two" },
        ],
      },
    });
    expect(response.errors).toBeUndefined();
    const payload = response.data.addHolders;
    expect(payload.holders).toHaveLength(2);
    expect(payload.holders[0]).toMatchObject({
      holderRole: "REFEREE",
      customer: { sourceId: "mut-new-1", name: "New One", email: "new1@example.com" },
      redeemableId: SEED.voucherId,
      campaignId: SEED.campaignId,
      campaignType: "REFERRAL_PROGRAM",
      metadata: { channel: "test" },
    });
    expect(payload.holders[1].customer).toMatchObject({ sourceId: "mut-new-2", name: "New Two", email: null });
    expect(payload.member).toMatchObject({ id: SEED.code, campaignId: null });
    expect(payload.member.holders).toEqual({ totalCount: before + 2, nodes: payload.holders.map((h: { id: string }) => ({ id: h.id })) });
    expect(await holderCount()).toBe(before + 2);

    const customer = await restGet<{ source_id: string; birthdate: string; address: Record<string, string> }>(
      stack.emulator,
      `/v1/customers/${payload.holders[0].customerId}`,
    );
    expect(customer).toMatchObject({ source_id: "mut-new-1", birthdate: "1990-02-28", address: { city: "Oslo", postal_code: "0150" } });
  });

  test("addHolders with an existing customer by id, on the campaign-scoped path", async () => {
    const other = await graphql(stack.gateway.graphqlUrl, ADD, {
      input: { memberId: SEED.otherCode, campaignId: SEED.otherCampaignId, holders: [{ id: demoRefereeCustomerId(1) }] },
    });
    expect(other.errors).toBeUndefined();
    expect(other.data.addHolders.holders[0]).toMatchObject({ customerId: demoRefereeCustomerId(1), campaignId: SEED.otherCampaignId });
    expect(other.data.addHolders.member).toMatchObject({ id: SEED.otherCode, campaignId: SEED.otherCampaignId });
    expect(stack.emulator.requests.filter((r) => r.method === "POST").at(-1)!.path).toBe(
      `/v1/referrals/${SEED.otherCampaignId}/members/${SEED.otherCode}/holders`,
    );
  });

  test("all or nothing: a batch whose 3rd holder is already assigned adds nobody", async () => {
    const before = await holderCount();
    const customersBefore = (await restHolders(stack.emulator, SEED.code)).data.map((h) => h.customer_id);
    const response = await graphql(stack.gateway.graphqlUrl, ADD, {
      input: {
        memberId: SEED.code,
        holders: [{ sourceId: "aon-1" }, { sourceId: "aon-2" }, { id: demoRefereeCustomerId(7) }, { sourceId: "aon-4" }],
      },
    });
    expect(response.data).toBeNull();
    expect(response.errors).toHaveLength(1);
    expect(response.errors![0].extensions).toMatchObject({
      code: "CONFLICT",
      upstream: { status: 409, key: "holder_assignement_duplication" },
    });
    expect(await holderCount()).toBe(before);
    expect((await restHolders(stack.emulator, SEED.code)).data.map((h) => h.customer_id)).toEqual(customersBefore);
    // The customers of the batch were not upserted either.
    const missing = await fetch(`${stack.emulator.url}/v1/customers/aon-1`, {
      headers: { "X-App-Id": stack.emulator.appId, "X-App-Token": stack.emulator.appToken },
    });
    expect(missing.status).toBe(404);
  });

  test("removeHolder removes the holder from the listing and returns its id; the member is read afresh", async () => {
    const list = await restHolders(stack.emulator, SEED.code);
    const target = list.data.find((h) => h.customer_id === demoRefereeCustomerId(10))!;
    const response = await execute(stack.gateway.graphqlUrl, RemoveHolderDocument, { input: { memberId: SEED.code, holderId: target.id } });
    expect(response.errors).toBeUndefined();
    const payload = response.data!.removeHolder;
    expect(payload.removedHolderId).toBe(target.id);
    const remaining = list.data.filter((h) => h.id !== target.id);
    expect(payload.member).toEqual({ id: SEED.code, campaignId: null, holders: { totalCount: list.total - 1 } });
    const after = await restHolders(stack.emulator, SEED.code);
    expect(after.data.map(toGraphQLShape)).toEqual(remaining.map(toGraphQLShape));

    // Removing it again: it is gone.
    const again = await execute(stack.gateway.graphqlUrl, RemoveHolderDocument, { input: { memberId: SEED.code, holderId: target.id } });
    expect(again.errors![0].extensions).toMatchObject({ code: "NOT_FOUND", upstream: { status: 404 } });
  });

  test("removeHolder through the voucher id and the campaign-scoped path", async () => {
    const target = (await restHolders(stack.emulator, SEED.code)).data.find((h) => h.customer_id === demoRefereeCustomerId(11))!;
    const before = await holderCount();
    const response = await execute(stack.gateway.graphqlUrl, RemoveHolderDocument, {
      input: { memberId: SEED.voucherId, campaignId: SEED.campaignId, holderId: target.id },
    });
    expect(response.errors).toBeUndefined();
    expect(response.data!.removeHolder.removedHolderId).toBe(target.id);
    expect(response.data!.removeHolder.member).toEqual({
      id: SEED.voucherId,
      campaignId: SEED.campaignId,
      holders: { totalCount: before - 1 },
    });
    expect((await restHolders(stack.emulator, SEED.code)).data.map((h) => h.id)).not.toContain(target.id);
  });

  test("the holders loader is cleared by a write: the second of two mutations sees the first one's holder", async () => {
    const before = await holderCount();
    // Mutation fields run one after another, each with its selection: a.member.holders caches a page, and
    // b must not be answered from that cache after b's own write.
    const response = await graphql(
      stack.gateway.graphqlUrl,
      `mutation {
        a: addHolders(input: { memberId: "${SEED.code}", holders: [{ sourceId: "loader-a" }] }) { member { holders { totalCount } } }
        b: addHolders(input: { memberId: "${SEED.code}", holders: [{ sourceId: "loader-b" }] }) { member { holders { totalCount } } }
      }`,
    );
    expect(response.errors).toBeUndefined();
    expect(response.data).toEqual({
      a: { member: { holders: { totalCount: before + 1 } } },
      b: { member: { holders: { totalCount: before + 2 } } },
    });
  });

  test("the customer loader is cleared by a write: a later mutation's customers show the upserted fields", async () => {
    const result = await graphql(
      stack.gateway.graphqlUrl,
      `mutation {
        a: addHolders(input: { memberId: "${SEED.code}", holders: [{ sourceId: "stale-check-1", name: "Old" }] }) {
          holders { customer { name } }
        }
        b: addHolders(input: { memberId: "${SEED.otherCode}", holders: [{ sourceId: "stale-check-1", name: "New" }] }) {
          holders { customer { name } }
        }
      }`,
    );
    expect(result.errors).toBeUndefined();
    expect(result.data.a.holders[0].customer.name).toBe("Old");
    expect(result.data.b.holders[0].customer.name).toBe("New");
  });
});
