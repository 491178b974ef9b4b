import type { ApolloServerPlugin } from "@apollo/server";
import { GraphQLError, type GraphQLFormattedError } from "graphql";
import type { GatewayContext } from "../request-context/gateway-context.js";
import { errorCodeOf, KNOWN_ERROR_CODES, UNEXPECTED_ERROR_CODE } from "../errors/error-codes.js";
import type { Logger } from "../observability/logger.js";
import { apolloRequestErrorCode } from "./apollo-request-errors.js";

export const MASKED_MESSAGE = "Unexpected error in the gateway.";

function isUnexpected(error: GraphQLFormattedError): boolean {
  return !KNOWN_ERROR_CODES.has(errorCodeOf(error));
}

/**
 * For ApolloServer's `formatError`: the code Apollo left out of its own request errors (apollo-request-errors.ts),
 * so clients see BAD_REQUEST rather than INTERNAL_SERVER_ERROR.
 */
export function formatApolloRequestError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
  const code = error instanceof GraphQLError ? apolloRequestErrorCode(error) : undefined;
  return code ? { ...formatted, extensions: { ...formatted.extensions, code } } : formatted;
}

/** Unexpected errors (bugs, not the error table) are logged in full with the request id. Both execution paths. */
export function logUnexpectedErrors(errors: readonly GraphQLError[], requestId: string | undefined, logger: Logger): void {
  for (const error of errors) {
    if (KNOWN_ERROR_CODES.has(apolloRequestErrorCode(error) ?? errorCodeOf(error))) continue;
    logger.error({ requestId, err: error.originalError ?? error, path: error.path }, "unexpected error");
  }
}

/**
 * What clients see of formatted errors when masking is on: unexpected ones only as a stable message plus the request
 * id as `correlationId`. Returns the same array when nothing needs masking. Both execution paths.
 */
export function maskUnexpectedErrors(errors: GraphQLFormattedError[], requestId: string | undefined): GraphQLFormattedError[] {
  if (!errors.some(isUnexpected)) return errors;
  return errors.map((error) =>
    isUnexpected(error)
      ? {
          message: MASKED_MESSAGE,
          ...(error.path ? { path: error.path } : {}),
          ...(error.locations ? { locations: error.locations } : {}),
          extensions: { code: UNEXPECTED_ERROR_CODE, correlationId: requestId },
        }
      : error,
  );
}

/**
 * Unexpected errors (bugs, not the error table) are logged in full with the request id, and, when `mask` is on,
 * reach the client only as a stable message plus that id as `correlationId`.
 */
export function errorMaskingPlugin(options: { mask: boolean; logger: Logger }): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart() {
      return {
        async didEncounterErrors({ errors, contextValue }) {
          logUnexpectedErrors(errors, contextValue?.requestId, options.logger);
        },
        async willSendResponse({ response, contextValue }) {
          if (!options.mask || response.body.kind !== "single") return;
          const result = response.body.singleResult;
          if (result.errors) result.errors = maskUnexpectedErrors(result.errors as GraphQLFormattedError[], contextValue?.requestId);
        },
      };
    },
  };
}
