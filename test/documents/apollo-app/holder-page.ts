import { gql } from "@apollo/client";

// What an Apollo Client app writes: its operations in `gql`. `npx generate-persisted-query-manifest` (config in
// test/documents/apollo-app/persisted-query-manifest.config.json) reads them into the manifest the gateway trusts.

export const HOLDER_PAGE = gql`
  query AppHolderPage($memberId: ID!, $first: Int, $after: String) {
    referralMember(memberId: $memberId) {
      id
      campaignId
      holders(first: $first, after: $after) {
        totalCount
        pageInfo {
          hasNextPage
          endCursor
        }
        edges {
          cursor
          node {
            id
            holderRole
            customerId
          }
        }
      }
    }
  }
`;
