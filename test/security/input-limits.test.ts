import { print } from "graphql";
import { SEED } from "../../src/emulator/seed.js";
import { MAX_DOCUMENT_NESTING } from "../../src/limits/operation-limits.js";
import { MAX_LENGTH, MAX_METADATA_BYTES, MAX_METADATA_DEPTH } from "../../src/referrals/input-limits.js";
import { graphql, startStack, type Stack } from "../support/stack.js";
import { AddHoldersDocument, RemoveHolderDocument } from "../generated/operations.js";

// Every string input is bounded and free of control characters, metadata is bounded in size, depth and keys, and an
// empty campaignId is refused: each answered BAD_USER_INPUT naming the input path, before any upstream call.

// The shipped example operations (schema/operations), sent with deliberately bad variables.
const ADD = print(AddHoldersDocument);
const REMOVE = print(RemoveHolderDocument);
const HOLDERS = `query($m: ID!, $c: ID, $after: String, $before: String, $last: Int, $filter: HolderFilter) {
  referralMember(memberId: $m, campaignId: $c) {
    holders(after: $after, before: $before, last: $last, filter: $filter) { totalCount }
  }
}`;
const TOTAL = `{ referralMember(memberId: "${SEED.code}") { holders { totalCount } } }`;

const over = (limit: keyof typeof MAX_LENGTH, char = "x") => char.repeat(MAX_LENGTH[limit] + 1);
/** Nested objects: depth 1 is `{ k: leaf }`. */
const nested = (depth: number, leaf: unknown = 1): Record<string, unknown> => (depth <= 1 ? { k: leaf } : { k: nested(depth - 1, leaf) });
const inlineNested = (depth: number) => `${"{ k: ".repeat(depth)}1${" }".repeat(depth)}`;
const addInline = (holderFields: string, extra = "") =>
  `mutation { addHolders(input: { memberId: "${SEED.code}", holders: [{ ${holderFields} }]${extra} }) { holders { id } } }`;
const holder = (fields: Record<string, unknown>) => ({ input: { memberId: SEED.code, holders: [{ sourceId: "limits-1", ...fields }] } });

