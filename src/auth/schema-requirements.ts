import {
  getNamedType,
  isObjectType,
  Kind,
  valueFromASTUntyped,
  type ConstDirectiveNode,
  type GraphQLField,
  type GraphQLNamedType,
  type GraphQLSchema,
} from "graphql";

/** What a field (or a type) needs from its caller, read from Federation's `@authenticated` / `@requiresScopes`. */
export interface Requirement {
  authenticated: boolean;
  /** `@requiresScopes(scopes:)`: any of the inner lists, each in full. Empty: no scope needed. */
  scopes: ReadonlyArray<ReadonlyArray<string>>;
}

/**
 * The schema's own directives are the one source of these rules: the router reads them from the SDL, and the
 * gateway reads them here, so the two can never disagree. Computed once per schema.
 */
export class SchemaRequirements {
  private readonly fields = new Map<GraphQLField<unknown, unknown>, Requirement>();
  private readonly types = new Map<GraphQLNamedType, Requirement>();

  constructor(schema: GraphQLSchema) {
    for (const type of Object.values(schema.getTypeMap())) {
      const typeRequirement = fromDirectives(type.astNode?.directives, type.extensionASTNodes);
      if (typeRequirement) this.types.set(type, typeRequirement);
      if (!isObjectType(type)) continue;
      for (const field of Object.values(type.getFields())) {
        const requirement = fromDirectives(field.astNode?.directives);
        if (requirement) this.fields.set(field, requirement);
      }
    }
  }

  /** The field's own rules together with those of the type it returns (a router applies both). */
  ofField(field: GraphQLField<unknown, unknown>): Requirement | undefined {
    return merge(this.fields.get(field), this.types.get(getNamedType(field.type)));
  }

  ofType(type: GraphQLNamedType): Requirement | undefined {
    return this.types.get(type);
  }

  /** Every field with a scope requirement of its own, for enforcement at execution. */
  scopedFields(): Array<[GraphQLField<unknown, unknown>, Requirement]> {
    return [...this.fields].filter(([, requirement]) => requirement.scopes.length > 0);
  }
}

function fromDirectives(
  directives: readonly ConstDirectiveNode[] | undefined,
  extensions: readonly { directives?: readonly ConstDirectiveNode[] }[] = [],
): Requirement | undefined {
  const all = [...(directives ?? []), ...extensions.flatMap((extension) => extension.directives ?? [])];
  let requirement: Requirement | undefined;
  for (const directive of all) {
    if (directive.name.value === "authenticated") {
      requirement = merge(requirement, { authenticated: true, scopes: [] });
    } else if (directive.name.value === "requiresScopes") {
      const argument = directive.arguments?.find((a) => a.name.value === "scopes");
      const scopes = argument && argument.value.kind === Kind.LIST ? (valueFromASTUntyped(argument.value) as string[][]) : [];
      requirement = merge(requirement, { authenticated: true, scopes });
    }
  }
  return requirement;
}

/** Both requirements must hold. Scopes of two sources combine as "one of the first's AND one of the second's". */
function merge(a: Requirement | undefined, b: Requirement | undefined): Requirement | undefined {
  if (!a) return b;
  if (!b) return a;
  const scopes =
    a.scopes.length === 0 ? b.scopes : b.scopes.length === 0 ? a.scopes : a.scopes.flatMap((x) => b.scopes.map((y) => [...x, ...y]));
  return { authenticated: a.authenticated || b.authenticated, scopes };
}
