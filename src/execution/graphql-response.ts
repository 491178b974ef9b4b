import type { OutgoingHttpHeaders } from "node:http";
import { Kind, type GraphQLError, type GraphQLFormattedError } from "graphql";
import { asGraphQLError, badUserInputFrom } from "../errors/graphql-errors.js";
import { UNEXPECTED_ERROR_CODE } from "../errors/error-codes.js";
import { formatApolloRequestError } from "../plugins/error-masking.plugin.js";

// The HTTP answer of a GraphQL operation as Apollo Server 5.5 writes it (runHttpQuery.js, errorNormalize.js,
// requestPipeline.js), for the trusted documents' fast path. Apollo does not export these steps; what they do is
// pinned by test/integration/trusted-equivalence.test.ts, which runs every shipped operation through both paths
// and compares status, headers and bodies byte for byte. Keep it to what this gateway's answers use.

/** The media types of a GraphQL answer over HTTP, as Apollo Server writes them. */
export const JSON_MEDIA_TYPE = "application/json; charset=utf-8";
export const GRAPHQL_RESPONSE_MEDIA_TYPE = "application/graphql-response+json; charset=utf-8";

/**
 * Apollo's content negotiation for the Accept values clients send in practice; null for anything else, which the
 * fast path leaves to Apollo (so an unusual Accept header gets Apollo's own answer, 406 included). Not
 * http/response-media-type.ts's approximation (for answers Apollo never gives, such as refused documents): an answer
 * Apollo would also give must carry exactly Apollo's content type.
 */
const CONTENT_TYPE_FOR_ACCEPT = new Map<string | undefined, string>([
  [undefined, JSON_MEDIA_TYPE],
  ["*/*", JSON_MEDIA_TYPE],
  ["application/json", JSON_MEDIA_TYPE],
  ["application/json, */*", JSON_MEDIA_TYPE],
  ["application/graphql-response+json", GRAPHQL_RESPONSE_MEDIA_TYPE],
  // Apollo Client 3.x and urql send these; relay's examples send the first.
  ["application/graphql-response+json, application/json;q=0.9", GRAPHQL_RESPONSE_MEDIA_TYPE],
  ["application/graphql-response+json,application/json;q=0.9", GRAPHQL_RESPONSE_MEDIA_TYPE],
  ["application/graphql-response+json, application/json", GRAPHQL_RESPONSE_MEDIA_TYPE],
]);

export function contentTypeFor(accept: string | undefined): string | null {
  return CONTENT_TYPE_FOR_ACCEPT.get(accept === "" ? undefined : accept) ?? null;
}

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

/** Apollo's body: `{errors, data, extensions}` in that order, undefined members left out, a newline after. */
export function resultBody(result: { errors?: readonly GraphQLFormattedError[]; data?: unknown; extensions?: unknown }): string {
  return JSON.stringify({ errors: result.errors, data: result.data, extensions: result.extensions }) + "\n";
}

/**
 * GraphQL answers are never cacheable here (no type or field carries a cache hint): what Apollo's cache-control
 * plugin would send, sent by the HTTP handler for Apollo's answers (src/server.ts turns the plugin off) and by the
 * fast path.
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