describe("input limits", () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(() => stack.stop());

  async function refused(query: string, variables: Record<string, unknown> | undefined, field: string | RegExp) {
    stack.emulator.resetRequests();
    const response = await graphql(stack.gateway.graphqlUrl, query, variables);
    expect(response.errors).toHaveLength(1);
    expect(response.errors![0].extensions?.code).toBe("BAD_USER_INPUT");
    expect(response.errors![0].extensions?.field).toEqual(typeof field === "string" ? field : expect.stringMatching(field));
    expect(stack.emulator.requests).toEqual([]);
    return response.errors![0];
  }

  const lengthCases: Array<[string, Record<string, unknown>, string]> = [
    ["address.line1 of 100,000 characters", { address: { line1: "x".repeat(100_000) } }, "holders[0].address.line1"],
    ["address.line2", { address: { line2: over("addressLine") } }, "holders[0].address.line2"],
    ["address.city", { address: { city: over("city") } }, "holders[0].address.city"],
    ["address.state", { address: { state: over("state") } }, "holders[0].address.state"],
    ["address.country", { address: { country: over("country") } }, "holders[0].address.country"],
    ["address.postalCode", { address: { postalCode: over("postalCode") } }, "holders[0].address.postalCode"],
    ["name", { name: over("name") }, "holders[0].name"],
    ["name in astral characters (counted as code points)", { name: over("name", "\u{1F600}") }, "holders[0].name"],
    ["email", { email: `${"a".repeat(MAX_LENGTH.email)}@x.io` }, "holders[0].email"],
    ["phone", { phone: over("phone", "1") }, "holders[0].phone"],
    ["description", { description: over("description") }, "holders[0].description"],
    ["birthdate", { birthdate: "2001-01-011" }, "holders[0].birthdate"],
    ["sourceId", { sourceId: over("id") }, "holders[0].sourceId"],
    ["customer id", { sourceId: undefined, id: over("id") }, "holders[0].id"],
  ];
  test.each(lengthCases)("too long: %s", async (_name, fields, field) => {
    const error = await refused(ADD, holder(fields), field);
    expect(error.message).toMatch(/longer than \d+ characters|not an email/);
  });

  test("too long, as an inline literal: address.line1 of 100,000 characters", async () => {
    const query = addInline(`sourceId: "inline", address: { line1: "${"x".repeat(100_000)}" }`);
    await refused(query, undefined, "holders[0].address.line1");
  });

  test.each([
    ["memberId", HOLDERS, { m: over("id") }, "memberId"],
    ["campaignId", HOLDERS, { m: SEED.code, c: over("id") }, "campaignId"],
    ["after", HOLDERS, { m: SEED.code, after: over("cursor", "A") }, "after"],
    ["before", HOLDERS, { m: SEED.code, last: 2, before: over("cursor", "A") }, "before"],
    ["a filter value", HOLDERS, { m: SEED.code, filter: { customerIds: [over("id")] } }, "filter.customerIds[0]"],
    ["holderId", REMOVE, { input: { memberId: SEED.code, holderId: over("id") } }, "holderId"],
  ])("too long: %s", async (_name, query, variables, field) => {
    await refused(query, variables, field);
  });

  const controlCases: Array<[string, Record<string, unknown>, string]> = [
    ["NUL in a name", { name: "Ada\u0000" }, "holders[0].name"],
    ["ESC in a name (terminal escape)", { name: "\u001b[31mAda" }, "holders[0].name"],
    ["a line break in a name", { name: "Ada\nLovelace" }, "holders[0].name"],
    ["DEL in a phone", { phone: "+44\u007f1" }, "holders[0].phone"],
    ["a C1 control (CSI) in a city", { address: { city: "Lon\u009bdon" } }, "holders[0].address.city"],
    ["a line break in address.line1 (single-line)", { address: { line1: "1 Main St\nFloor 2" } }, "holders[0].address.line1"],
    ["a tab in a postal code", { address: { postalCode: "SW1\t1AA" } }, "holders[0].address.postalCode"],
    ["NUL in a description", { description: "ok\u0000" }, "holders[0].description"],
    ["a bell in a sourceId", { sourceId: "crm\u0007" }, "holders[0].sourceId"],
    ["ESC in an email", { email: "a\u001b@x.io" }, "holders[0].email"],
  ];
  test.each(controlCases)("control characters: %s", async (_name, fields, field) => {
    const error = await refused(ADD, holder(fields), field);
    expect(error.message).toMatch(/control characters/);
  });

  describe("metadata", () => {
    const big = { blob: "x".repeat(MAX_METADATA_BYTES) };
    test.each([
      ["over 16 KiB (payload)", { metadata: big }, "metadata"],
      [`nested ${MAX_METADATA_DEPTH + 1} levels (payload)`, { metadata: nested(MAX_METADATA_DEPTH + 1) }, "metadata"],
      ["nested in a list (payload)", { metadata: { k: [[[[[[[[1]]]]]]]] } }, "metadata"],
      ["an empty key", { metadata: { "": 1 } }, "metadata"],
      ["a key with a control character", { metadata: { a: { "b\u0000": 1 } } }, "metadata"],
      ["a key too long", { metadata: { [over("metadataKey")]: 1 } }, "metadata"],
    ])("%s", async (_name, extra, field) => {
      await refused(ADD, { input: { memberId: SEED.code, holders: [{ sourceId: "meta" }], ...extra } }, field);
    });

    test("on a holder (customer metadata) too", async () => {
      await refused(ADD, holder({ metadata: nested(MAX_METADATA_DEPTH + 1) }), "holders[0].metadata");
      await refused(ADD, holder({ metadata: big }), "holders[0].metadata");
    });

    test(`inline literals are checked like variables: ${MAX_METADATA_DEPTH + 1} levels and over 16 KiB`, async () => {
      const deep = addInline(`sourceId: "d"`, `, metadata: ${inlineNested(MAX_METADATA_DEPTH + 1)}`);
      await refused(deep, undefined, "metadata");
      const large = addInline(`sourceId: "l", metadata: { blob: "${"x".repeat(MAX_METADATA_BYTES)}" }`);
      await refused(large, undefined, "holders[0].metadata");
    });

    test.each([1_200, 20_000])("an inline literal %i levels deep is refused before parsing (no stack exhaustion)", async (depth) => {
      stack.emulator.resetRequests();
      const query = addInline(`sourceId: "deep"`, `, metadata: ${inlineNested(depth)}`);
      const response = await graphql(stack.gateway.graphqlUrl, query);
      expect(response.status).toBe(400);
      expect(response.errors![0].extensions).toMatchObject({
        code: "GRAPHQL_PARSE_FAILED",
        limit: { name: "MAX_DOCUMENT_NESTING", max: MAX_DOCUMENT_NESTING },
      });
      expect(stack.emulator.requests).toEqual([]);
    });

    test("an inline list 4,900 deep (one token a level) is refused before parsing too", async () => {
      const query = addInline(`sourceId: "deep"`, `, metadata: { k: ${"[".repeat(4900)}1${"]".repeat(4900)} }`);
      const response = await graphql(stack.gateway.graphqlUrl, query);
      expect(response.status).toBe(400);
      expect(response.errors![0].extensions?.code).toBe("GRAPHQL_PARSE_FAILED");
    });

    test("a variable 1,200 levels deep is refused by the variable checks", async () => {
      const input = { memberId: SEED.code, holders: [{ sourceId: "v" }], metadata: nested(1_200) };
      await refused(ADD, { input }, /^variables\.input\.metadata\.k/);
    });
  });

  describe("an empty campaignId is not 'no campaign'", () => {
    test.each(["", "   "])("referralMember(campaignId: %j)", async (campaignId) => {
      await refused(HOLDERS, { m: SEED.code, c: campaignId }, "campaignId");
    });
    test.each(["", "   "])("addHolders campaignId %j", async (campaignId) => {
      await refused(ADD, { input: { memberId: SEED.code, campaignId, holders: [{ sourceId: "c" }] } }, "campaignId");
    });
    test.each(["", "   "])("removeHolder campaignId %j", async (campaignId) => {
      await refused(REMOVE, { input: { memberId: SEED.code, campaignId, holderId: "rh_1" } }, "campaignId");
    });
    test("inline too", async () => {
      const query = `{ referralMember(memberId: "${SEED.code}", campaignId: "") { holders { totalCount } } }`;
      await refused(query, undefined, "campaignId");
    });
  });

  test("nothing refused above was stored: WELCOME-REF still has its seeded holders", async () => {
    const response = await graphql(stack.gateway.graphqlUrl, TOTAL);
    expect(response.data.referralMember.holders.totalCount).toBe(SEED.refereeCount + 1);
  });

  test("every field at its maximum (description with tab and line breaks, metadata at the depth bound) is stored", async () => {
    const at = (limit: keyof typeof MAX_LENGTH) => "y".repeat(MAX_LENGTH[limit]);
    const response = await graphql(stack.gateway.graphqlUrl, ADD, {
      input: {
        memberId: SEED.code,
        metadata: nested(MAX_METADATA_DEPTH),
        holders: [
          {
            sourceId: at("id"),
            name: at("name"),
            email: `${"e".repeat(MAX_LENGTH.email - 5)}@x.io`,
            phone: "1".repeat(MAX_LENGTH.phone),
            description: `${"d".repeat(MAX_LENGTH.description - 3)}\t\r\n`,
            birthdate: "2001-01-01",
            address: {
              line1: at("addressLine"),
              line2: at("addressLine"),
              city: at("city"),
              state: at("state"),
              country: at("country"),
              postalCode: at("postalCode"),
            },
            metadata: { [at("metadataKey")]: nested(MAX_METADATA_DEPTH - 1) },
          },
        ],
      },
    });
    expect(response.errors).toBeUndefined();
    expect(response.data.addHolders.holders).toHaveLength(1);
    const after = await graphql(stack.gateway.graphqlUrl, TOTAL);
    expect(after.data.referralMember.holders.totalCount).toBe(SEED.refereeCount + 2);
  });
});
