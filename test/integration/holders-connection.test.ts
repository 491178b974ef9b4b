import { SEED, demoRefereeCustomerId } from "../../src/emulator/seed.js";
import { encodeCursor } from "../../src/referrals/holder-cursor.js";
import {
  CONNECTION_FIELDS,
  expectedPage,
  restAllHolders,
  restHolders,
  toGraphQLShape,
  type GraphQLConnection,
  type GraphQLHolder,
} from "../support/holders-expectation.js";
import { graphql, startStack, type Stack } from "../support/stack.js";
import { AddHoldersDocument } from "../generated/operations.js";
import { execute } from "../support/typed-operation.js";

// Reading the holders connection over real HTTP, compared whole (edges, nodes, pageInfo, totalCount) with what the
// emulator's own REST API says. The first describe block only reads, so one stack serves it.

const HOLDERS = `query Holders($memberId: ID!, $campaignId: ID, $first: Int, $after: String, $last: Int, $before: String,
    $order: HolderOrder, $filter: HolderFilter) {
  referralMember(memberId: $memberId, campaignId: $campaignId) {
    holders(first: $first, after: $after, last: $last, before: $before, order: $order, filter: $filter) { ${CONNECTION_FIELDS} }
  }
}`;

async function holders(stack: Stack, variables: Record<string, unknown>): Promise<GraphQLConnection> {
  const response = await graphql<{ referralMember: { holders: GraphQLConnection } }>(stack.gateway.graphqlUrl, HOLDERS, {
    memberId: SEED.code,
    ...variables,
  });
  expect(response.errors).toBeUndefined();
  return response.data!.referralMember.holders;
}

const listCalls = (stack: Stack) => stack.emulator.requests.filter((r) => r.method === "GET" && r.path.endsWith("/holders")).length;
const minute = (n: number) => new Date(Date.parse(SEED.epoch) + n * 60_000).toISOString();
const cursorOf = (memberId: string) => (holder: GraphQLHolder) => encodeCursor(memberId, holder.id);

