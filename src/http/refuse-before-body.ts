import type { IncomingMessage, ServerResponse } from "node:http";
import type { ApolloServer, BaseContext } from "@apollo/server";
import { apolloHeaders, sendApolloResponse, wholeAnswer } from "./apollo-exchange.js";
import type { LingeringClose } from "./lingering-close.js";
import { sendRefusal } from "./refusal.js";

/**
 * Answers a POST refused from its headers alone (no valid token: 401; the key source down: 503) without keeping its
 * body. Apollo renders the refusal exactly as it renders any failed context (status, `WWW-Authenticate`, content
 * negotiation, error formatting and the plugins' contextCreationDidFail), so the answer is the one a refused caller
 * always got; the body is then read and dropped, never buffered, until the connection closes (refusal.ts).
 */
export async function refuseBeforeBody<TContext extends BaseContext>(
  apollo: ApolloServer<TContext>,
  request: IncomingMessage,
  response: ServerResponse,
  search: string,
  refusal: Error,
  lingering?: LingeringClose,
): Promise<void> {
  const result = await apollo.executeHTTPGraphQLRequest({
    httpGraphQLRequest: { method: "POST", headers: apolloHeaders(request), search, body: undefined },
    context: () => Promise.reject(refusal),
  });
  const answer = wholeAnswer(result);
  if (answer) return sendRefusal(request, response, answer, lingering);
  // Not a refusal after all (Apollo answers a failed context whole): closed with the body unread, never buffered.
  response.setHeader("connection", "close");
  await sendApolloResponse(response, result);
}
