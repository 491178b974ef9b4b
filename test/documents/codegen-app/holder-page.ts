import { graphql } from "./gql/index.js";

// What a graphql-codegen client-preset app writes: its operations in the generated `graphql()` function. Codegen
// (test/documents/codegen-app/codegen.yml, persistedDocuments on) types them and writes persisted-documents.json.

export const CodegenHolderPageDocument = graphql(`
  query CodegenHolderPage($memberId: ID!, $first: Int, $after: String) {
    referralMember(memberId: $memberId) {
      id
      holders(first: $first, after: $after) {
        totalCount
        pageInfo {
          hasNextPage
          endCursor
        }
        edges {
          node {
            id
            holderRole
          }
        }
      }
    }
  }
`);
