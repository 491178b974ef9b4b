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
import { hasFieldCosts, type FieldArguments } from "./field-cost.js";

/**
 * Static estimate of the upstream calls one operation can make, from the document and its variables, worst case,
 * from the costs declared beside the fields (`@UpstreamCost`, field-cost.ts). Today that means:
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
  checkCostsDeclared(schema);
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
  const argumentsOf = (field: FieldNode): FieldArguments =>
    Object.fromEntries((field.arguments ?? []).map((node) => [node.name.value, valueFromASTUntyped(node.value, values)]));

  /** Field names selected directly on one type, through fragments (which shared reads it needs). */
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
  /** Shared upstream reads (one per object, `sharedRead`) that a selection on `type` needs. */
  const sharedReads = (selectionSet: SelectionSetNode | undefined, type: GraphQLNamedType): number => {
    if (!selectionSet || (!isObjectType(type) && !isInterfaceType(type))) return 0;
    const fields = type.getFields();
    const reads = new Set<string>();
    for (const name of selectedNames(selectionSet, new Set(), new Set())) {
      const read = fields[name]?.extensions.upstreamCost?.sharedRead;
      if (read) reads.add(read);
    }
    return reads.size;
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
        const target = selection.typeCondition ? (schema.getType(selection.typeCondition.name.value) ?? type) : type;
        if (target !== type) cost += multiplier * sharedReads(selection.selectionSet, target);
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
          unit = (target !== type ? sharedReads(fragment.selectionSet, target) : 0) + costOf(fragment.selectionSet, target, 1, listSize);
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
      const declared = definition.extensions.upstreamCost;
      if (declared) {
        const args = argumentsOf(selection);
        const calls = declared.calls ? declared.calls(args) : 0;
        if (calls === null) continue;
        cost += multiplier * calls;
        if (declared.repeats) childMultiplier = multiplier * declared.repeats(args, listSize);
        if (declared.fetches) childListSize = declared.fetches(args);
      }
      if (fieldType !== type) cost += childMultiplier * sharedReads(selection.selectionSet, fieldType);
      if (selection.selectionSet) cost += costOf(selection.selectionSet, fieldType, childMultiplier, childListSize);
    }
    return cost;
  };

  const root = schema.getRootType(operation.operation);
  return root ? costOf(operation.selectionSet, root, 1, 1) : 0;
}

const checkedSchemas = new WeakSet<GraphQLSchema>();

/** A schema built without the declared costs would estimate every operation at 0: refuse it instead. */
function checkCostsDeclared(schema: GraphQLSchema): void {
  if (checkedSchemas.has(schema)) return;
  if (!hasFieldCosts(schema)) throw new Error("The schema declares no upstream costs: build it with buildGatewaySchema.");
  checkedSchemas.add(schema);
}
