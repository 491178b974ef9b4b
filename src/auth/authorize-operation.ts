import {
  getArgumentValues,
  getNamedType,
  isCompositeType,
  isLeafType,
  isNonNullType,
  isObjectType,
  isInterfaceType,
  Kind,
  type DocumentNode,
  type FieldNode,
  type GraphQLField,
  type GraphQLNamedType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from "graphql";
import { isJsonObject } from "../json-object.js";
import { forbidden, unauthenticated } from "../graphql-errors.js";
import { describeScopes, hasScopes, mayTouchMember, type Caller } from "./caller.js";
import type { Requirement, SchemaRequirements } from "./schema-requirements.js";

/**
 * Checks a whole operation against its caller before anything executes, so a refused operation makes no upstream
 * call at all (not even for its permitted siblings):
 * - a field or type with `@authenticated` / `@requiresScopes` needs a verified caller (else 401 UNAUTHENTICATED);
 * - a missing scope refuses the operation (403 FORBIDDEN), except on a nullable leaf field (customer personal
 *   data): those are left to execution, which answers null with FORBIDDEN at their path and keeps the rest;
 * - every member the operation names (an argument or input field `memberId`, or a ReferralMember representation)
 *   must be in the caller's `referral_members`; a restricted caller cannot look customers up by id through
 *   `_entities`, since nothing proves those customers hold one of its members;
 * - `_service` is for the router only.
 */
export function authorizeOperation(
  schema: GraphQLSchema,
  requirements: SchemaRequirements,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Record<string, unknown> | undefined,
  caller: Caller,
): void {
  const fragments = new Map(document.definitions.flatMap((d) => (d.kind === Kind.FRAGMENT_DEFINITION ? [[d.name.value, d] as const] : [])));
  const visited = new Set<string>();
  const check = (requirement: Requirement | undefined, what: string, redactable: boolean) => {
    if (!requirement) return;
    if (!caller.authenticated) throw unauthenticated(`${what} needs an authenticated caller: send Authorization: Bearer <token>.`);
    if (!redactable && !hasScopes(caller, requirement.scopes)) {
      throw forbidden(`${what} needs the scope ${describeScopes(requirement.scopes)}.`, "operation");
    }
  };
  const walk = (selectionSet: SelectionSetNode, type: GraphQLNamedType) => {
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.INLINE_FRAGMENT) {
        const target = selection.typeCondition ? (schema.getType(selection.typeCondition.name.value) ?? type) : type;
        check(requirements.ofType(target), target.name, false);
        walk(selection.selectionSet, target);
      } else if (selection.kind === Kind.FRAGMENT_SPREAD) {
        const fragment = fragments.get(selection.name.value);
        if (!fragment || visited.has(fragment.name.value)) continue;
        visited.add(fragment.name.value);
        const target = schema.getType(fragment.typeCondition.name.value) ?? type;
        check(requirements.ofType(target), target.name, false);
        walk(fragment.selectionSet, target);
      } else if (isObjectType(type) || isInterfaceType(type)) {
        const field = type.getFields()[selection.name.value];
        if (!field) continue; // __typename and introspection, or a field validation already refused
        const what = `${type.name}.${field.name}`;
        if (field.name === "_service" && type === schema.getQueryType() && !caller.router) {
          throw forbidden("_service is served to the federation router only (X-Router-Secret).", "operation");
        }
        const redactable = isLeafType(getNamedType(field.type)) && !isNonNullType(field.type);
        check(requirements.ofField(field), what, redactable);
        if (caller.members !== null) checkMembers(field, selection, variables, caller, what);
        const named = getNamedType(field.type);
        if (selection.selectionSet && isCompositeType(named)) walk(selection.selectionSet, named);
      }
    }
  };
  const root = schema.getRootType(operation.operation);
  if (root) walk(operation.selectionSet, root);
}

/**
 * The public contract names a member `memberId` wherever one is chosen (the query's argument, each mutation's
 * input), so the rule keys on that name rather than on a list of fields that could drift from the schema.
 */
function checkMembers(
  field: GraphQLField<unknown, unknown>,
  node: FieldNode,
  variables: Record<string, unknown> | undefined,
  caller: Caller,
  what: string,
): void {
  if (!field.args.length) return;
  let args: Record<string, unknown>;
  try {
    args = getArgumentValues(field, node, variables);
  } catch {
    return; // execution reports the bad argument itself, before any upstream call
  }
  const named: unknown[] = [args.memberId];
  for (const value of Object.values(args)) {
    if (isJsonObject(value)) named.push(value.memberId);
  }
  if (field.name === "_entities" && Array.isArray(args.representations)) {
    for (const representation of args.representations as Array<{ __typename?: unknown; id?: unknown }>) {
      if (representation?.__typename === "ReferralMember") named.push(representation.id);
      else
        throw forbidden(
          `${what}: this caller may read only its own referral members, not look up ${String(representation?.__typename)} by id.`,
          "operation",
        );
    }
  }
  for (const memberId of named) {
    if (typeof memberId === "string" && !mayTouchMember(caller, memberId)) {
      throw forbidden(`This caller may not use the referral member "${memberId}".`, "operation");
    }
  }
}
