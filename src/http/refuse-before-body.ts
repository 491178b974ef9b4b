import type { IncomingMessage, ServerResponse } from "node:http";
import type { ApolloServer, BaseContext } from "@apollo/server";
import { apolloHeaders, sendApolloResponse } from "./apollo-exchange.js";

/**
 * Answers a POST refused from its headers alone (no valid token: 401; the key source down: 503) without reading its
 * body. Apollo renders the refusal exactly as it renders any failed context (status, `WWW-Authenticate`, content
 * negotiation, error formatting and the plugins' contextCreationDidFail), so the answer is the one a refused caller
 * always got. The connection closes after it, so the unread body is never buffered.
 */
export async function refuseBeforeBody<TContext extends BaseContext>(
  apollo: ApolloServer<TContext>,
  request: IncomingMessage,
  response: ServerResponse,
  search: string,
  refusal: Error,
): Promise<void> {
  const result = await apollo.executeHTTPGraphQLRequest({
    httpGraphQLRequest: { method: "POST", headers: apolloHeaders(request), search, body: undefined },
    context: () => Promise.reject(refusal),
  });
  // The unread body is never buffered: the connection ends with this answer.
  response.setHeader("connection", "close");
  await sendApolloResponse(response, result);
}
