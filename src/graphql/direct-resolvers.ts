import type { GraphQLFieldResolver } from "graphql";
import { getMetadataStorage } from "type-graphql";

type ResolverClass = new () => object;
/** What queries, mutations and field resolvers have in common in type-graphql's metadata. */
type ResolverMetadata = Pick<
  ReturnType<typeof getMetadataStorage>["queries"][number],
  "target" | "methodName" | "schemaName" | "params" | "middlewares" | "roles"
>;
type ParamMetadata = NonNullable<ResolverMetadata["params"]>[number];

/** One parameter's value from what graphql-js or graphql-jit pass a resolver; null: a kind only type-graphql serves. */
function parameterReader(param: ParamMetadata): ((root: unknown, args: Record<string, unknown>, context: unknown) => unknown) | null {
  switch (param.kind) {
    case "root":
      return param.propertyName === undefined ? (root) => root : (root) => (root as Record<string, unknown>)[param.propertyName!];
    case "args":
      return (_root, args) => args;
    case "arg":
      return (_root, args) => args[param.name];
    case "context":
      return param.propertyName === undefined
        ? (_root, _args, context) => context
        : (_root, _args, context) => (context as Record<string, unknown>)[param.propertyName!];
    default:
      return null;
  }
}

type Resolver = GraphQLFieldResolver<unknown, unknown, Record<string, unknown>>;

/** The resolver calling `method` of `instance` with its parameters read straight from the resolver's arguments. */
function directResolver(instance: object, metadata: ResolverMetadata): Resolver | null {
  if ((metadata.middlewares?.length ?? 0) > 0 || metadata.roles !== undefined) return null;
  const readers = [...(metadata.params ?? [])].sort((a, b) => a.index - b.index).map(parameterReader);
  if (readers.some((reader) => reader === null)) return null;
  const method = (instance as Record<string, (...values: unknown[]) => unknown>)[metadata.methodName].bind(instance);
  const [first, second, third] = readers as Array<(root: unknown, args: Record<string, unknown>, context: unknown) => unknown>;
  // The parameter counts this schema has, without an array per call.
  switch (readers.length) {
    case 0:
      return () => method();
    case 1:
      return (root, args, context) => method(first(root, args, context));
    case 2:
      return (root, args, context) => method(first(root, args, context), second(root, args, context));
    case 3:
      return (root, args, context) => method(first(root, args, context), second(root, args, context), third(root, args, context));
    default:
      return null;
  }
}

/**
 * Resolvers that call the resolver classes' methods directly, by GraphQL type and field, for the resolvers that
 * type-graphql would only wrap. Its wrapper, on every call (per holder and per customer field on a page), sorts the
 * parameter list, copies each root and argument into a new instance of its class and walks an empty middleware chain:
 * work for validation, middlewares and classes with methods, none of which this schema uses (it is built with
 * `validate: false`, no global middlewares, no authChecker; the argument and object classes are plain data). A resolver
 * that uses any of it (its own middlewares, roles, @Info or custom parameters) keeps type-graphql's.
 */
export function directResolvers(resolverClasses: readonly ResolverClass[]): Map<string, Map<string, Resolver>> {
  const storage = getMetadataStorage();
  const instances = new Map(resolverClasses.map((target) => [target as unknown as object, new target()]));
  const byType = new Map<string, Map<string, Resolver>>();
  const add = (typeName: string, metadata: ResolverMetadata) => {
    const instance = instances.get(metadata.target);
    const resolver = instance && directResolver(instance, metadata);
    if (!resolver) return;
    if (!byType.has(typeName)) byType.set(typeName, new Map());
    byType.get(typeName)!.set(metadata.schemaName, resolver);
  };
  for (const query of storage.queries) add("Query", query);
  for (const mutation of storage.mutations) add("Mutation", mutation);
  for (const field of storage.fieldResolvers) {
    if (field.kind !== "external") continue;
    const objectClass = field.getObjectType?.();
    const typeName = storage.objectTypes.find((type) => type.target === objectClass)?.name;
    if (typeName) add(typeName, field);
  }
  return byType;
}
