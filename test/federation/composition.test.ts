import { composeServices, type CompositionResult } from "@apollo/composition";
import { composeServices as composeWithGuild } from "@theguild/federation-composition";
import { Kind, parse, type DocumentNode } from "graphql";
import { SEED, demoRefereeCustomerId, otherRefereeCustomerId } from "../../src/emulator/seed.js";
import { graphql, startStack, type Stack } from "../support/stack.js";
import { startApolloGatewayRouter } from "./apollo-gateway-router.js";
import { REWARDS_TYPE_DEFS, startRewardsSubgraph, type RewardsData, type RewardsSubgraph } from "./rewards-subgraph.js";

// This subgraph composed with another team's subgraph into a supergraph, served by a real Apollo Gateway, all on
// port 0: the proof that routers can plan queries across our entities (ReferralMember, Customer) and PageInfo.

const REWARDS_ACROSS_SUBGRAPHS = /* GraphQL */ `
  query RewardsWithHolders {
    rewards {
      id
      points
      member {
        id
        holders(first: 3) {
          totalCount
          pageInfo {
            hasNextPage
          }
          edges {
            node {
              holderRole
              customer {
                id
                name
                loyaltyTier
              }
            }
          }
        }
      }
    }
  }
`;

const definedTypeNames = (document: DocumentNode) =>
  document.definitions.flatMap((d) => ("name" in d && d.name && d.kind !== Kind.DIRECTIVE_DEFINITION ? [d.name.value] : []));

