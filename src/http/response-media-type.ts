import { GRAPHQL_RESPONSE_MEDIA_TYPE, JSON_MEDIA_TYPE } from "../execution/graphql-response.js";

// The media types themselves are written once, with Apollo's answer format (src/execution/graphql-response.ts).
export { GRAPHQL_RESPONSE_MEDIA_TYPE, JSON_MEDIA_TYPE };

/**
 * The media type of an answer the gateway writes itself (a refused document), chosen as Apollo Server chooses it for
 * its own answers: `application/graphql-response+json` when the client prefers it to `application/json` (Apollo
 * Client 4 does, and then reads a 4xx answer's `errors` as GraphQL errors rather than a bare server error); JSON
 * otherwise, and when nothing is said.
 */
export function responseMediaType(accept: string | undefined): string {
  if (!accept) return JSON_MEDIA_TYPE;
  return quality(accept, "application/graphql-response+json") > quality(accept, "application/json")
    ? GRAPHQL_RESPONSE_MEDIA_TYPE
    : JSON_MEDIA_TYPE;
}

/** The `q` the Accept header gives a media type: its most specific matching range wins (RFC 9110, 12.5.1). */
function quality(accept: string, mediaType: string): number {
  const [type] = mediaType.split("/");
  let best = { specificity: -1, q: 0 };
  for (const range of accept.split(",")) {
    const [name, ...params] = range.split(";").map((part) => part.trim().toLowerCase());
    const specificity = name === mediaType ? 2 : name === `${type}/*` ? 1 : name === "*/*" ? 0 : -1;
    if (specificity <= best.specificity) continue;
    const q = params.find((param) => param.startsWith("q="));
    best = { specificity, q: q === undefined ? 1 : Number(q.slice(2)) || 0 };
  }
  return best.q;
}
