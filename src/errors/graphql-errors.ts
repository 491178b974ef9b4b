import { HeaderMap } from "@apollo/server";
import { GraphQLError, type ASTNode, type OperationDefinitionNode } from "graphql";
import { formatBytes } from "../lib/byte-size.js";
import { ErrorCode, RequestErrorCode, type UpstreamFailure } from "./error-codes.js";

// Every GraphQLError the gateway raises is built here, from the error table (src/errors/error-codes.ts). Below the GraphQL layer
// (src/voucherify, src/shared-state) failures are typed errors; they become GraphQL errors once, for every resolver
// (src/referrals/upstream-error-to-graphql.ts). `extensions.http` is read by Apollo Server and by the fast path alike.

export function badUserInput(message: string, field?: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: ErrorCode.BAD_USER_INPUT, ...(field ? { field } : {}) } });
}

/** 401 with the RFC 6750 challenge, so HTTP-level clients know a bearer token is what is missing. */
export function unauthenticated(message: string): GraphQLError {
  return new GraphQLError(message, {
    extensions: {
      code: ErrorCode.UNAUTHENTICATED,
      http: { status: 401, headers: new HeaderMap([["www-authenticate", 'Bearer error="invalid_token"']]) },
    },
  });
}

/** No Voucherify credentials to call with: the gateway has none and the client sent none. */
export function missingUpstreamCredentials(): GraphQLError {
  return new GraphQLError("Send X-App-Id and X-App-Token: this gateway has no Voucherify credentials of its own.", {
    extensions: { code: ErrorCode.UNAUTHENTICATED, http: { status: 401 } },
  });
}

/** The keys that verify callers' tokens cannot be fetched right now: the caller is not at fault (503). */
export function keySourceUnavailable(message: string): GraphQLError {
  return new GraphQLError(`${message} Try again shortly.`, { extensions: { code: ErrorCode.UPSTREAM_ERROR, http: { status: 503 } } });
}

/**
 * FORBIDDEN. A refusal of the whole operation carries HTTP 403; a field refused during execution (the rest of the
 * answer stands) must not, or one redacted customer email would turn a good answer into a 403.
 */
export function forbidden(message: string, scope: "operation" | "field"): GraphQLError {
  return new GraphQLError(message, {
    extensions: { code: ErrorCode.FORBIDDEN, ...(scope === "operation" ? { http: { status: 403 } } : {}) },
  });
}

/**
 * Apollo Server's BadRequestError: a request refused before its operation runs, in Apollo's words (HTTP 400 unless
 * `http.status` says otherwise).
 */
export function badRequest(message: string, http: { status?: number; headers?: Array<[string, string]> } = {}): GraphQLError {
  const { status = 400, headers = [] } = http;
  return new GraphQLError(message, {
    extensions: { http: { status, headers: new HeaderMap(headers) }, code: RequestErrorCode.BAD_REQUEST },
  });
}

/** Apollo Server's OperationResolutionError: the operation a request names is not in its document (HTTP 400). */
export function operationResolutionFailure(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { http: { status: 400 }, code: RequestErrorCode.OPERATION_RESOLUTION_FAILURE } });
}

/**
 * A request refused by the gateway itself, with one of its own request-level codes (a document that is not trusted,
 * a body too large or arriving with too many others) and the status it answers with.
 */
export function requestRefused(
  code: RequestErrorCode,
  message: string,
  http: { status: number; headers?: Array<[string, string]> },
  extensions: { retryAfterSeconds?: number; limit?: LimitDetails } = {},
): GraphQLError {
  const { status, headers = [] } = http;
  return new GraphQLError(message, { extensions: { code, ...extensions, http: { status, headers: new HeaderMap(headers) } } });
}

/** A request body over the size limit (HTTP 413). */
export function bodyTooLarge(maxBytes: number): GraphQLError {
  const message = `Request body is larger than the gateway accepts (${formatBytes(maxBytes)}).`;
  return requestRefused(RequestErrorCode.BAD_REQUEST, message, { status: 413 });
}

/** Too many request bodies in transit at once (slow clients, or a flood): HTTP 503, a normal client retries in a second. */
export function tooManyBodies(): GraphQLError {
  const message = "The gateway is receiving too many request bodies at once; retry shortly.";
  return requestRefused(
    RequestErrorCode.SERVICE_UNAVAILABLE,
    message,
    { status: 503, headers: [["retry-after", "1"]] },
    { retryAfterSeconds: 1 },
  );
}

