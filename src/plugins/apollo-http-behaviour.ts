import type { IncomingHttpHeaders, OutgoingHttpHeaders } from "node:http";
import { Kind, OperationTypeNode, type GraphQLError, type GraphQLFormattedError } from "graphql";
import { LRUCache } from "lru-cache";
import Negotiator from "negotiator";
import MIMEType from "whatwg-mimetype";
import { UNEXPECTED_ERROR_CODE } from "../errors/error-codes.js";
import { asGraphQLError, badRequest, badUserInputFrom, operationResolutionFailure } from "../errors/graphql-errors.js";
import { isJsonObject } from "../lib/json-object.js";
import { formatApolloRequestError } from "./error-masking.plugin.js";

// The one seam with Apollo Server 5.5: what the gateway copies of its HTTP behaviour for the answers it writes itself
// (the trusted documents' fast path, refused documents, requests refused before or while their body is read). Apollo
// exports none of these steps (runHttpQuery.js, ApolloServer.js, preventCsrf.js, errorNormalize.js,
// requestPipeline.js); each is copied here once, with the same libraries Apollo uses for it (negotiator for Accept,
// whatwg-mimetype for Content-Type). test/unit/apollo-http-behaviour.test.ts holds each against a real Apollo Server;
// test/integration/trusted-equivalence.test.ts compares whole answers of both paths and of a plain Apollo Server.

/**
 * The header a federation router sends to have an operation's resolver timings returned inline (value `ftv1`): Apollo's
 * subgraph plugin reads it. For the router only (src/http/routes.ts drops it from anyone else); graphql-js runs what it asks.
 */
export const INLINE_TRACE_HEADER = "apollo-federation-include-trace";

/** The media types of a GraphQL answer over HTTP, as Apollo Server writes them. */
export const JSON_MEDIA_TYPE = "application/json; charset=utf-8";
export const GRAPHQL_RESPONSE_MEDIA_TYPE = "application/graphql-response+json; charset=utf-8";
const JSON_GRAPHQL_CALLBACK_MEDIA_TYPE = "application/json; callbackSpec=1.0; charset=utf-8";
const SINGLE_RESULT_MEDIA_TYPES = [JSON_MEDIA_TYPE, GRAPHQL_RESPONSE_MEDIA_TYPE, JSON_GRAPHQL_CALLBACK_MEDIA_TYPE];
const LANDING_PAGE_MEDIA_TYPES = [
  JSON_MEDIA_TYPE,
  GRAPHQL_RESPONSE_MEDIA_TYPE,
  "multipart/mixed; deferSpec=20220824",
  "multipart/mixed; incrementalSpec=v0.2",
  "multipart/mixed",
  "text/html",
];

/**
 * A pure function of one header value, remembered for the few values clients send: negotiator parses every media type
 * again on every call (20-50 µs per Accept header here, a tenth of a trusted page's whole cost). Bounded, so a client
 * that sends a new value each time costs what it would without the memory.
 */
function rememberedPerValue<T>(compute: (value: string) => T): (value: string) => T {
  const known = new LRUCache<string, { value: T }>({ max: 64 });
  return (value) => {
    let entry = known.get(value);
    if (entry === undefined) {
      entry = { value: compute(value) };
      known.set(value, entry);
    }
    return entry.value;
  };
}

const preferredSingleResultType = rememberedPerValue(
  (accept) => new Negotiator({ headers: { accept } }).mediaType(SINGLE_RESULT_MEDIA_TYPES) ?? null,
);

/**
 * The media type of a one-result answer for this Accept header, or null when it accepts none of them (Apollo's
 * chooseContentTypeForSingleResultResponse). One negotiation for every answer, Apollo's and the gateway's own.
 */
export function negotiatedMediaType(accept: string | undefined): string | null {
  return accept ? preferredSingleResultType(accept) : JSON_MEDIA_TYPE;
}

