import type { IncomingMessage, ServerResponse } from "node:http";
import { HeaderMap, type ApolloServer, type BaseContext } from "@apollo/server";

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
  const headers = new HeaderMap();
  for (const [name, value] of Object.entries(request.headers)) {
    if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(", ") : value);
  }
  const result = await apollo.executeHTTPGraphQLRequest({
    httpGraphQLRequest: { method: "POST", headers, search, body: undefined },
    context: () => Promise.reject(refusal),
  });
  for (const [name, value] of result.headers) response.setHeader(name, value);
  response.setHeader("cache-control", "no-store");
  response.setHeader("connection", "close");
  response.statusCode = result.status ?? 200;
  if (result.body.kind === "complete") {
    response.end(result.body.string);
    return;
  }
  for await (const chunk of result.body.asyncIterator) response.write(chunk);
  response.end();
}
