import type { IncomingMessage, ServerResponse } from "node:http";
import { HeaderMap, type HTTPGraphQLResponse } from "@apollo/server";
import { GRAPHQL_CACHE_CONTROL } from "../execution/graphql-response.js";

/** A node:http request's headers as Apollo Server takes them (repeated headers joined, as Node joins most). */
export function apolloHeaders(request: IncomingMessage): HeaderMap {
  const headers = new HeaderMap();
  for (const [name, value] of Object.entries(request.headers)) {
    if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(", ") : value);
  }
  return headers;
}

/**
 * Writes Apollo Server's answer to the node:http response: its status, its headers, and the `cache-control` Apollo's
 * cache-control plugin would send (src/server.ts turns that plugin off for its per-field cost: GraphQL answers are
 * never cacheable here). HTML (the landing page) is left alone.
 */
export async function sendApolloResponse(response: ServerResponse, result: HTTPGraphQLResponse): Promise<void> {
  for (const [name, value] of result.headers) response.setHeader(name, value);
  if (!result.headers.has("cache-control") && !result.headers.get("content-type")?.startsWith("text/html")) {
    response.setHeader("cache-control", GRAPHQL_CACHE_CONTROL);
  }
  response.statusCode = result.status ?? 200;
  if (result.body.kind === "complete") {
    response.end(result.body.string);
    return;
  }
  for await (const chunk of result.body.asyncIterator) response.write(chunk);
  response.end();
}