const prefersHtmlAccept = rememberedPerValue(
  (accept) => new Negotiator({ headers: { accept } }).mediaType(LANDING_PAGE_MEDIA_TYPES) === "text/html",
);

/** A GET that Apollo answers with its landing page, where it has one (ApolloServer.js's prefersHTML). */
export function prefersHtml(method: string, accept: string | undefined): boolean {
  return method === "GET" && !!accept && prefersHtmlAccept(accept);
}

/** A Content-Type's essence (`type/subtype`, lower case), or null when it does not parse (whatwg-mimetype, as Apollo). */
const essenceOf = rememberedPerValue((contentType) => MIMEType.parse(contentType)?.essence ?? null);

// ---- Request rules: what Apollo refuses before an operation runs, in its words and statuses.

const NON_PREFLIGHTED_CONTENT_TYPES = ["application/x-www-form-urlencoded", "multipart/form-data", "text/plain"];
const PREFLIGHT_HEADERS = ["x-apollo-operation-name", "apollo-require-preflight"];

/**
 * Apollo's CSRF prevention (preventCsrf.js), applied to every request: one a browser could send cross-site without a
 * preflight (no Content-Type, or a form's) must carry a preflight header. An unparseable Content-Type passes: no
 * browser sends one without a preflight.
 */
export function csrfRefusal(headers: IncomingHttpHeaders): GraphQLError | null {
  const contentType = headers["content-type"];
  if (contentType !== undefined) {
    const essence = essenceOf(contentType);
    if (essence === null || !NON_PREFLIGHTED_CONTENT_TYPES.includes(essence)) return null;
  }
  if (PREFLIGHT_HEADERS.some((name) => (headers[name]?.length ?? 0) > 0)) return null;
  return badRequest(
    "This operation has been blocked as a potential Cross-Site Request Forgery (CSRF). Please either specify a " +
      `'content-type' header (with a type that is not one of ${NON_PREFLIGHTED_CONTENT_TYPES.join(", ")}) or provide a ` +
      `non-empty value for one of the following headers: ${PREFLIGHT_HEADERS.join(", ")}\n`,
  );
}

/** The fields of a GraphQL request, as sent (a POST body's members, or a GET's search parameters). */
export interface RequestFields {
  documentId: unknown;
  query: unknown;
  variables: unknown;
  operationName: unknown;
  extensions: unknown;
}

/** runHttpQuery.js's checks of a POST body (a non-empty JSON object), in its order. */
export function postBodyRefusal(body: Record<string, unknown>): GraphQLError | null {
  const { query, variables, extensions, operationName } = body;
  if (query && typeof query !== "string") {
    return badRequest(
      isJsonObject(query) && query.kind === Kind.DOCUMENT
        ? "GraphQL queries must be strings. It looks like you're sending the internal graphql-js representation of a " +
            "parsed query in your request instead of a request in the GraphQL query language. You can convert an AST to a " +
            "string using the `print` function from `graphql`, or use a client like `apollo-client` which converts the " +
            "internal representation to a string for you."
        : "GraphQL queries must be strings.",
    );
  }
  if (typeof variables === "string") {
    return badRequest("`variables` in a POST body should be provided as an object, not a recursively JSON-encoded string.");
  }
  if (typeof extensions === "string") {
    return badRequest("`extensions` in a POST body should be provided as an object, not a recursively JSON-encoded string.");
  }
  if (extensions !== undefined && extensions !== null && !isJsonObject(extensions)) {
    return badRequest("`extensions` in a POST body must be an object if provided.");
  }
  if (variables !== undefined && variables !== null && !isJsonObject(variables)) {
    return badRequest("`variables` in a POST body must be an object if provided.");
  }
  if (operationName !== undefined && operationName !== null && typeof operationName !== "string") {
    return badRequest("`operationName` in a POST body must be a string if provided.");
  }
  return null;
}

/**
 * A GET's fields, as runHttpQuery.js reads them: a Content-Type other than JSON refused (415), each parameter at most
 * once, the JSON ones JSON objects. What breaks a rule is left out of the fields and comes back as `refusal` (the
 * first, in Apollo's order), for the caller to give once the request is known to be its to answer.
 */
