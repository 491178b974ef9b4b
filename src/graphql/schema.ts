import { buildSubgraphSchema } from "@apollo/subgraph";
import { printSchemaWithDirectives } from "@graphql-tools/utils";
import { Kind, parse, type DocumentNode, type GraphQLSchema } from "graphql";
import { buildSchema, createResolversMap } from "type-graphql";
import { enforceFieldScopes } from "../auth/enforce-field-scopes.js";
import { SchemaRequirements } from "../auth/schema-requirements.js";
import { badUserInput } from "../errors/graphql-errors.js";
import { copyFieldCosts, declareFieldCost } from "../limits/field-cost.js";
import { directResolvers } from "./direct-resolvers.js";
import { MAX_ENTITY_REPRESENTATIONS } from "../limits/operation-limits.js";
import { CustomerResolver } from "../referrals/customer.resolver.js";
import type { Customer } from "../referrals/customer.type.js";
import { HolderMutationsResolver } from "../referrals/holder-mutations.resolver.js";
import { ReferralHolderResolver } from "../referrals/referral-holder.resolver.js";
import { ReferralMemberResolver } from "../referrals/referral-member.resolver.js";
import type { ReferralMember } from "../referrals/referral-member.type.js";
import { checkId } from "../referrals/check-input.js";
import { mapUpstreamErrors } from "../referrals/upstream-error-to-graphql.js";

/** Federation 2 version this subgraph declares; composition with any router that knows v2.7 or later. */
export const FEDERATION_LINK =
  'extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", ' +
  'import: ["@key", "@shareable", "@authenticated", "@requiresScopes"])';

/**
 * The resolver map buildSubgraphSchema takes, read from its public signature: @apollo/subgraph exports no name for
 * this type (its GraphQLResolverMap lives in `dist/schema-helper/`, which is no public entry point of the package).
 */
type SubgraphResolverMap = NonNullable<Extract<Parameters<typeof buildSubgraphSchema>[0], { typeDefs: unknown }>["resolvers"]>;

const resolvers = [ReferralMemberResolver, ReferralHolderResolver, CustomerResolver, HolderMutationsResolver] as const;

/**
 * type-graphql builds the types and resolvers; @apollo/subgraph turns them into a Federation 2 subgraph
 * (`_service`, `_entities`). graphql's printSchema drops `@key`, hence printSchemaWithDirectives.
 */
export async function buildGatewaySchema(): Promise<GraphQLSchema> {
  const typeGraphQLSchema = await buildSchema({ resolvers, skipCheck: true, validate: false });
  const typeDefs = describeRootTypes(parse(`${FEDERATION_LINK}\n\n${printSchemaWithDirectives(typeGraphQLSchema)}`));
  const resolverMap = createResolversMap(typeGraphQLSchema) as SubgraphResolverMap;
  for (const [typeName, fields] of directResolvers(resolvers)) {
    const typeResolvers = resolverMap[typeName] as Record<string, unknown> | undefined;
    for (const [fieldName, resolve] of fields) if (typeResolvers && fieldName in typeResolvers) typeResolvers[fieldName] = resolve;
  }
  const schema = buildSubgraphSchema({
    typeDefs,
    resolvers: {
      ...resolverMap,
      // Entity references cost no upstream call: holders and customer fields are read when selected.
      ReferralMember: {
        ...(resolverMap.ReferralMember as object),
        __resolveReference: (reference: { id: string }): ReferralMember => ({ id: reference.id, campaignId: null }),
      },
      Customer: {
        ...(resolverMap.Customer as object),
        __resolveReference: (reference: { id: string }): Customer => ({ id: reference.id }),
      },
    },
  });
  copyFieldCosts(typeGraphQLSchema, schema);
  const entities = schema.getQueryType()?.getFields()._entities;
  // Routers batch entities: what is selected below runs once per representation.
  if (entities) declareFieldCost(entities, { repeats: (args) => (Array.isArray(args.representations) ? args.representations.length : 1) });
  guardEntityRepresentations(schema);
  enforceFieldScopes(new SchemaRequirements(schema));
  // Last, so that it wraps everything above: every resolver's upstream failures become the error table's errors.
  mapUpstreamErrors(schema);
  return schema;
}

const ROOT_TYPE_DESCRIPTIONS: Record<string, string> = {
  Query: "Reads. Entry point: `referralMember`, whose `holders` connection pages a referral code's holders.",
  Mutation: "Writes: add referees to a referral code, or remove one. Each payload re-reads the member's holders.",
};

/** type-graphql takes no description for the root types; they get theirs here, so clients see them too. */
function describeRootTypes(document: DocumentNode): DocumentNode {
  const definitions = document.definitions.map((definition) =>
    definition.kind === Kind.OBJECT_TYPE_DEFINITION && ROOT_TYPE_DESCRIPTIONS[definition.name.value]
      ? { ...definition, description: { kind: Kind.STRING as const, value: ROOT_TYPE_DESCRIPTIONS[definition.name.value] } }
      : definition,
  );
  return { ...document, definitions };
}

const ENTITY_TYPES = new Set(["ReferralMember", "Customer"]);

/**
 * `_entities` takes raw JSON from routers (or anyone who can reach the subgraph). @apollo/subgraph answers a
 * representation without `id` or of an unknown type with an internal error; check them first and answer
 * BAD_USER_INPUT naming the representation, as for every other input.
 */
function guardEntityRepresentations(schema: GraphQLSchema): void {
  const field = schema.getQueryType()?.getFields()._entities;
  const resolve = field?.resolve;
  if (!field || !resolve) return;
  field.resolve = (source, args: { representations?: unknown[] }, context, info) => {
    const count = args.representations?.length ?? 0;
    if (count > MAX_ENTITY_REPRESENTATIONS) {
      throw badUserInput(`representations takes at most ${MAX_ENTITY_REPRESENTATIONS} entries; got ${count}.`, "representations");
    }
    (args.representations ?? []).forEach((representation, index) => {
      const where = `representations[${index}]`;
      const value = representation as { __typename?: unknown; id?: unknown } | null;
      if (typeof value?.__typename !== "string" || !ENTITY_TYPES.has(value.__typename)) {
        throw badUserInput(`${where}.__typename must be one of ${[...ENTITY_TYPES].join(", ")}.`, where);
      }
      if (typeof value.id !== "string") throw badUserInput(`${where}.id must be a string.`, `${where}.id`);
      checkId(value.id, `${where}.id`);
    });
    return resolve(source, args, context, info);
  };
}
