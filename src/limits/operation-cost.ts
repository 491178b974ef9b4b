import {
  getNamedType,
  isObjectType,
  isInterfaceType,
  Kind,
  valueFromASTUntyped,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLNamedType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from "graphql";
import { UPSTREAM_PAGE_LIMIT } from "../referrals/read-holders.js";
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from "../relay/page-request.js";
import { MAX_HOLDERS_PER_CALL } from "../referrals/validate-input.js";

/**
 * Static estimate of the upstream calls one operation can make, from the document and its variables, worst case:
 * - `ReferralMember.holders(first|last: n)` costs ceil(n / 100) list calls (pages above 100 are chained), n = 10
 *   when neither is given; a size the resolver refuses (below 0, above 500) costs nothing, it never goes upstream.
 * - a `Customer` selection with any field but `id` costs one customer read per customer node (the loader dedupes
 *   repeated customers, the estimate does not count on it).
 * - each `addHolders` / `removeHolder` costs 1.
 * - everything under a list multiplies by its length: a holders page by n, `addHolders.holders` by the number of
 *   input holders, `_entities` by the number of representations.
 * Aliases and fragments repeat fields, so they repeat the cost: that is what the estimate is for.
 */
export function estimateOperationCost(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Record<string, unknown> | undefined,
): number {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  const values: Record<string, unknown> = {};
  for (const definition of operation.variableDefinitions ?? []) {
    const name = definition.variable.name.value;
    if (variables && name in variables) values[name] = variables[name];
    else if (definition.defaultValue) values[name] = valueFromASTUntyped(definition.defaultValue);
  }
  const argument = (field: FieldNode, name: string): unknown => {
    const node = field.arguments?.find((a) => a.name.value === name);
    return node ? valueFromASTUntyped(node.value, values) : undefined;
  };

  /** Field names selected directly on one type, through fragments (for "does this Customer need a read?"). */
  const selectedNames = (selectionSet: SelectionSetNode, names: Set<string>, seen: Set<string>): Set<string> => {
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.FIELD) names.add(selection.name.value);
      else if (selection.kind === Kind.INLINE_FRAGMENT) selectedNames(selection.selectionSet, names, seen);
      else if (!seen.has(selection.name.value)) {
        seen.add(selection.name.value);
        const fragment = fragments.get(selection.name.value);
        if (fragment) selectedNames(fragment.selectionSet, names, seen);
      }
    }
    return names;
  };
  const customerReads = (selectionSet: SelectionSetNode | undefined): number => {
    if (!selectionSet) return 0;
    return [...selectedNames(selectionSet, new Set(), new Set())].some((n) => n !== "id" && n !== "__typename") ? 1 : 0;
  };

  // A fragment's cost per unit of multiplier, computed once per (fragment, type, list size): cost is linear in the
  // multiplier, and walking a fragment at every spread would cost 2^n for n nested fragments spread twice each.
  // In-progress fragments count 0, so a cycle (refused by validation anyway) cannot recurse forever.
  const fragmentUnitCost = new Map<string, number>();

  // `listSize`: how many items the list fields of this selection set hold (set by the field that fetched them).
  const costOf = (selectionSet: SelectionSetNode, type: GraphQLNamedType, multiplier: number, listSize: number): number => {
    let cost = 0;
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.INLINE_FRAGMENT) {
        const target = selection.typeCondition ? schema.getType(selection.typeCondition.name.value) ?? type : type;
        if (target.name === "Customer" && type.name !== "Customer") cost += multiplier * customerReads(selection.selectionSet);
        cost += costOf(selection.selectionSet, target, multiplier, listSize);
        continue;
      }
      if (selection.kind === Kind.FRAGMENT_SPREAD) {
        const fragment = fragments.get(selection.name.value);
        if (!fragment) continue;
        const target = schema.getType(fragment.typeCondition.name.value) ?? type;
        const key = `${fragment.name.value}|${type.name}|${listSize}`;
        let unit = fragmentUnitCost.get(key);
        if (unit === undefined) {
          fragmentUnitCost.set(key, 0);
          unit = (target.name === "Customer" && type.name !== "Customer" ? customerReads(fragment.selectionSet) : 0) +
            costOf(fragment.selectionSet, target, 1, listSize);
          fragmentUnitCost.set(key, unit);
        }
        cost += multiplier * unit;
        continue;
      }
      if (!isObjectType(type) && !isInterfaceType(type)) continue;
      const definition = type.getFields()[selection.name.value];
      if (!definition) continue; // __typename, or a field validation has already refused
      const fieldType = getNamedType(definition.type);
      let childMultiplier = multiplier;
      let childListSize = 1;
      switch (`${type.name}.${selection.name.value}`) {
        case "ReferralMember.holders": {
          const size = pageSize(argument(selection, "first"), argument(selection, "last"));
          if (size === null) continue;
          cost += multiplier * Math.ceil(Math.max(1, size) / UPSTREAM_PAGE_LIMIT);
          childListSize = size;
          break;
        }
        case "HolderConnection.edges":
        case "HolderConnection.nodes":
        case "AddHoldersPayload.holders":
          childMultiplier = multiplier * listSize;
          break;
        case "Mutation.addHolders": {
          cost += multiplier;
          const holders = (argument(selection, "input") as { holders?: unknown } | undefined)?.holders;
          childListSize = Array.isArray(holders) ? Math.min(holders.length, MAX_HOLDERS_PER_CALL) : MAX_HOLDERS_PER_CALL;
          break;
        }
        case "Mutation.removeHolder":
          cost += multiplier;
          break;
        case "Query._entities": {
          const representations = argument(selection, "representations");
          childMultiplier = multiplier * (Array.isArray(representations) ? representations.length : 1);
          break;
        }
      }
      if (fieldType.name === "Customer" && type.name !== "Customer") cost += childMultiplier * customerReads(selection.selectionSet);
      if (selection.selectionSet) cost += costOf(selection.selectionSet, fieldType, childMultiplier, childListSize);
    }
    return cost;
  };

  const root = schema.getRootType(operation.operation);
  return root ? costOf(operation.selectionSet, root, 1, 1) : 0;
}

/** The holders page size the resolver would use, or null when it would refuse the arguments without a call. */
function pageSize(first: unknown, last: unknown): number | null {
  const given = first ?? last;
  if (given === undefined || given === null) return DEFAULT_PAGE_SIZE;
  if (typeof given !== "number" || !Number.isInteger(given) || given < 0 || given > MAX_PAGE_SIZE) return null;
  return given;
}
