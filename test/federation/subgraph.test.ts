import { readFileSync } from "node:fs";
import { SEED, demoRefereeCustomerId } from "../../src/emulator/seed.js";
import { FEDERATION_LINK } from "../../src/graphql/schema.js";
import { graphql, startStack, type Stack } from "../support/stack.js";

// What a Federation 2 router sees of this subgraph: its SDL through `_service`, and entity references through
// `_entities`, with the upstream cost of each (counted on the emulator's request log).

const ENTITIES = /* GraphQL */ `
  query Entities($representations: [_Any!]!) {
    _entities(representations: $representations) {
      __typename
      ... on ReferralMember {
        id
        campaignId
      }
      ... on Customer {
        id
      }
    }
  }
`;

const MEMBER_HOLDERS = /* GraphQL */ `
  query MemberHolders($representations: [_Any!]!) {
    _entities(representations: $representations) {
      ... on ReferralMember {
        id
        holders(first: 2) {
          totalCount
          edges {
            node {
              customerId
            }
          }
        }
      }
    }
  }
`;

const CUSTOMER_FIELDS = /* GraphQL */ `
  query CustomerFields($representations: [_Any!]!) {
    _entities(representations: $representations) {
      ... on Customer {
        id
        sourceId
        name
        email
      }
    }
  }
`;

const UNKNOWN_CUSTOMER_ID = "cust_doesNotExist000000000000";

