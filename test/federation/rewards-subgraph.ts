import { ApolloServer } from "@apollo/server";
import { ApolloServerPluginInlineTraceDisabled } from "@apollo/server/plugin/disabled";
import { startStandaloneServer } from "@apollo/server/standalone";
import { buildSubgraphSchema } from "@apollo/subgraph";
import { parse } from "graphql";

/**
 * A second, independent subgraph, as another team would write it: rewards paid for referrals. It references our
 * ReferralMember by key only (it cannot resolve one) and contributes a field to our Customer entity, so a query
 * through the composed graph crosses both subgraphs in both directions.
 */
export const REWARDS_TYPE_DEFS = parse(/* GraphQL */ `
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])

  type Query {
    rewards: [ReferralReward!]!
  }

  type ReferralReward @key(fields: "id") {
    id: ID!
    points: Int!
    member: ReferralMember!
  }

  # Owned by the referrals subgraph: only its key is known here. (Comments, not descriptions: a description
  # differing from the owner's would earn an INCONSISTENT_DESCRIPTION composition hint.)
  type ReferralMember @key(fields: "id", resolvable: false) {
    id: ID!
  }

  # Entity fields from different subgraphs merge: this adds loyaltyTier to the referrals subgraph's Customer.
  type Customer @key(fields: "id") {
    id: ID!
    loyaltyTier: String
  }
`);

export interface RewardsData {
  rewards: Array<{ id: string; points: number; memberId: string }>;
  /** Customer id -> tier; customers not listed have no tier (null). */
  loyaltyTiers: Record<string, string>;
}

export interface RewardsSubgraph {
  url: string;
  /** Customer ids asked for through `_entities`, in order, to show the router came here for loyaltyTier. */
  customerReferences: string[];
  stop(): Promise<void>;
}

export async function startRewardsSubgraph(data: RewardsData): Promise<RewardsSubgraph> {
  const customerReferences: string[] = [];
  const schema = buildSubgraphSchema({
    typeDefs: REWARDS_TYPE_DEFS,
    resolvers: {
      Query: { rewards: () => data.rewards },
      ReferralReward: {
        __resolveReference: (ref: { id: string }) => data.rewards.find((r) => r.id === ref.id) ?? null,
        member: (reward: { memberId: string }) => ({ __typename: "ReferralMember", id: reward.memberId }),
      },
      Customer: {
        __resolveReference: (ref: { id: string }) => {
          customerReferences.push(ref.id);
          return { id: ref.id, loyaltyTier: data.loyaltyTiers[ref.id] ?? null };
        },
      },
    },
  });
  const server = new ApolloServer({ schema, plugins: [ApolloServerPluginInlineTraceDisabled()] });
  const { url } = await startStandaloneServer(server, { listen: { port: 0, host: "127.0.0.1" } });
  return { url, customerReferences, stop: () => server.stop() };
}