describe("reading the seeded referral code", () => {
  let stack: Stack;
  let all: GraphQLHolder[];
  beforeAll(async () => {
    // This suite counts upstream calls per operation (DataLoader's dedupe): the cross-request cache stays off.
    stack = await startStack({ env: { CACHE_HOLDERS_TTL_MS: "0", CACHE_CUSTOMERS_TTL_MS: "0" } });
    const list = await restHolders(stack.emulator, SEED.code);
    all = list.data.map(toGraphQLShape);
  });
  afterAll(() => stack.stop());

  test("the REST answer is the demo set the tests expect", () => {
    expect(all).toHaveLength(26);
    expect(all[0].holderRole).toBe("REFERRER");
    expect(all.slice(1).every((h) => h.holderRole === "REFEREE")).toBe(true);
  });

  test("forward with first/after walks all 26 holders in pages of 7, each page exactly as computed", async () => {
    const pageSize = 7;
    let after: string | null = null;
    const seen: GraphQLHolder[] = [];
    for (let start = 0; start < all.length; start += pageSize) {
      const page = await holders(stack, { first: pageSize, after });
      expect(page).toEqual(
        expectedPage(
          all,
          { start, end: Math.min(all.length, start + pageSize), direction: "forward", cursorGiven: after !== null },
          cursorOf(SEED.code),
        ),
      );
      seen.push(...page.nodes);
      after = page.pageInfo.endCursor;
    }
    expect(seen).toEqual(all);
    // After the last edge: an empty page that still knows where it is.
    expect(await holders(stack, { first: pageSize, after })).toEqual(
      expectedPage(all, { start: all.length, end: all.length, direction: "forward", cursorGiven: true }, cursorOf(SEED.code)),
    );
  });

  test("backward with last/before walks all 26 holders from the end, each page exactly as computed", async () => {
    const pageSize = 7;
    let before: string | null = null;
    const seen: GraphQLHolder[] = [];
    for (let end = all.length; end > 0; end -= pageSize) {
      const page = await holders(stack, { last: pageSize, before });
      expect(page).toEqual(
        expectedPage(
          all,
          { start: Math.max(0, end - pageSize), end, direction: "backward", cursorGiven: before !== null },
          cursorOf(SEED.code),
        ),
      );
      seen.unshift(...page.nodes);
      before = page.pageInfo.startCursor;
    }
    expect(seen).toEqual(all);
  });

  test("a page in the middle: before the 20th holder, last 5", async () => {
    const page = await holders(stack, { last: 5, before: encodeCursor(SEED.code, all[19].id) });
    expect(page).toEqual(expectedPage(all, { start: 14, end: 19, direction: "backward", cursorGiven: true }, cursorOf(SEED.code)));
  });

  test("without first or last, a page has the default size 10", async () => {
    expect(await holders(stack, {})).toEqual(
      expectedPage(all, { start: 0, end: 10, direction: "forward", cursorGiven: false }, cursorOf(SEED.code)),
    );
  });

  test("first: 0 gives no edges but the real totalCount and hasNextPage", async () => {
    expect(await holders(stack, { first: 0 })).toEqual(
      expectedPage(all, { start: 0, end: 0, direction: "forward", cursorGiven: false }, cursorOf(SEED.code)),
    );
  });

  test("ID_DESC is the exact reverse of ID_ASC, forwards and backwards, and matches the upstream order=-id", async () => {
    const reversed = [...all].reverse();
    const descending = await holders(stack, { first: 100, order: "ID_DESC" });
    expect(descending).toEqual(
      expectedPage(reversed, { start: 0, end: 26, direction: "forward", cursorGiven: false }, cursorOf(SEED.code)),
    );
    const rest = await restHolders(stack.emulator, SEED.code, "&order=-id");
    expect(descending.nodes).toEqual(rest.data.map(toGraphQLShape));

    const second = await holders(stack, { first: 7, after: descending.edges[6].cursor, order: "ID_DESC" });
    expect(second).toEqual(expectedPage(reversed, { start: 7, end: 14, direction: "forward", cursorGiven: true }, cursorOf(SEED.code)));
    const lastOfDesc = await holders(stack, { last: 4, order: "ID_DESC" });
    expect(lastOfDesc).toEqual(
      expectedPage(reversed, { start: 22, end: 26, direction: "backward", cursorGiven: false }, cursorOf(SEED.code)),
    );
  });

  test("the campaign-scoped path gives the same holders", async () => {
    const scoped = await holders(stack, { first: 100, campaignId: SEED.campaignId });
    expect(scoped).toEqual(expectedPage(all, { start: 0, end: 26, direction: "forward", cursorGiven: false }, cursorOf(SEED.code)));
    expect(stack.emulator.requests.at(-1)!.path).toBe(`/v1/referrals/${SEED.campaignId}/members/${SEED.code}/holders`);
    const paged = await holders(stack, { first: 7, after: scoped.edges[6].cursor, campaignId: SEED.campaignId });
    expect(paged.nodes).toEqual(all.slice(7, 14));
  });

  test("the voucher id works as memberId, with cursors of its own", async () => {
    const byVoucher = await holders(stack, { memberId: SEED.voucherId, first: 100 });
    expect(byVoucher).toEqual(expectedPage(all, { start: 0, end: 26, direction: "forward", cursorGiven: false }, cursorOf(SEED.voucherId)));
    const paged = await holders(stack, { memberId: SEED.voucherId, last: 3, before: byVoucher.edges[10].cursor });
    expect(paged.nodes).toEqual(all.slice(7, 10));
  });

  describe("filters through GraphQL (expected sets computed here, not by the emulator)", () => {
    const cases: Array<[string, Record<string, unknown>, (h: GraphQLHolder) => boolean]> = [
      ["roles REFEREE", { roles: ["REFEREE"] }, (h) => h.holderRole === "REFEREE"],
      ["roles REFERRER", { roles: ["REFERRER"] }, (h) => h.holderRole === "REFERRER"],
      ["roles REFERRER or REFEREE", { roles: ["REFERRER", "REFEREE"] }, () => true],
      [
        "customerIds",
        { customerIds: [demoRefereeCustomerId(3), demoRefereeCustomerId(17), SEED.referrerCustomerId] },
        (h) => [demoRefereeCustomerId(3), demoRefereeCustomerId(17), SEED.referrerCustomerId].includes(h.customerId),
      ],
      ["createdAfter (exclusive)", { createdAfter: minute(20) }, (h) => h.createdAt > minute(20)],
      ["createdBefore (exclusive)", { createdBefore: minute(3) }, (h) => h.createdAt < minute(3)],
      [
        "createdAfter and createdBefore: a range",
        { createdAfter: minute(5), createdBefore: minute(10) },
        (h) => h.createdAt > minute(5) && h.createdAt < minute(10),
      ],
      [
        "junction AND across fields",
        { roles: ["REFEREE"], customerIds: [SEED.referrerCustomerId, demoRefereeCustomerId(4)], junction: "AND" },
        (h) => h.holderRole === "REFEREE" && [SEED.referrerCustomerId, demoRefereeCustomerId(4)].includes(h.customerId),
      ],
      [
        "junction OR across fields",
        { roles: ["REFERRER"], createdAfter: minute(23), junction: "OR" },
        (h) => h.holderRole === "REFERRER" || h.createdAt > minute(23),
      ],
      [
        "junction OR with a range on one field (same-field conditions stay ANDed)",
        { roles: ["REFERRER"], createdAfter: minute(5), createdBefore: minute(8), junction: "OR" },
        (h) => h.holderRole === "REFERRER" || (h.createdAt > minute(5) && h.createdAt < minute(8)),
      ],
      ["a filter nothing matches", { roles: ["OWNER"] }, () => false],
    ];

    test.each(cases)("%s", async (_name, filter, predicate) => {
      const expected = all.filter(predicate);
      const page = await holders(stack, { first: 100, filter });
      expect(page).toEqual(
        expectedPage(expected, { start: 0, end: expected.length, direction: "forward", cursorGiven: false }, cursorOf(SEED.code)),
      );
    });

    test("holderIds, paged: totalCount follows the filter on every page", async () => {
      const chosen = [all[2], all[5], all[11], all[25]];
      const filter = { holderIds: chosen.map((h) => h.id) };
      const first = await holders(stack, { first: 3, filter });
      expect(first).toEqual(expectedPage(chosen, { start: 0, end: 3, direction: "forward", cursorGiven: false }, cursorOf(SEED.code)));
      const rest = await holders(stack, { first: 3, after: first.pageInfo.endCursor, filter });
      expect(rest).toEqual(expectedPage(chosen, { start: 3, end: 4, direction: "forward", cursorGiven: true }, cursorOf(SEED.code)));
      const backward = await holders(stack, { last: 2, filter, order: "ID_DESC" });
      const reversed = [...chosen].reverse();
      expect(backward).toEqual(
        expectedPage(reversed, { start: 2, end: 4, direction: "backward", cursorGiven: false }, cursorOf(SEED.code)),
      );
    });
  });

  describe("one upstream call per distinct page in an operation (DataLoader)", () => {
    test("the same page selected twice through aliases costs one upstream list call", async () => {
      stack.emulator.resetRequests();
      const response = await graphql(
        stack.gateway.graphqlUrl,
        `{ a: referralMember(memberId: "${SEED.code}") { holders(first: 5) { totalCount nodes { id } } }
           b: referralMember(memberId: "${SEED.code}") {
             x: holders(first: 5) { nodes { id } } y: holders(first: 5) { edges { cursor } } } }`,
      );
      expect(response.errors).toBeUndefined();
      expect(response.data.a.holders.nodes.map((n: { id: string }) => n.id)).toEqual(all.slice(0, 5).map((h) => h.id));
      expect(response.data.b.x.nodes).toEqual(response.data.a.holders.nodes);
      expect(listCalls(stack)).toBe(1);
    });

    test("different pages in one operation are each fetched (the loader dedupes, it does not merge)", async () => {
      stack.emulator.resetRequests();
      const response = await graphql(
        stack.gateway.graphqlUrl,
        `{ referralMember(memberId: "${SEED.code}") { a: holders(first: 5) { totalCount } b: holders(first: 6) { totalCount }
           c: holders(first: 5, filter: { roles: [REFEREE] }) { totalCount } } }`,
      );
      expect(response.errors).toBeUndefined();
      expect(response.data.referralMember).toEqual({ a: { totalCount: 26 }, b: { totalCount: 26 }, c: { totalCount: 25 } });
      expect(listCalls(stack)).toBe(3);
    });
  });
});