describe("composition with a second subgraph, served by Apollo Gateway", () => {
  let stack: Stack;
  let rewards: RewardsSubgraph;
  let rewardsData: RewardsData;
  let referralsSdl: DocumentNode;
  let composition: CompositionResult;
  let router: { url: string; stop(): Promise<void> } | undefined;
  let routerUrl: string;

  beforeAll(async () => {
    stack = await startStack();
    rewardsData = {
      rewards: [
        { id: "reward_1", points: 100, memberId: SEED.code },
        { id: "reward_2", points: 40, memberId: SEED.otherCode },
      ],
      loyaltyTiers: { [SEED.referrerCustomerId]: "GOLD", [demoRefereeCustomerId(2)]: "SILVER" },
    };
    rewards = await startRewardsSubgraph(rewardsData);
    // Our SDL exactly as a router (or `rover subgraph introspect`) reads it.
    const served = await graphql<{ _service: { sdl: string } }>(stack.gateway.graphqlUrl, "{ _service { sdl } }");
    referralsSdl = parse(served.data!._service.sdl);
    composition = composeServices([
      { name: "referrals", typeDefs: referralsSdl, url: stack.gateway.graphqlUrl },
      { name: "rewards", typeDefs: REWARDS_TYPE_DEFS, url: rewards.url },
    ]);
    if (composition.errors) return; // the composition test reports them
    router = await startApolloGatewayRouter(composition.supergraphSdl);
    routerUrl = router.url;
  });

  afterAll(async () => {
    await router?.stop();
    await rewards?.stop();
    await stack?.stop();
  });

  test("composes without errors, and without hints about any type of ours", () => {
    expect(composition.errors).toBeUndefined();
    const ourTypes = definedTypeNames(referralsSdl).filter((name) => !/^(_|link__|federation__)/.test(name));
    expect(ourTypes).toEqual(expect.arrayContaining(["ReferralMember", "Customer", "PageInfo", "HolderConnection"]));
    const mentions = (text: string) => ourTypes.some((name) => new RegExp(`\\b${name}\\b`).test(text));
    const hintsAboutUs = (composition.hints ?? []).map((hint) => hint.toString()).filter(mentions);
    expect(hintsAboutUs).toEqual([]);
  });

  test("the supergraph carries our access rules, so a router that implements them enforces them too", () => {
    expect(composition.errors).toBeUndefined();
    const supergraph = composition.supergraphSdl ?? "";
    expect(supergraph).toMatch(/type ReferralMember\n(\s+@[^\n]+\n)*\s+@authenticated\n/);
    expect(supergraph).toMatch(/email: String @join__field\(graph: REFERRALS\) @requiresScopes\(scopes: \[\["customers:read"\]\]\)/);
    expect(supergraph).toMatch(
      /addHolders\([^)]*input: AddHoldersInput!\s*\): AddHoldersPayload! @requiresScopes\(scopes: \[\["referrals:write"\]\]\)/,
    );
  });

  test("another engine (The Guild's federation composition) composes the same two subgraphs without errors", () => {
    const guild = composeWithGuild([
      { name: "referrals", typeDefs: referralsSdl, url: stack.gateway.graphqlUrl },
      { name: "rewards", typeDefs: REWARDS_TYPE_DEFS, url: rewards.url },
    ]);
    expect(guild.errors).toBeUndefined();
    expect(guild.supergraphSdl).toContain('@requiresScopes(scopes: [["referrals:read"]])');
    expect(guild.publicSdl).toMatch(/type ReferralMember\s*{/);
  });

  test("the supergraph merges Customer from both subgraphs", () => {
    expect(composition.errors).toBeUndefined();
    if (composition.errors) return;
    const customer = composition.schema.type("Customer");
    expect(customer?.toString()).toBe("Customer");
    const supergraph = composition.supergraphSdl;
    // join__type lines: Customer is an entity keyed by id in both subgraphs.
    expect(supergraph).toMatch(/type Customer\n\s+@join__type\(graph: REFERRALS, key: "id"\)\n\s+@join__type\(graph: REWARDS, key: "id"\)/);
    expect(supergraph).toMatch(/loyaltyTier: String @join__field\(graph: REWARDS\)/);
  });

  test("one query crosses both subgraphs: rewards -> member -> holders -> customer { name loyaltyTier }", async () => {
    stack.emulator.resetRequests();
    rewards.customerReferences.length = 0;
    const response = await graphql(routerUrl, REWARDS_ACROSS_SUBGRAPHS);
    expect(response.errors).toBeUndefined();
    expect(response.data).toEqual({
      rewards: [
        {
          id: "reward_1",
          points: 100,
          member: {
            id: SEED.code,
            holders: {
              totalCount: SEED.refereeCount + 1,
              pageInfo: { hasNextPage: true },
              edges: [
                { node: { holderRole: "REFERRER", customer: { id: SEED.referrerCustomerId, name: "Demo Referrer", loyaltyTier: "GOLD" } } },
                { node: { holderRole: "REFEREE", customer: { id: demoRefereeCustomerId(1), name: "Referee 01", loyaltyTier: null } } },
                { node: { holderRole: "REFEREE", customer: { id: demoRefereeCustomerId(2), name: "Referee 02", loyaltyTier: "SILVER" } } },
              ],
            },
          },
        },
        {
          id: "reward_2",
          points: 40,
          member: {
            id: SEED.otherCode,
            holders: {
              totalCount: SEED.otherRefereeCount + 1,
              pageInfo: { hasNextPage: true },
              edges: [
                {
                  node: {
                    holderRole: "REFERRER",
                    customer: { id: SEED.otherReferrerCustomerId, name: "Other Referrer", loyaltyTier: null },
                  },
                },
                {
                  node: { holderRole: "REFEREE", customer: { id: otherRefereeCustomerId(1), name: expect.any(String), loyaltyTier: null } },
                },
                {
                  node: { holderRole: "REFEREE", customer: { id: otherRefereeCustomerId(2), name: expect.any(String), loyaltyTier: null } },
                },
              ],
            },
          },
        },
      ],
    });
    // The router went to the rewards subgraph for loyaltyTier of each of the six customers...
    expect([...rewards.customerReferences].sort()).toEqual(
      [
        SEED.referrerCustomerId,
        demoRefereeCustomerId(1),
        demoRefereeCustomerId(2),
        SEED.otherReferrerCustomerId,
        otherRefereeCustomerId(1),
        otherRefereeCustomerId(2),
      ].sort(),
    );
    // ...and our subgraph read each member's first page once, upstream.
    const holderLists = stack.emulator.requests.filter((r) => r.path.endsWith("/holders")).map((r) => r.path);
    expect(holderLists.sort()).toEqual(
      [`/v1/referrals/members/${SEED.code}/holders`, `/v1/referrals/members/${SEED.otherCode}/holders`].sort(),
    );
  });

  test("a reward whose member code is unknown: only that member's holders are null, with the error at its path", async () => {
    rewardsData.rewards.push({ id: "reward_3", points: 5, memberId: "NO-SUCH" });
    try {
      const response = await graphql(
        routerUrl,
        `
          {
            rewards {
              id
              member {
                id
                holders(first: 1) {
                  totalCount
                }
              }
            }
          }
        `,
      );
      expect(response.data).toEqual({
        rewards: [
          { id: "reward_1", member: { id: SEED.code, holders: { totalCount: SEED.refereeCount + 1 } } },
          { id: "reward_2", member: { id: SEED.otherCode, holders: { totalCount: SEED.otherRefereeCount + 1 } } },
          { id: "reward_3", member: { id: "NO-SUCH", holders: null } },
        ],
      });
      expect(response.errors).toHaveLength(1);
      expect(response.errors![0]).toMatchObject({ path: ["rewards", 2, "member", "holders"], extensions: { code: "NOT_FOUND" } });
    } finally {
      rewardsData.rewards.pop();
    }
  });
});