/** A document nesting brackets deeper than the limit, refused before graphql-js's recursive parser sees it (HTTP 400). */
export function nestedTooDeep(limit: LimitDetails): GraphQLError {
  const message = `The document nests brackets deeper than ${limit.max} levels.`;
  return requestRefused(RequestErrorCode.GRAPHQL_PARSE_FAILED, message, { status: 400 }, { limit });
}

/** Which limit an operation broke, machine-readable: clients can tell "too deep" from "too expensive". */
export interface LimitDetails {
  name: string;
  max: number;
  actual: number;
}

/**
 * A request over one of the operation limits. Validation rules' errors reach clients as GRAPHQL_VALIDATION_FAILED
 * (Apollo Server sets that code on every validation error, whatever the rule says); the cost check, which needs
 * variables and so runs after validation, uses the same code and status so that all "operation too big" answers
 * look alike: HTTP 400, never retryable as is.
 */
export function limitError(message: string, limit: LimitDetails, nodes?: readonly ASTNode[] | ASTNode): GraphQLError {
  return new GraphQLError(message, {
    nodes,
    extensions: { code: RequestErrorCode.GRAPHQL_VALIDATION_FAILED, limit, http: { status: 400 } },
  });
}

/** A validation error (Apollo labels it GRAPHQL_VALIDATION_FAILED): the schema has no root type for this operation. */
export function unsupportedOperationType(operation: OperationDefinitionNode): GraphQLError {
  return new GraphQLError(`This schema does not support ${operation.operation} operations.`, { nodes: operation });
}

/** Variables no input of the schema can hold (variable-checks.ts), refused before execution: HTTP 400. */
export function badVariables(path: string, problem: string): GraphQLError {
  return new GraphQLError(`${path} ${problem}.`, { extensions: { code: ErrorCode.BAD_USER_INPUT, field: path, http: { status: 400 } } });
}

/** The caller's per-minute budget of upstream calls cannot pay for this operation: 429 with Retry-After. */
export function callerBudgetSpent(cost: number, retryAfterSeconds: number): GraphQLError {
  return new GraphQLError(
    `This caller has spent its budget of upstream calls for this minute (the operation would cost ${cost}); ` +
      `retry in ${retryAfterSeconds} s.`,
    {
      extensions: {
        code: ErrorCode.RATE_LIMITED,
        retryAfterSeconds,
        http: { status: 429, headers: new HeaderMap([["retry-after", String(retryAfterSeconds)]]) },
      },
    },
  );
}

/**
 * The one place an upstream failure (described by src/voucherify/error-mapping.ts's describeUpstreamError) becomes a
 * client-facing GraphQL error; the typed error stays its cause. Takes the description, so that the GraphQL layer's
 * errors never import the data source (config.ts and limits/ use this file).
 */
export function upstreamGraphQLError(failure: UpstreamFailure, cause: Error): GraphQLError {
  return new GraphQLError(failure.message, { extensions: { code: failure.code, ...failure.extensions }, originalError: cause });
}

/** The client's own cursor names a holder that is gone: say so, instead of the upstream's generic "invalid payload". */
export function staleCursor(argument: "after" | "before", failure: UpstreamFailure, cause: Error): GraphQLError {
  return new GraphQLError(`The "${argument}" cursor points at a holder that no longer exists; read the connection again from its start.`, {
    extensions: { code: failure.code, ...failure.extensions, field: argument },
    originalError: cause,
  });
}

/** Apollo's ensureGraphQLError: anything thrown, as a GraphQLError (a non-GraphQL error becomes its originalError). */
export function asGraphQLError(maybeError: unknown, messagePrefix = ""): GraphQLError {
  const error = maybeError instanceof Error ? maybeError : new GraphQLError(`Unexpected error value: ${String(maybeError)}`);
  return error instanceof GraphQLError ? error : new GraphQLError(messagePrefix + error.message, { originalError: error });
}

/** Apollo's UserInputError: a variable graphql-js refused (code-less) as BAD_USER_INPUT, wording and location kept. */
export function badUserInputFrom(error: GraphQLError): GraphQLError {
  return new GraphQLError(error.message, {
    nodes: error.nodes,
    originalError: error.originalError ?? error,
    extensions: { ...error.extensions, code: ErrorCode.BAD_USER_INPUT },
  });
}