describe("pages above the upstream's 100 are chained", () => {
  let stack: Stack;
  let all: GraphQLHolder[];
  const added = 130; // two addHolders calls of 65: 156 holders in all

  beforeAll(async () => {
    // Counts the upstream list calls of chained pages: the cross-request cache stays off.
    stack = await startStack({ env: { CACHE_HOLDERS_TTL_MS: "0", CACHE_CUSTOMERS_TTL_MS: "0" } });
    for (const batch of [0, 1]) {
      const holdersInput = Array.from({ length: added / 2 }, (_, i) => ({
        sourceId: `chain-${batch}-${String(i).padStart(2, "0")}`,
        name: `Chain ${batch} ${i}`,
      }));
      const input = { memberId: SEED.code, holders: holdersInput };
      const response = await execute(stack.gateway.graphqlUrl, AddHoldersDocument, { input });
      expect(response.errors).toBeUndefined();
      expect(response.data?.addHolders.holders).toHaveLength(added / 2);
    }
    all = (await restAllHolders(stack.emulator, SEED.code)).map(toGraphQLShape);
  });
  afterAll(() => stack.stop());

  test("the REST side has 156 holders", () => {
    expect(all).toHaveLength(SEED.refereeCount + 1 + added);
    expect(all.map((h) => h.id)).toEqual([...all.map((h) => h.id)].sort());
  });

  test("first: 150 returns 150 holders in order, with correct pageInfo, for 2 upstream list calls", async () => {
    stack.emulator.resetRequests();
    const page = await holders(stack, { first: 150 });
    expect(listCalls(stack)).toBe(2);
    expect(page).toEqual(expectedPage(all, { start: 0, end: 150, direction: "forward", cursorGiven: false }, cursorOf(SEED.code)));
    // The rest follows from its endCursor.
    const rest = await holders(stack, { first: 150, after: page.pageInfo.endCursor });
    expect(rest).toEqual(expectedPage(all, { start: 150, end: all.length, direction: "forward", cursorGiven: true }, cursorOf(SEED.code)));
  });

  test("first: 500 beyond the total returns everything, hasNextPage false", async () => {
    stack.emulator.resetRequests();
    const page = await holders(stack, { first: 500 });
    expect(page).toEqual(expectedPage(all, { start: 0, end: all.length, direction: "forward", cursorGiven: false }, cursorOf(SEED.code)));
    expect(listCalls(stack)).toBe(2);
  });

  test("last: 150 returns the last 150 in order, hasPreviousPage true", async () => {
    stack.emulator.resetRequests();
    const page = await holders(stack, { last: 150 });
    expect(page).toEqual(
      expectedPage(all, { start: all.length - 150, end: all.length, direction: "backward", cursorGiven: false }, cursorOf(SEED.code)),
    );
    expect(listCalls(stack)).toBe(2);
    const head = await holders(stack, { last: 150, before: page.pageInfo.startCursor });
    expect(head).toEqual(
      expectedPage(all, { start: 0, end: all.length - 150, direction: "backward", cursorGiven: true }, cursorOf(SEED.code)),
    );
  });

  test("a chained page with a filter: totalCount and order still follow the filter", async () => {
    const referees = all.filter((h) => h.holderRole === "REFEREE");
    const page = await holders(stack, { first: 120, filter: { roles: ["REFEREE"] }, order: "ID_DESC" });
    const reversed = [...referees].reverse();
    expect(page).toEqual(expectedPage(reversed, { start: 0, end: 120, direction: "forward", cursorGiven: false }, cursorOf(SEED.code)));
  });
});
