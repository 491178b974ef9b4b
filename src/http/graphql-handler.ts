import type { IncomingMessage, ServerResponse } from "node:http";
import { HeaderMap, type ApolloServer, type BaseContext } from "@apollo/server";
import { RequestErrorCode } from "../errors.js";
import { GRAPHQL_CACHE_CONTROL } from "../execution/graphql-response.js";
import type { RunTrusted } from "../execution/trusted-execution.js";
import type { GatewayContext } from "../context.js";
import type { TrustedDocuments } from "../documents/trusted-document.js";
import { documentNestingProblem } from "../plugins/operation-admission.js";
import type { BodyBudget } from "./body-budget.js";
import { BodyAbortedError, BodyBudgetExhaustedError, BodyTooLargeError, readBody } from "./read-body.js";
import { sendRequestError } from "./send.js";

export type GraphQLHandler<TContext> = (
  request: IncomingMessage,
  response: ServerResponse,
  search: string,
  context: () => Promise<TContext>,
) => Promise<void>;

/**
 * Apollo Server on plain node:http (no Express): the request is handed to executeHTTPGraphQLRequest as is.
 * Apollo keeps doing CSRF prevention, content negotiation, the landing page and batching rules.
 */
export function createGraphQLHandler<TContext extends GatewayContext & BaseContext>(
  apollo: ApolloServer<TContext>,
  options: {
    bodyBudget?: BodyBudget;
    /** Trusted documents by `documentId`; each runs on the fast path (`runTrusted`) when given, else on Apollo. */
    trusted?: { documents: TrustedDocuments; runTrusted: RunTrusted | null };
  } = {},
): GraphQLHandler<TContext> {
  return async (request, response, search, context) => {
    let body: unknown;
    if (request.method === "POST") {
      let text: string;
      try {
        text = await readBody(request, { budget: options.bodyBudget });
      } catch (error) {
        if (error instanceof BodyTooLargeError) {
          response.setHeader("connection", "close");
          sendRequestError(response, 413, RequestErrorCode.BAD_REQUEST, "Request body is larger than the gateway accepts (1 MiB).");
          return;
        }
        if (error instanceof BodyBudgetExhaustedError) {
          // Too many bodies in transit at once (slow clients, or a flood): refuse this one without reading it and
          // close, so its unread bytes are never buffered. A normal client can retry in a moment.
          response.setHeader("connection", "close");
          response.setHeader("retry-after", "1");
          const message = "The gateway is receiving too many request bodies at once; retry shortly.";
          sendRequestError(response, 503, RequestErrorCode.SERVICE_UNAVAILABLE, message, { retryAfterSeconds: 1 });
          return;
        }
        // Nobody is left to answer (the client left, or the request timeout answered 408 and closed).
        if (error instanceof BodyAbortedError) {
          response.destroy();
          return;
        }
        throw error;
      }
      const type = request.headers["content-type"] ?? "";
      if (type.includes("json")) {
        try {
          body = text.length === 0 ? undefined : JSON.parse(text);
        } catch {
          sendRequestError(response, 400, RequestErrorCode.BAD_REQUEST, "Request body is not valid JSON.");
          return;
        }
      } else {
        body = text;
      }
    }
    const trusted = options.trusted && trustedDocumentOf(request.method, body, search, options.trusted.documents);
    if (trusted) {
      const fields = request.method === "POST" ? (body as Record<string, unknown>) : searchFields(search);
      const { runTrusted } = options.trusted!;
      if (runTrusted && (await runTrusted(trusted, fields.variables, fields.operationName, request, response, context))) return;
      // Apollo runs it as any request: the registered text as `query`.
      if (request.method === "POST") body = { ...(body as object), documentId: undefined, query: trusted.body };
      else search = withQuery(search, trusted.body);
    }
    // Admission's first step, before Apollo parses it: a deep document must not reach graphql-js's recursive parser.
    const query =
      request.method === "POST" ? (body as { query?: unknown } | null | undefined)?.query : new URLSearchParams(search).get("query");
    const tooDeep = typeof query === "string" ? documentNestingProblem(query) : null;
    if (tooDeep) {
      const message = `The document nests brackets deeper than ${tooDeep.max} levels.`;
      sendRequestError(response, 400, RequestErrorCode.GRAPHQL_PARSE_FAILED, message, { limit: tooDeep });
      return;
    }
    const headers = new HeaderMap();
    for (const [name, value] of Object.entries(request.headers)) {
      if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(", ") : value);
    }
    const result = await apollo.executeHTTPGraphQLRequest({
      httpGraphQLRequest: { method: request.method ?? "GET", headers, search, body },
      context,
    });
    for (const [name, value] of result.headers) response.setHeader(name, value);
    // What Apollo's cache-control plugin would send (src/server.ts turns it off for its per-field cost). HTML (the
    // landing page) is left alone.
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
  };
}

// INTERIM (until the trusted-documents resolution step lands, src/documents): a request naming a trusted document by
// `documentId`, in a POST body or a GET query string.
function trustedDocumentOf(method: string | undefined, body: unknown, search: string, documents: TrustedDocuments) {
  const id =
    method === "POST"
      ? (body as { documentId?: unknown } | null | undefined)?.documentId
      : method === "GET"
        ? new URLSearchParams(search).get("documentId")
        : undefined;
  return typeof id === "string" ? documents.byId(id) : undefined;
}

function searchFields(search: string): Record<string, unknown> {
  const params = new URLSearchParams(search);
  const variables = params.get("variables");
  return {
    variables: variables === null ? undefined : (JSON.parse(variables) as unknown),
    operationName: params.get("operationName") ?? undefined,
  };
}

function withQuery(search: string, query: string): string {
  const params = new URLSearchParams(search);
  params.delete("documentId");
  params.set("query", query);
  return `?${params.toString()}`;
}
