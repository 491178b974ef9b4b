import type { GraphQLError } from "graphql";
import { RequestErrorCode } from "../errors/error-codes.js";

/**
 * Apollo Server 5 raises two automatic-persisted-query errors without an `extensions.code` (requestPipeline.js:
 * "provided sha does not match query" and "Unsupported persisted query version", both HTTP 400). Its error
 * normaliser then labels them INTERNAL_SERVER_ERROR, which made a client's wrong hash look like a gateway bug
 * (an error-level log with a stack; masked in production). They are the client's bad request: BAD_REQUEST.
 */
const CODELESS_APQ_ERRORS = new Set(["provided sha does not match query", "Unsupported persisted query version"]);

/** The code Apollo should have given a request-level error it raised without one, or undefined. */
export function apolloRequestErrorCode(error: GraphQLError): string | undefined {
  if (error.extensions?.code !== undefined || error.originalError) return undefined;
  return CODELESS_APQ_ERRORS.has(error.message) ? RequestErrorCode.BAD_REQUEST : undefined;
}
