import { ApolloClient, HttpLink } from "@apollo/client";
import { filter, firstValueFrom } from "rxjs";
import { SEED, demoRefereeCustomerId } from "../../src/emulator/seed.js";
import { ReferralHoldersDocument } from "../generated/operations.js";
import { startStack, type Stack } from "../support/stack.js";
import { referralsCache } from "./cache-policies.js";
import { execute } from "../support/typed-operation.js";

// A frontend's view: Apollo Client 4 over real HTTP, paging a referral code's holders with fetchMore and merging
// the pages with the stock Relay field policy. This holds only if our cursors, pageInfo and edges are Relay-proper.

describe("Apollo Client 4 paging the holders connection", () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(() => stack.stop());

  test("first: 10, then fetchMore after endCursor until hasNextPage is false: all 26 holders, in order", async () => {
    // The whole list in one request, as the reference the merged pages must equal.
    const all = await execute(stack.gateway.graphqlUrl, ReferralHoldersDocument, { memberId: SEED.code, first: 100 });
    expect(all.errors).toBeUndefined();
    const expectedEdges = all.data!.referralMember.holders!.edges;
    expect(expectedEdges.map((e) => e.node.customerId)).toEqual([
      SEED.referrerCustomerId,
      ...Array.from({ length: SEED.refereeCount }, (_, i) => demoRefereeCustomerId(i + 1)),
    ]);

    const client = new ApolloClient({
      link: new HttpLink({ uri: stack.gateway.graphqlUrl, fetch }),
      // The recommended policies (docs/frontend/clients.md): ReferralMember keyed by id + campaignId, holders merged Relay-style.
      cache: referralsCache(),
    });
    try {
      stack.emulator.resetRequests();
      const variables = { memberId: SEED.code, first: 10 };
      const query = client.watchQuery({ query: ReferralHoldersDocument, variables });
      // An ObservableQuery fetches, and follows the cache, while it has a subscriber: keep one for the whole
      // paging session (as a mounted component would), and take its first complete result as page one.
      const subscription = query.subscribe(() => {});
      const firstPage = await firstValueFrom(query.pipe(filter((result) => result.dataState === "complete")));
      let holders = firstPage.data.referralMember.holders!;
      expect(holders.edges).toHaveLength(10);

      // The merged connection, as the cache holds it after the field policy's merge.
      const merged = () => client.readQuery({ query: ReferralHoldersDocument, variables })!.referralMember.holders!;
      const pageSizes = [holders.edges.length];
      while (holders.pageInfo.hasNextPage) {
        const more = await query.fetchMore({ variables: { after: holders.pageInfo.endCursor } });
        expect(more.error).toBeUndefined();
        pageSizes.push(more.data.referralMember.holders!.edges.length);
        expect(pageSizes.length).toBeLessThan(10); // a stuck cursor would loop forever
        holders = merged();
      }
      // What a component would render: the watched query delivers the merged 26 edges too.
      const rendered = await firstValueFrom(
        query.pipe(filter((result) => result.dataState === "complete" && result.data.referralMember.holders!.edges.length === 26)),
      );
      subscription.unsubscribe();
      expect(rendered.data).toEqual(client.readQuery({ query: ReferralHoldersDocument, variables }));

      expect(pageSizes).toEqual([10, 10, 6]);
      // The cache's merged view: every edge (cursor and node) in upstream order, and pageInfo spanning all pages.
      const strip = <T extends object>(value: T) => JSON.parse(JSON.stringify(value, (k, v) => (k === "__typename" ? undefined : v))) as T;
      expect(strip(holders.edges)).toEqual(expectedEdges);
      expect(strip(holders.pageInfo)).toEqual({
        hasNextPage: false,
        hasPreviousPage: false,
        startCursor: expectedEdges[0].cursor,
        endCursor: expectedEdges[25].cursor,
      });
      expect(holders.totalCount).toBe(SEED.refereeCount + 1);
      // Three pages, three upstream lists: nothing fetched twice.
      expect(stack.emulator.requests.filter((r) => r.path.endsWith("/holders"))).toHaveLength(3);
    } finally {
      client.stop();
    }
  });
});