describe("Federation 2 subgraph", () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(() => stack.stop());
  beforeEach(() => stack.emulator.resetRequests());

  const upstreamPaths = (prefix: string) => stack.emulator.requests.filter((r) => r.path.startsWith(prefix)).map((r) => r.path);

  test("_service { sdl } over HTTP is the committed schema/schema.graphql, byte for byte", async () => {
    const response = await graphql<{ _service: { sdl: string } }>(stack.gateway.graphqlUrl, "{ _service { sdl } }");
    expect(response.errors).toBeUndefined();
    const sdl = response.data?._service.sdl ?? "";
    // A Fed 2 subgraph serves its SDL with the federation definitions it links (directive @key, scalar _Any,
    // _entities, ...): that is what routers and `rover subgraph introspect` see, so that is what is committed.
    expect(sdl).toBe(readFileSync("schema/schema.graphql", "utf8"));
    expect(sdl).toContain(FEDERATION_LINK.replace(/^extend schema /, "extend schema\n  "));
    expect(sdl).toContain('type ReferralMember\n  @key(fields: "id")');
    expect(sdl).toContain('type Customer\n  @key(fields: "id")');
    expect(sdl).toContain("type PageInfo\n  @shareable");
    expect(stack.emulator.requests).toEqual([]);
  });

  test("_entities resolves ReferralMember and Customer references with no upstream call", async () => {
    const response = await graphql(stack.gateway.graphqlUrl, ENTITIES, {
      representations: [
        { __typename: "ReferralMember", id: SEED.code },
        { __typename: "ReferralMember", id: SEED.otherVoucherId },
        { __typename: "Customer", id: SEED.referrerCustomerId },
        { __typename: "Customer", id: UNKNOWN_CUSTOMER_ID },
      ],
    });
    expect(response).toMatchObject({ status: 200 });
    expect(response.errors).toBeUndefined();
    expect(response.data).toEqual({
      _entities: [
        { __typename: "ReferralMember", id: SEED.code, campaignId: null },
        { __typename: "ReferralMember", id: SEED.otherVoucherId, campaignId: null },
        { __typename: "Customer", id: SEED.referrerCustomerId },
        { __typename: "Customer", id: UNKNOWN_CUSTOMER_ID },
      ],
    });
    expect(stack.emulator.requests).toEqual([]);
  });

  test("selecting holders on ReferralMember entities costs one upstream list per member", async () => {
    const response = await graphql(stack.gateway.graphqlUrl, MEMBER_HOLDERS, {
      representations: [
        { __typename: "ReferralMember", id: SEED.code },
        { __typename: "ReferralMember", id: SEED.otherCode },
      ],
    });
    expect(response.errors).toBeUndefined();
    expect(response.data).toEqual({
      _entities: [
        {
          id: SEED.code,
          holders: {
            totalCount: SEED.refereeCount + 1,
            edges: [{ node: { customerId: SEED.referrerCustomerId } }, { node: { customerId: demoRefereeCustomerId(1) } }],
          },
        },
        {
          id: SEED.otherCode,
          holders: {
            totalCount: SEED.otherRefereeCount + 1,
            edges: [{ node: { customerId: SEED.otherReferrerCustomerId } }, { node: { customerId: expect.any(String) } }],
          },
        },
      ],
    });
    expect(upstreamPaths("/v1/").sort()).toEqual(
      [`/v1/referrals/members/${SEED.code}/holders`, `/v1/referrals/members/${SEED.otherCode}/holders`].sort(),
    );
  });

  describe("50 Customer representations in one _entities request", () => {
    // The 26 customers of WELCOME-REF, 23 repeats of them, and one id the upstream does not know: 27 distinct ids.
    const known = [SEED.referrerCustomerId, ...Array.from({ length: SEED.refereeCount }, (_, i) => demoRefereeCustomerId(i + 1))];
    const ids = [...known.slice(0, 10), UNKNOWN_CUSTOMER_ID, ...known.slice(10), ...known.slice(0, 23)];
    const unknownIndex = 10;
    const distinct = new Set(ids);
    let response: Awaited<ReturnType<typeof graphql>>;
    let upstreamCalls: string[];
    let customerCalls: string[];

    beforeAll(async () => {
      stack.emulator.resetRequests();
      response = await graphql(stack.gateway.graphqlUrl, CUSTOMER_FIELDS, {
        representations: ids.map((id) => ({ __typename: "Customer", id })),
      });
      // Captured here: the outer beforeEach clears the request log before each test of this block.
      upstreamCalls = upstreamPaths("/");
      customerCalls = upstreamPaths("/v1/customers/");
    });

    test("the fixture is what it claims", () => {
      expect(ids).toHaveLength(50);
      expect(distinct.size).toBe(27);
    });

    test("costs exactly one upstream customer read per distinct id, no duplicates", () => {
      expect(customerCalls).toHaveLength(distinct.size);
      expect(new Set(customerCalls).size).toBe(customerCalls.length);
      expect(customerCalls.map((path) => decodeURIComponent(path.slice("/v1/customers/".length))).sort()).toEqual([...distinct].sort());
      expect(upstreamCalls).toHaveLength(distinct.size); // and nothing else upstream
    });

    test("every known customer resolves, in representation order", () => {
      const entities = (response.data as { _entities: Array<Record<string, unknown> | null> })._entities;
      expect(entities).toHaveLength(50);
      ids.forEach((id, index) => {
        if (index === unknownIndex) return;
        expect(entities[index]).toEqual({
          id,
          sourceId: id === SEED.referrerCustomerId ? SEED.referrerSourceId : expect.stringMatching(/^demo-referee-\d\d$/),
          name: id === SEED.referrerCustomerId ? "Demo Referrer" : expect.stringMatching(/^Referee \d\d$/),
          email: expect.stringContaining("@example.com"),
        });
      });
    });

    test("the unknown customer has null fields and a NOT_FOUND error at each of their paths; the rest still answer", () => {
      const entities = (response.data as { _entities: Array<Record<string, unknown> | null> })._entities;
      expect(response.status).toBe(200);
      expect(entities[unknownIndex]).toEqual({ id: UNKNOWN_CUSTOMER_ID, sourceId: null, name: null, email: null });
      const errors = response.errors ?? [];
      expect(errors.map((e) => e.path).sort()).toEqual(["email", "name", "sourceId"].map((field) => ["_entities", unknownIndex, field]));
      for (const error of errors) {
        expect(error.extensions).toMatchObject({ code: "NOT_FOUND", upstream: expect.objectContaining({ status: 404 }) });
      }
    });
  });
});
