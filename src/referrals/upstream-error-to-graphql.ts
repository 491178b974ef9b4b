import { isObjectType, type GraphQLFieldResolver, type GraphQLSchema } from "graphql";
import { upstreamGraphQLError } from "../errors/graphql-errors.js";
import { describeUpstreamError } from "../voucherify/error-mapping.js";
import { UpstreamError } from "../voucherify/upstream-errors.js";

// The GraphQL layer's edge for data-source failures, for every resolver at once: a resolver (or anything it awaits)
// that fails with a typed upstream error answers with the error table's GraphQL error (src/errors/graphql-errors.ts), so no
// resolver can forget to map one (a forgotten one would turn NOT_FOUND into a masked internal error). Anything else
// (a bug) passes untouched, to be logged with its stack and masked for clients as unexpected.

function rethrowAsGraphQLError(error: unknown): never {
  throw error instanceof UpstreamError ? upstreamGraphQLError(describeUpstreamError(error), error) : error;
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as { then?: unknown } | null)?.then === "function";
}

/**
 * Wraps every field resolver of the schema in place (graphql-js and graphql-jit both read `field.resolve`). Fields
 * without one (the default resolver reads a property) cannot fail with an upstream error and stay as they are.
 */
export function mapUpstreamErrors(schema: GraphQLSchema): void {
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith("__")) continue;
    for (const field of Object.values(type.getFields())) {
      const resolve: GraphQLFieldResolver<unknown, unknown> | undefined = field.resolve;
      if (!resolve) continue;
      field.resolve = (source, args, context, info) => {
        try {
          const result = resolve(source, args, context, info);
          return isThenable(result) ? result.then(undefined, rethrowAsGraphQLError) : result;
        } catch (error) {
          return rethrowAsGraphQLError(error);
        }
      };
    }
  }
}
