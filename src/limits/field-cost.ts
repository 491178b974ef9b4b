import type { GraphQLField, GraphQLSchema } from "graphql";
import { isInterfaceType, isObjectType } from "graphql";
import { Extensions } from "type-graphql";

/** Arguments of one field as the document gives them, variables substituted; absent ones are undefined. */
export type FieldArguments = Readonly<Record<string, unknown>>;

/**
 * What resolving one field costs upstream, declared beside the field (`@UpstreamCost(...)`) and read by
 * operation-cost.ts. A field without one costs nothing and repeats its selection once.
 */
export interface FieldCost {
  /** Upstream calls each time the field resolves; null: the resolver refuses these arguments before any call. */
  calls?: (args: FieldArguments) => number | null;
  /** How many items the lists below this field hold (a page's size, a batch's length). Default 1. */
  fetches?: (args: FieldArguments) => number;
  /** How many times the selection below runs per resolution, given the item count fetched above. Default 1. */
  repeats?: (args: FieldArguments, fetched: number) => number;
  /** Fields of one object served by one upstream read: selecting any of them costs that read once per object. */
  sharedRead?: string;
}

declare module "graphql" {
  interface GraphQLFieldExtensions<_TSource, _TContext, _TArgs> {
    upstreamCost?: FieldCost;
  }
}

/** A list field whose items are the ones fetched above it: its selection runs once per item. */
export const EACH_FETCHED_ITEM: FieldCost = { repeats: (_args, fetched) => fetched };

/**
 * Declares a field's upstream cost, on a TypeGraphQL field, field resolver, query or mutation. It lands in the
 * field's extensions; buildGatewaySchema carries it over to the served schema (@apollo/subgraph builds that one
 * from SDL, which has no extensions) with copyFieldCosts.
 */
export const UpstreamCost = (cost: FieldCost) => Extensions({ upstreamCost: cost });

/** Declares the cost of a field the code does not decorate (federation's `_entities`). */
export function declareFieldCost(field: GraphQLField<unknown, unknown>, cost: FieldCost): void {
  field.extensions = { ...field.extensions, upstreamCost: cost };
}

/**
 * Copies every declared cost from the schema TypeGraphQL built onto the same fields of `target`. Both come from
 * one build, so their coordinates agree; a cost whose field `target` lacks is an error, never a silent 0.
 */
export function copyFieldCosts(source: GraphQLSchema, target: GraphQLSchema): void {
  for (const type of Object.values(source.getTypeMap())) {
    if (!isObjectType(type) && !isInterfaceType(type)) continue;
    for (const field of Object.values(type.getFields())) {
      const cost = field.extensions.upstreamCost;
      if (!cost) continue;
      const targetType = target.getType(type.name);
      const targetField = isObjectType(targetType) || isInterfaceType(targetType) ? targetType.getFields()[field.name] : undefined;
      if (!targetField) throw new Error(`${type.name}.${field.name} has an upstream cost but is not in the served schema.`);
      declareFieldCost(targetField, cost);
    }
  }
}

/** True when some field of the schema declares a cost: a schema without any would estimate every operation at 0. */
export function hasFieldCosts(schema: GraphQLSchema): boolean {
  return Object.values(schema.getTypeMap()).some(
    (type) => (isObjectType(type) || isInterfaceType(type)) && Object.values(type.getFields()).some((f) => f.extensions.upstreamCost),
  );
}
