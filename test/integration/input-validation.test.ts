import { print } from "graphql";
import { SEED } from "../../src/emulator/seed.js";
import { graphql, startStack, type Stack } from "../support/stack.js";
import { AddHoldersDocument, RemoveHolderDocument } from "../generated/operations.js";

// Input the gateway can tell is wrong gets BAD_USER_INPUT naming what is wrong, and costs no upstream call:
// every case checks the emulator's request log is unchanged.

const HOLDERS = `query($memberId: ID!, $first: Int, $after: String, $last: Int, $before: String, $filter: HolderFilter) {
  referralMember(memberId: $memberId) { holders(first: $first, after: $after, last: $last, before: $before, filter: $filter) {
    totalCount edges { cursor } pageInfo { startCursor endCursor } } }
}`;
// The shipped example operations (schema/operations), sent with deliberately bad variables.
const ADD = print(AddHoldersDocument);
const REMOVE = print(RemoveHolderDocument);

describe("input validation before any upstream call", () => {
  let stack: Stack;
  let welcomeCursor: string;
  let otherCursor: string;

  beforeAll(async () => {
    stack = await startStack();
    const welcome = await graphql(stack.gateway.graphqlUrl, HOLDERS, { memberId: SEED.code, first: 3 });
    welcomeCursor = welcome.data.referralMember.holders.pageInfo.endCursor;
    const other = await graphql(stack.gateway.graphqlUrl, HOLDERS, { memberId: SEED.otherCode, first: 2 });
    otherCursor = other.data.referralMember.holders.pageInfo.endCursor;
    expect(typeof welcomeCursor).toBe("string");
    expect(typeof otherCursor).toBe("string");
  });
  afterAll(() => stack.stop());

  /** Runs one operation and returns its single error, after checking it is BAD_USER_INPUT and went nowhere. */
  async function rejected(query: string, variables: Record<string, unknown>) {
    stack.emulator.resetRequests();
    const response = await graphql(stack.gateway.graphqlUrl, query, variables);
    expect(stack.emulator.requests).toEqual([]);
    expect(response.errors).toHaveLength(1);
    const error = response.errors![0];
    expect(error.extensions?.code).toBe("BAD_USER_INPUT");
    expect(error.extensions?.upstream).toBeUndefined();
    return error;
  }

  describe("connection arguments", () => {
    const otherCursorCase = () => ({ after: otherCursor, first: 2 });
    const cases: Array<[string, () => Record<string, unknown>, RegExp, string]> = [
      ["first and last together", () => ({ first: 2, last: 2 }), /either "first" or "last"/, "last"],
      ["first: -1", () => ({ first: -1 }), /"first" must be between 0 and 500; got -1/, "first"],
      ["first: 501", () => ({ first: 501 }), /"first" must be between 0 and 500; got 501/, "first"],
      ["last: -5", () => ({ last: -5 }), /"last" must be between 0 and 500/, "last"],
      ["last: 1000", () => ({ last: 1000 }), /"last" must be between 0 and 500/, "last"],
      ["after with last", () => ({ after: welcomeCursor, last: 2 }), /"after" goes with "first"/, "after"],
      ["before with first", () => ({ before: welcomeCursor, first: 2 }), /"before" goes with "last"/, "before"],
      ["a malformed cursor", () => ({ after: "not a cursor!", first: 2 }), /"after" is not a cursor/, "after"],
      [
        "base64 of something else",
        () => ({ after: Buffer.from("hello").toString("base64url"), first: 2 }),
        /"after" is not a cursor/,
        "after",
      ],
      ["a holder id instead of a cursor", () => ({ before: "rh_0000000000000001", last: 2 }), /"before" is not a cursor/, "before"],
      ["an empty cursor", () => ({ after: "", first: 2 }), /"after" is not a cursor/, "after"],
      ["a cursor of OTHER-REF used on WELCOME-REF", otherCursorCase, /"after" is not a cursor of this member's/, "after"],
      ["empty roles", () => ({ filter: { roles: [] } }), /filter.roles must not be empty/, "filter.roles"],
      ["empty customerIds", () => ({ filter: { customerIds: [] } }), /filter.customerIds must not be empty/, "filter.customerIds"],
      ["empty holderIds", () => ({ filter: { holderIds: [] } }), /filter.holderIds must not be empty/, "filter.holderIds"],
      [
        "an empty id in a filter list",
        () => ({ filter: { holderIds: ["rh_1", " "] } }),
        /filter.holderIds\[1\] must not be empty/,
        "filter.holderIds[1]",
      ],
    ];
    test.each(cases)("%s", async (_name, args, message, field) => {
      const error = await rejected(HOLDERS, { memberId: SEED.code, ...args() });
      expect(error.message).toMatch(message);
      expect(error.extensions?.field).toBe(field);
    });

    test("the same WELCOME-REF cursor is accepted on WELCOME-REF (the cases above fail for their reason only)", async () => {
      const response = await graphql(stack.gateway.graphqlUrl, HOLDERS, { memberId: SEED.code, after: welcomeCursor, first: 2 });
      expect(response.errors).toBeUndefined();
      expect(response.data.referralMember.holders.totalCount).toBe(26);
    });

    test("an empty memberId", async () => {
      const error = await rejected(HOLDERS, { memberId: "  " });
      expect(error.extensions?.field).toBe("memberId");
    });
  });

  describe("addHolders: a locally invalid batch names the holder and sends nothing", () => {
    const valid = (n: number) => ({ sourceId: `valid-${n}` });
    const cases: Array<[string, unknown[], RegExp, string]> = [
      ["no id or sourceId", [valid(0), valid(1), { name: "Nobody" }], /holders\[2\] needs an id or a sourceId/, "holders[2]"],
      [
        "a bad email",
        [valid(0), { sourceId: "e", email: "not-an-email" }],
        /holders\[1\]\.email is not an email address/,
        "holders[1].email",
      ],
      [
        "an impossible birthdate",
        [{ sourceId: "b", birthdate: "2001-02-30" }],
        /holders\[0\]\.birthdate must be a calendar date/,
        "holders[0].birthdate",
      ],
      [
        "a birthdate in another format",
        [valid(0), { sourceId: "b", birthdate: "30/01/2001" }],
        /holders\[1\]\.birthdate/,
        "holders[1].birthdate",
      ],
      ["0 holders", [], /holders must have 1 to 100 entries; got 0/, "holders"],
      ["101 holders", Array.from({ length: 101 }, (_, i) => valid(i)), /holders must have 1 to 100 entries; got 101/, "holders"],
      [
        "a sourceId twice in the batch",
        [valid(0), valid(1), valid(2), valid(1)],
        /holders\[3\] repeats the sourceId valid-1 of holders\[1\]/,
        "holders[3]",
      ],
      [
        "an id twice in the batch",
        [{ id: "cust_a" }, { id: "cust_a" }],
        /holders\[1\] repeats the id cust_a of holders\[0\]/,
        "holders[1]",
      ],
      ["an empty sourceId", [valid(0), { sourceId: "" }], /holders\[1\]\.sourceId must not be empty/, "holders[1].sourceId"],
    ];
    test.each(cases)("%s", async (_name, holders, message, field) => {
      const error = await rejected(ADD, { input: { memberId: SEED.code, holders } });
      expect(error.message).toMatch(message);
      expect(error.extensions?.field).toBe(field);
    });

    test("100 valid holders are accepted (the bound is inclusive)", async () => {
      const response = await graphql(stack.gateway.graphqlUrl, ADD, {
        input: { memberId: SEED.code, holders: Array.from({ length: 100 }, (_, i) => ({ sourceId: `bulk-${i}` })) },
      });
      expect(response.errors).toBeUndefined();
      expect(response.data.addHolders.holders).toHaveLength(100);
    });
  });

  test("removeHolder with an empty holderId", async () => {
    const error = await rejected(REMOVE, { input: { memberId: SEED.code, holderId: "" } });
    expect(error.extensions?.field).toBe("holderId");
  });

  // URL parsing resolves "." and ".." segments: `members/../holders` would call another upstream endpoint.
  describe("dot-segment ids never reach an upstream URL", () => {
    test.each([
      ["memberId ..", REMOVE, { input: { memberId: "..", holderId: "rh_1" } }, "memberId"],
      ["campaignId ..", REMOVE, { input: { memberId: SEED.code, campaignId: "..", holderId: "rh_1" } }, "campaignId"],
      ["holderId ..", REMOVE, { input: { memberId: SEED.code, holderId: ".." } }, "holderId"],
      ["holderId .", REMOVE, { input: { memberId: SEED.code, holderId: "." } }, "holderId"],
      ["memberId . on a read", HOLDERS, { memberId: "." }, "memberId"],
      ["memberId .. on addHolders", ADD, { input: { memberId: "..", holders: [{ sourceId: "s" }] } }, "memberId"],
    ])("%s", async (_name, query, variables, field) => {
      const error = await rejected(query, variables);
      expect(error.extensions?.field).toBe(field);
    });

    test("entity references (federation) are guarded too", async () => {
      const error = await rejected(
        `query($r: [_Any!]!) {
          _entities(representations: $r) { ... on ReferralMember { holders { totalCount } } ... on Customer { name } }
        }`,
        { r: [{ __typename: "ReferralMember", id: ".." }] },
      );
      expect(error.extensions?.field).toBe("representations[0].id");
      const customer = await rejected(`query($r: [_Any!]!) { _entities(representations: $r) { ... on Customer { name } } }`, {
        r: [{ __typename: "Customer", id: ".." }],
      });
      expect(customer.extensions?.field).toBe("representations[0].id");
    });
  });
});