export function getRequestFields(headers: IncomingHttpHeaders, search: string): { fields: RequestFields; refusal: GraphQLError | null } {
  const contentType = headers["content-type"];
  let refusal: GraphQLError | null = null;
  if (contentType !== undefined && essenceOf(contentType) !== "application/json") {
    refusal = badRequest("GET requests may not have a content-type header other than application/json.", { status: 415 });
  }
  const params = new URLSearchParams(search);
  const fields: RequestFields = {
    documentId: undefined,
    query: undefined,
    variables: undefined,
    operationName: undefined,
    extensions: undefined,
  };
  for (const name of ["documentId", "query", "operationName", "variables", "extensions"] as const) {
    const values = params.getAll(name);
    if (values.length === 0) continue;
    if (values.length > 1) {
      refusal ??= badRequest(`The '${name}' search parameter may only be specified once.`);
      continue;
    }
    if (name !== "variables" && name !== "extensions") {
      fields[name] = values[0];
      continue;
    }
    let value: unknown;
    try {
      value = JSON.parse(values[0]);
    } catch {
      refusal ??= badRequest(`The ${name} search parameter contains invalid JSON.`);
      continue;
    }
    if (isJsonObject(value)) fields[name] = value;
    else refusal ??= badRequest(`The ${name} search parameter should contain a JSON-encoded object.`);
  }
  return { fields, refusal };
}

/**
 * requestPipeline.js's rules for the operation a request names, once its document is known: the operation name must be
 * the document's, and a GET may only run a query (405, `Allow: POST`).
 */
export function operationRefusal(
  method: string,
  operationName: string | undefined,
  operation: { name: string | null; type: OperationTypeNode },
): GraphQLError | null {
  if (operationName !== undefined && operationName !== operation.name)
    return operationResolutionFailure(`Unknown operation named "${operationName}".`);
  if (method === "GET" && operation.type !== OperationTypeNode.QUERY) {
    return badRequest(`GET requests only support query operations, not ${operation.type} operations`, {
      status: 405,
      headers: [["allow", "POST"]],
    });
  }
  return null;
}

// ---- Error formatting.

/** Formatted errors plus what they ask of the HTTP answer (`extensions.http`), as Apollo reads it. */
export interface FormattedErrors {
  errors: GraphQLFormattedError[];
  status: number | undefined;
  headers: Array<[string, string]>;
}

/**
 * Apollo's normalizeAndFormatErrors with this gateway's `formatError`: `extensions.code` defaults to
 * INTERNAL_SERVER_ERROR, `extensions.http` is taken out into the answer's status and headers, stack traces are
 * added when `includeStacktrace` (outside production).
 */
export function formatErrors(errors: readonly unknown[], includeStacktrace: boolean): FormattedErrors {
  const result: FormattedErrors = { errors: [], status: undefined, headers: [] };
  for (const maybeError of errors) {
    const error = asGraphQLError(maybeError);
    const extensions: Record<string, unknown> = { ...error.extensions, code: error.extensions.code ?? UNEXPECTED_ERROR_CODE };
    const http = extensions.http as { status?: number; headers?: Map<string, string> } | undefined;
    if (http && typeof http === "object" && (http.status === undefined || typeof http.status === "number")) {
      if (http.status) result.status = http.status;
      if (http.headers instanceof Map) for (const header of http.headers) result.headers.push(header);
      delete extensions.http;
    }
    if (includeStacktrace) extensions.stacktrace = error.stack?.split("\n");
    result.errors.push(formatApolloRequestError({ ...error.toJSON(), extensions }, error));
  }
  return result;
}

/** What Apollo answers when the context cannot be built (an unauthenticated caller, no credentials). */
export function contextFailure(error: unknown): GraphQLError {
  return asGraphQLError(error, "Context creation failed: ");
}

