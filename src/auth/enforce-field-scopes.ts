import { defaultFieldResolver, type GraphQLFieldResolver } from "graphql";
import { describeScopes, hasScopes, type Caller } from "./caller.js";
import { forbidden } from "../errors/graphql-errors.js";
import type { SchemaRequirements } from "./schema-requirements.js";

/**
 * Wraps the resolver of every field that requires scopes, so the check runs before the resolver (and its upstream
 * read). Operations missing a scope for anything but a nullable leaf never get here (authorizeOperation refuses
 * them first); what reaches this point is personal data the caller may not see: null, with FORBIDDEN at its path.
 */
export function enforceFieldScopes(requirements: SchemaRequirements): void {
  for (const [field, requirement] of requirements.scopedFields()) {
    const resolve: GraphQLFieldResolver<unknown, unknown> = field.resolve ?? defaultFieldResolver;
    field.resolve = (source, args, context, info) => {
      const caller = (context as { caller?: Caller } | undefined)?.caller;
      if (caller && !hasScopes(caller, requirement.scopes)) {
        throw forbidden(`${info.parentType.name}.${info.fieldName} needs the scope ${describeScopes(requirement.scopes)}.`, "field");
      }
      return resolve(source, args, context, info);
    };
  }
}
