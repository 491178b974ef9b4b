import {
  buildSchema as buildSchemaFromSDL,
  GraphQLObjectType,
  Kind,
  parse,
  print,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from "graphql";
import { getMetadataStorage } from "type-graphql";
import { copyFieldCosts, declareFieldCost } from "../../src/limits/field-cost.js";
import { estimateOperationCost } from "../../src/limits/operation-cost.js";
import { buildGatewaySchema } from "../../src/graphql/schema.js";
import * as shipped from "../generated/operations.js";
import { graphql, startStack, type Stack } from "../support/stack.js";

// The admission limit (GRAPHQL_MAX_COST) and the per-caller budget trust the cost estimate; a field that reaches
// Voucherify without a declared cost would make every operation through it look free.

const MEMBER = "WELCOME-REF";

describe("declared upstream costs", () => {
  let schema: GraphQLSchema;
  beforeAll(async () => {
    schema = await buildGatewaySchema();
  });

  test("every resolver that can reach the upstream (it takes the context: the client and loaders) declares a cost", () => {
    // Found through TypeGraphQL's metadata (classes and methods), not by type or field names: a renamed type or
    // field is followed, and a new resolver that takes the context is checked without anyone listing it here.
    const storage = getMetadataStorage();
    type ClassTarget = (typeof storage.objectTypes)[number]["target"];
    const objectTypeName = (target: ClassTarget) => storage.objectTypes.find((type) => type.target === target)?.name;
    const coordinates = storage.params
      .filter((param) => param.kind === "context")
      .map(({ target, methodName }) => {
        const query = storage.queries.find((q) => q.target === target && q.methodName === methodName);
        if (query) return `Query.${query.schemaName}`;
        const mutation = storage.mutations.find((m) => m.target === target && m.methodName === methodName);
        if (mutation) return `Mutation.${mutation.schemaName}`;
        const field = storage.fieldResolvers.find((f) => f.target === target && f.methodName === methodName);
        const owner = field?.getObjectType?.();
        return `${owner ? objectTypeName(owner as ClassTarget) : "?"}.${field?.schemaName ?? methodName}`;
      });
    // Sanity: the walk above sees the resolvers (so an empty list cannot pass by accident).
    expect(coordinates).toEqual(expect.arrayContaining(["ReferralMember.holders", "Customer.email", "Mutation.addHolders"]));
    const undeclared = coordinates.filter((coordinate) => {
      const [typeName, fieldName] = coordinate.split(".") as [string, string];
      const type = schema.getType(typeName);
      return !(type instanceof GraphQLObjectType && type.getFields()[fieldName]?.extensions.upstreamCost);
    });
    expect(undeclared).toEqual([]);
  });

  test("a declared cost that does not reach the served schema is an error, not a silent 0", () => {
    const source = buildSchemaFromSDL("type Query { member: Member } type Member { holders: Int }");
    const holders = (source.getType("Member") as GraphQLObjectType).getFields().holders;
    declareFieldCost(holders, { calls: () => 1 });
    const renamed = buildSchemaFromSDL("type Query { member: ReferralMember } type ReferralMember { holders: Int }");
    expect(() => copyFieldCosts(source, renamed)).toThrow("Member.holders has an upstream cost but is not in the served schema.");
  });

  test("the estimator refuses a schema that carries no costs at all", () => {
    const bare = buildSchemaFromSDL("type Query { member: Int }");
    const document = parse("{ member }");
    expect(() => estimateOperationCost(bare, document, document.definitions[0] as OperationDefinitionNode, {})).toThrow(
      /declares no upstream costs/,
    );
  });
});

describe("the estimate bounds the upstream calls an operation really makes", () => {
  let stack: Stack;
  let schema: GraphQLSchema;
  beforeAll(async () => {
    [stack, schema] = await Promise.all([
      startStack({ env: { CACHE_HOLDERS_TTL_MS: "0", CACHE_CUSTOMERS_TTL_MS: "0" } }),
      buildGatewaySchema(),
    ]);
  });
  afterAll(() => stack.stop());

  /** Runs one operation over HTTP; returns what the estimate said and what the emulator saw. */
  async function measure(query: string, variables: Record<string, unknown> = {}) {
    const document = parse(query);
    const operation = document.definitions.find((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION)!;
    const estimate = estimateOperationCost(schema, document, operation, variables);
    stack.emulator.resetRequests();
    const response = await graphql(stack.gateway.url, query, variables);
    expect(response.errors).toBeUndefined();
    return { estimate, calls: stack.emulator.requests.length };
  }

  const customerField = (field: string) =>
    `{ referralMember(memberId: "${MEMBER}") { holders(first: 3) { nodes { customer { ${field} } } } } }`;

  test.each([
    ["a page without customers", `{ referralMember(memberId: "${MEMBER}") { holders(first: 5) { totalCount } } }`, {}],
    ...["sourceId", "name", "email", "phone"].map((field) => [`Customer.${field}`, customerField(field), {}] as const),
    ["a shipped forward page", print(shipped.ReferralHoldersDocument), { memberId: MEMBER, first: 4 }],
    ["a shipped backward page", print(shipped.ReferralHoldersBackwardDocument), { memberId: MEMBER, last: 4 }],
    ["a shipped filtered page", print(shipped.FilteredHoldersDocument), { memberId: MEMBER, filter: { roles: ["REFEREE"] } }],
  ] as Array<readonly [string, string, Record<string, unknown>]>)("%s", async (_name, query, variables) => {
    const { estimate, calls } = await measure(query, variables);
    expect(calls).toBeGreaterThan(0);
    expect(estimate).toBeGreaterThanOrEqual(calls);
  });

  test("federation's _entities", async () => {
    const firstHolder = `{ referralMember(memberId: "${MEMBER}") { holders(first: 1) { nodes { customerId } } } }`;
    const page = await graphql(stack.gateway.url, firstHolder);
    const customerId = page.data.referralMember.holders.nodes[0].customerId as string;
    const query = `query($r: [_Any!]!) {
      _entities(representations: $r) { ... on Customer { email } ... on ReferralMember { holders { totalCount } } }
    }`;
    const { estimate, calls } = await measure(query, {
      r: [
        { __typename: "ReferralMember", id: MEMBER },
        { __typename: "Customer", id: customerId },
      ],
    });
    expect(calls).toBe(2);
    expect(estimate).toBeGreaterThanOrEqual(calls);
  });

  test("the shipped mutations", async () => {
    const added = await measure(print(shipped.AddHoldersDocument), { input: { memberId: MEMBER, holders: [{ sourceId: "cost-1" }] } });
    expect(added.calls).toBeGreaterThan(0);
    expect(added.estimate).toBeGreaterThanOrEqual(added.calls);
    const list = await graphql(stack.gateway.url, `{ referralMember(memberId: "${MEMBER}") { holders(last: 1) { nodes { id } } } }`);
    const holderId = list.data.referralMember.holders.nodes[0].id as string;
    const removed = await measure(print(shipped.RemoveHolderDocument), { input: { memberId: MEMBER, holderId } });
    expect(removed.calls).toBeGreaterThan(0);
    expect(removed.estimate).toBeGreaterThanOrEqual(removed.calls);
  });
});
