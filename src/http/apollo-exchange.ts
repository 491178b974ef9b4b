import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from "node:http";
import { HeaderMap, type HTTPGraphQLResponse } from "@apollo/server";
import { GRAPHQL_CACHE_CONTROL, type HttpAnswer } from "../operation/apollo-http-behaviour.js";

/** A node:http request's headers as Apollo Server takes them (repeated headers joined, as Node joins most). */
export function apolloHeaders(request: IncomingMessage): HeaderMap {
  const headers = new HeaderMap();
  for (const [name, value] of Object.entries(request.headers)) {
    if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(", ") : value);
  }
  return headers;
}

/**
 * The headers of Apollo Server's answer, and the `cache-control` Apollo's cache-control plugin would send (src/server.ts
 * turns that plugin off for its per-field cost: GraphQL answers are never cacheable here). HTML (the landing page) is
 * left alone.
 */
function answerHeadersOf(result: HTTPGraphQLResponse): OutgoingHttpHeaders {
  const headers: OutgoingHttpHeaders = Object.fromEntries(result.headers);
  if (!result.headers.has("cache-control") && !result.headers.get("content-type")?.startsWith("text/html")) {
    headers["cache-control"] = GRAPHQL_CACHE_CONTROL;
  }
  return headers;
}

/** Writes Apollo Server's answer to the node:http response: its status, its headers, its body. */
export async function sendApolloResponse(response: ServerResponse, result: HTTPGraphQLResponse): Promise<void> {
  for (const [name, value] of Object.entries(answerHeadersOf(result))) response.setHeader(name, value!);
  response.statusCode = result.status ?? 200;
  if (result.body.kind === "complete") {
    response.end(result.body.string);
    return;
  }
  for await (const chunk of result.body.asyncIterator) response.write(chunk);
  response.end();
}

/** Apollo Server's answer as a whole, for the gateway's refusal writer (refusal.ts); null for an incremental one. */
export function wholeAnswer(result: HTTPGraphQLResponse): HttpAnswer | null {
  if (result.body.kind !== "complete") return null;
  return { status: result.status ?? 200, headers: answerHeadersOf(result), body: result.body.string };
}
