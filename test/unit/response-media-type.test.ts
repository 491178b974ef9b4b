import { GRAPHQL_RESPONSE_MEDIA_TYPE, JSON_MEDIA_TYPE, responseMediaType } from "../../src/http/response-media-type.js";

// The gateway's own answers (refused documents) pick their media type as Apollo Server picks it for its answers.
test.each([
  [undefined, JSON_MEDIA_TYPE],
  ["*/*", JSON_MEDIA_TYPE],
  ["application/json", JSON_MEDIA_TYPE],
  ["application/graphql-response+json", GRAPHQL_RESPONSE_MEDIA_TYPE],
  ["application/graphql-response+json,application/json;q=0.9", GRAPHQL_RESPONSE_MEDIA_TYPE], // Apollo Client 4
  ["application/json, application/graphql-response+json", JSON_MEDIA_TYPE], // equal: JSON, as Apollo
  ["application/json;q=0.5, application/*", GRAPHQL_RESPONSE_MEDIA_TYPE],
  ["application/graphql-response+json;q=0, */*", JSON_MEDIA_TYPE],
])("Accept %j -> %s", (accept, expected) => {
  expect(responseMediaType(accept)).toBe(expected);
});
