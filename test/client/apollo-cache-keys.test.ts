import { ApolloClient, HttpLink, InMemoryCache } from "@apollo/client";
import { SEED } from "../../src/emulator/seed.js";
import { ReferralHoldersDocument } from "../generated/operations.js";
import { startStack, type Stack } from "../support/stack.js";
import { referralsCache } from "./cache-policies.js";

// How clients should key ReferralMember in a normalised cache, proven with Apollo Client's InMemoryCache over real
// HTTP: `id` is the member id as given, so on its own it merges a campaign-scoped read into an unscoped one.

describe("Apollo Client cache keys for ReferralMember", () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(() => stack.stop());

  const cachedKeys = (client: ApolloClient, prefix: string) =>
    Object.keys(client.cache.extract() as Record<string, unknown>)
      .filter((key) => key.startsWith(prefix))
      .sort();
  const clientWith = (cache: InMemoryCache) => new ApolloClient({ link: new HttpLink({ uri: stack.gateway.graphqlUrl, fetch }), cache });
  const scoped = { memberId: SEED.code, campaignId: SEED.campaignId, first: 3 };
  const unscoped = { memberId: SEED.code, first: 3 };

  test("keyed by id alone (the default), an unscoped read overwrites the campaign-scoped read's campaignId", async () => {
    const client = clientWith(new InMemoryCache());
    try {
      await client.query({ query: ReferralHoldersDocument, variables: scoped });
      await client.query({ query: ReferralHoldersDocument, variables: unscoped });
      expect(cachedKeys(client, "ReferralMember:")).toEqual([`ReferralMember:${SEED.code}`]);
      // The campaign-scoped query, answered from the cache, now claims no campaign.
      expect(client.readQuery({ query: ReferralHoldersDocument, variables: scoped })?.referralMember.campaignId).toBeNull();
    } finally {
      client.stop();
    }
  });

  test('keyFields ["id", "campaignId"]: scoped and unscoped reads are two records, each keeps its own campaignId', async () => {
    const client = clientWith(referralsCache());
    try {
      await client.query({ query: ReferralHoldersDocument, variables: scoped });
      await client.query({ query: ReferralHoldersDocument, variables: unscoped });
      expect(cachedKeys(client, "ReferralMember:")).toEqual([
        `ReferralMember:{"id":"${SEED.code}","campaignId":"${SEED.campaignId}"}`,
        `ReferralMember:{"id":"${SEED.code}","campaignId":null}`,
      ]);
      expect(client.readQuery({ query: ReferralHoldersDocument, variables: scoped })?.referralMember.campaignId).toBe(SEED.campaignId);
      expect(client.readQuery({ query: ReferralHoldersDocument, variables: unscoped })?.referralMember.campaignId).toBeNull();
    } finally {
      client.stop();
    }
  });

  test("a code and its voucher id are two member records that share the same normalised holder records", async () => {
    const client = clientWith(referralsCache());
    try {
      const byCode = await client.query({ query: ReferralHoldersDocument, variables: { memberId: SEED.code, first: 5 } });
      const byVoucher = await client.query({ query: ReferralHoldersDocument, variables: { memberId: SEED.voucherId, first: 5 } });
      const ids = (result: typeof byCode) => result.data!.referralMember.holders!.edges.map((edge) => edge.node.id);
      expect(ids(byVoucher)).toEqual(ids(byCode));
      expect(cachedKeys(client, "ReferralMember:")).toEqual([
        `ReferralMember:{"id":"${SEED.code}","campaignId":null}`,
        `ReferralMember:{"id":"${SEED.voucherId}","campaignId":null}`,
      ]);
      // Each holder is stored once (rh_... ids are unique), whichever member id reached it.
      expect(cachedKeys(client, "ReferralHolder:")).toEqual(
        ids(byCode)
          .map((id) => `ReferralHolder:${id}`)
          .sort(),
      );
    } finally {
      client.stop();
    }
  });
});
