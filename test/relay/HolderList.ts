import { graphql } from "relay-runtime";

// What a Relay app writes to page a referral code's holders. ReferralMember is not a `Node`, so it cannot be
// `@refetchable` itself: the refetchable, paginated fragment is on `Query`, and refetches by `memberId`.
// Babel (babel-plugin-relay) replaces these tags with the compiled artifacts in test/relay/__generated__/, which
// `npm run relay` (relay-compiler, against schema/client.graphql) writes; test/relay/relay-pagination.test.ts uses them.

export const holderListFragment = graphql`
  fragment HolderList_query on Query
  @refetchable(queryName: "HolderListPaginationQuery")
  @argumentDefinitions(
    memberId: { type: "ID!" }
    first: { type: "Int" }
    after: { type: "String" }
    last: { type: "Int" }
    before: { type: "String" }
    order: { type: "HolderOrder", defaultValue: ID_ASC }
  ) {
    referralMember(memberId: $memberId) {
      id
      campaignId
      holders(first: $first, after: $after, last: $last, before: $before, order: $order)
        @connection(key: "HolderList_holders", filters: ["order"]) {
        totalCount
        pageInfo {
          hasNextPage
          hasPreviousPage
          startCursor
          endCursor
        }
        edges {
          cursor
          node {
            id
            holderRole
            customerId
            createdAt
          }
        }
      }
    }
  }
`;

export const holderListQuery = graphql`
  query HolderListQuery($memberId: ID!, $first: Int, $last: Int) {
    ...HolderList_query @arguments(memberId: $memberId, first: $first, last: $last)
  }
`;