/**
 * Apollo's UserInputError: graphql-js's code-less "Variable "$x" got invalid value" errors become BAD_USER_INPUT
 * (requestPipeline.js's isBadUserInputGraphQLError).
 */
export function classifyExecutionError(error: GraphQLError): GraphQLError {
  const node = error.nodes?.length === 1 ? error.nodes[0] : undefined;
  if (error.extensions?.code != null || node?.kind !== Kind.VARIABLE_DEFINITION) return error;
  const variable = `Variable "$${node.variable.name.value}" `;
  const prefixes = ["has invalid value", "got invalid value ", "of required type ", "of non-null type "];
  if (!prefixes.some((prefix) => error.message.startsWith(variable + prefix))) return error;
  return badUserInputFrom(error);
}

// ---- Status rules.

/**
 * The status of an operation's answer (requestPipeline.js): what an error asks for (`extensions.http.status`); else
 * a refused or failed operation (no result) is a 500, variables refused before anything ran (no data) a 400, and a
 * result, partial or not, a 200.
 */
export function operationStatus(errorStatus: number | undefined, outcome: { hasErrors: boolean; refused: boolean; data: unknown }): number {
  if (!outcome.hasErrors) return 200;
  return errorStatus ?? (outcome.refused ? 500 : outcome.data === undefined ? 400 : 200);
}

// ---- Answers.

/** Apollo's body: `{errors, data, extensions}` in that order, undefined members left out, a newline after. */
export function resultBody(result: { errors?: readonly GraphQLFormattedError[]; data?: unknown; extensions?: unknown }): string {
  return JSON.stringify({ errors: result.errors, data: result.data, extensions: result.extensions }) + "\n";
}

/**
 * GraphQL answers are never cacheable here (no type or field carries a cache hint): what Apollo's cache-control
 * plugin would send, sent with Apollo's answers (src/server.ts turns the plugin off) and with the gateway's own.
 */
export const GRAPHQL_CACHE_CONTROL = "no-store";

/** The headers an answer carries, in the order the Apollo path sends them: the errors', the content type, cache-control. */
export function answerHeaders(fromErrors: Array<[string, string]>, contentType: string): OutgoingHttpHeaders {
  const headers: OutgoingHttpHeaders = {};
  for (const [name, value] of fromErrors) headers[name] = value;
  headers["content-type"] = contentType;
  headers["cache-control"] = GRAPHQL_CACHE_CONTROL;
  return headers;
}

/** A whole HTTP answer, ready to write. */
export interface HttpAnswer {
  status: number;
  headers: OutgoingHttpHeaders;
  body: string;
}

/**
 * Where a refusal stands in Apollo's handling of a request, which decides its media type when the client accepts none:
 * - "request": the HTTP request itself is refused (CSRF, its shape, its body, its caller), as ApolloServer.js's
 *   errorResponse answers: JSON then.
 * - "operation": the operation it names is refused (unknown or not allowed, wrong name, GET for a mutation), as an
 *   answer of requestPipeline.js: runHttpQuery.js then answers 406 instead.
 */
export type RefusalStage = "request" | "operation";

/** A refused request's answer: one error, formatted, with its status (500 unless it says) and the negotiated media type. */
export function refusalAnswer(error: GraphQLError, accept: string | undefined, stage: RefusalStage): HttpAnswer {
  const mediaType = negotiatedMediaType(accept);
  const refusal = mediaType === null && stage === "operation" ? notAcceptable() : error;
  const formatted = formatErrors([refusal], false);
  return {
    status: formatted.status ?? 500,
    headers: answerHeaders(formatted.headers, mediaType ?? JSON_MEDIA_TYPE),
    body: resultBody({ errors: formatted.errors }),
  };
}

function notAcceptable(): GraphQLError {
  return badRequest(
    `An 'accept' header was provided for this request which does not accept ${JSON_MEDIA_TYPE} or ${GRAPHQL_RESPONSE_MEDIA_TYPE}`,
    { status: 406 },
  );
}
