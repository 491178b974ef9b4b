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
import { isJsonObject, type JsonObject } from "../lib/json-object.js";
import { forbidden, unauthenticated } from "../errors/graphql-errors.js";
import { describeScopes, hasScopes, mayTouchMember, type Caller } from "./caller.js";
import type { Requirement, SchemaRequirements } from "./schema-requirements.js";

/** One check of an operation against its caller, in the order the operation's selections name them. */
type AuthorizationStep =
  | { kind: "requirement"; requirement: Requirement; what: string; redactable: boolean }
  | { kind: "router-only" }
  | { kind: "members"; field: GraphQLField<unknown, unknown>; node: FieldNode; what: string };

/** What an operation asks of its caller: a pure function of the document, worked out once per operation. */
export type AuthorizationPlan = readonly AuthorizationStep[];

/**
 * The checks an operation needs, found by walking its selections (fragments once each): what depends only on the
 * document, so a trusted document has its plan made at start and any other operation once per parsed document.
 */
export function authorizationPlan(
  schema: GraphQLSchema,
  requirements: SchemaRequirements,
  document: DocumentNode,
  operation: OperationDefinitionNode,
): AuthorizationPlan {
  const fragments = new Map(document.definitions.flatMap((d) => (d.kind === Kind.FRAGMENT_DEFINITION ? [[d.name.value, d] as const] : [])));
  const visited = new Set<string>();
  const steps: AuthorizationStep[] = [];
  const require = (requirement: Requirement | undefined, what: string, redactable: boolean) => {
    if (requirement) steps.push({ kind: "requirement", requirement, what, redactable });
  };
  const walk = (selectionSet: SelectionSetNode, type: GraphQLNamedType) => {
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.INLINE_FRAGMENT) {
        const target = selection.typeCondition ? (schema.getType(selection.typeCondition.name.value) ?? type) : type;
        require(requirements.ofType(target), target.name, false);
        walk(selection.selectionSet, target);
      } else if (selection.kind === Kind.FRAGMENT_SPREAD) {
        const fragment = fragments.get(selection.name.value);
        if (!fragment || visited.has(fragment.name.value)) continue;
        visited.add(fragment.name.value);
        const target = schema.getType(fragment.typeCondition.name.value) ?? type;
        require(requirements.ofType(target), target.name, false);
        walk(fragment.selectionSet, target);
      } else if (isObjectType(type) || isInterfaceType(type)) {
        const field = type.getFields()[selection.name.value];
        if (!field) continue; // __typename and introspection, or a field validation already refused
        const what = `${type.name}.${field.name}`;
        if (field.name === "_service" && type === schema.getQueryType()) steps.push({ kind: "router-only" });
        require(requirements.ofField(field), what, isLeafType(getNamedType(field.type)) && !isNonNullType(field.type));
        if (field.args.length > 0) steps.push({ kind: "members", field, node: selection, what });
        const named = getNamedType(field.type);
        if (selection.selectionSet && isCompositeType(named)) walk(selection.selectionSet, named);
      }
    }
  };
  const root = schema.getRootType(operation.operation);
  if (root) walk(operation.selectionSet, root);
  return steps;
}

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
export function authorizeOperation(plan: AuthorizationPlan, variables: Record<string, unknown> | undefined, caller: Caller): void {
  for (const step of plan) {
    if (step.kind === "requirement") {
      const { requirement, what } = step;
      if (!caller.authenticated) throw unauthenticated(`${what} needs an authenticated caller: send Authorization: Bearer <token>.`);
      if (!step.redactable && !hasScopes(caller, requirement.scopes)) {
        throw forbidden(`${what} needs the scope ${describeScopes(requirement.scopes)}.`, "operation");
      }
    } else if (step.kind === "router-only") {
      if (!caller.router) throw forbidden("_service is served to the federation router only (X-Router-Secret).", "operation");
    } else if (caller.members !== null) {
      checkMembers(step.field, step.node, variables, caller, step.what);
    }
  }
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
    const representations: unknown[] = args.representations;
    for (const representation of representations) {
      const fields: JsonObject = isJsonObject(representation) ? representation : {};
      if (fields.__typename === "ReferralMember") named.push(fields.id);
      else
        throw forbidden(
          `${what}: this caller may read only its own referral members, not look up ${String(fields.__typename)} by id.`,
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
