import { getIntrospectionQuery } from "graphql";
import { SEED } from "../../src/emulator/seed.js";
import { graphql, startStack, type Stack } from "../support/stack.js";

// NODE_ENV=production: no introspection and no landing page unless asked for, `_service` only for the router (see
// test/security/router-secret.test.ts), no stack trace in any response. Authentication is off explicitly here
// (AUTH_DISABLED=true): these tests are about what production hides, test/security/authentication.test.ts about who
// calls. Masking of unexpected errors: test/security/error-masking.test.ts.

/** A representation without its key: refused as input (it used to be an internal error). */
const ENTITY_WITHOUT_ID = `{ _entities(representations: [{ __typename: "ReferralMember" }]) { ... on ReferralMember { id } } }`;
/** An ordinary input error: development shows its stack trace, production never does. */
const PAGE_TOO_LARGE = `{ referralMember(memberId: "${SEED.code}") { holders(first: 9999) { totalCount } } }`;
const STACK_TRACE = /stacktrace|\n\s+at |\s{4}at [\w.<>]+ \(/;

async function landingPage(stack: Stack) {
  const response = await fetch(`${stack.gateway.url}/`, { headers: { accept: "text/html" } });
  return { status: response.status, type: response.headers.get("content-type") ?? "", text: await response.text() };
}

describe("production mode", () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ env: { NODE_ENV: "production", AUTH_DISABLED: "true" } });
  });
  afterAll(() => stack.stop());

  test("introspection is refused, the landing page is off, `_service` is off without ROUTER_SECRET", async () => {
    const introspection = await graphql(stack.gateway.graphqlUrl, getIntrospectionQuery());
    expect(introspection.status).toBe(400);
    expect(introspection.errors![0].extensions?.code).toBe("GRAPHQL_VALIDATION_FAILED");
    expect(introspection.errors![0].message).toMatch(/introspection/i);
    const typeQuery = await graphql(
      stack.gateway.graphqlUrl,
      `
        {
          __type(name: "ReferralHolder") {
            name
          }
        }
      `,
    );
    expect(typeQuery.status).toBe(400);

    const page = await landingPage(stack);
    expect(page.type).not.toMatch(/html/);
    expect(page.status).toBe(400);

    const service = await graphql(stack.gateway.graphqlUrl, "{ _service { sdl } }");
    expect(service.status).toBe(403);
    expect(service.errors?.map((e) => e.extensions?.code)).toEqual(["FORBIDDEN"]);
    expect(JSON.stringify(service)).not.toContain("type ReferralMember");
    // __typename is not introspection: clients (Apollo Client adds it everywhere) keep working.
    const typename = await graphql(stack.gateway.graphqlUrl, `{ referralMember(memberId: "${SEED.code}") { __typename id } }`);
    expect(typename.data).toEqual({ referralMember: { __typename: "ReferralMember", id: SEED.code } });
  });

  test("a federation representation without its key is BAD_USER_INPUT, not an internal error, and costs no upstream call", async () => {
    stack.emulator.resetRequests();
    const result = await graphql(stack.gateway.graphqlUrl, ENTITY_WITHOUT_ID);
    expect(result.errors).toEqual([
      {
        message: "representations[0].id must be a string.",
        path: ["_entities"],
        locations: expect.any(Array),
        extensions: { code: "BAD_USER_INPUT", field: "representations[0].id" },
      },
    ]);
    const unknownType = await graphql(
      stack.gateway.graphqlUrl,
      `
        {
          _entities(representations: [{ __typename: "Nope", id: "x" }]) {
            __typename
          }
        }
      `,
    );
    expect(unknownType.errors![0].extensions).toEqual({ code: "BAD_USER_INPUT", field: "representations[0]" });
    expect(stack.emulator.requests).toEqual([]);
  });

  test("no response carries a stack trace, whatever failed", async () => {
    const url = stack.gateway.graphqlUrl;
    const post = (body: string, type = "application/json") => fetch(url, { method: "POST", headers: { "content-type": type }, body });
    stack.emulator.injectFault({ status: 200, body: "{ truncated", times: 1, match: (r) => r.query.includes("limit=3") });
    const responses = await Promise.all([
      post(JSON.stringify({ query: ENTITY_WITHOUT_ID })),
      post(JSON.stringify({ query: PAGE_TOO_LARGE })),
      post(JSON.stringify({ query: "{ referralMember(" })), // parse error
      post(JSON.stringify({ query: "{ nope }" })), // validation error
      // BAD_USER_INPUT
      post(JSON.stringify({ query: `{ referralMember(memberId: "${SEED.code}") { holders(first: 9999) { totalCount } } }` })),
      post(JSON.stringify({ query: `{ referralMember(memberId: "NO-SUCH-CODE") { holders { totalCount } } }` })), // NOT_FOUND upstream
      // bad upstream JSON
      post(JSON.stringify({ query: `{ referralMember(memberId: "${SEED.code}") { holders(first: 3) { totalCount } } }` })),
      post("{ not json"),
      post(JSON.stringify({ query: "{ __typename }", variables: { pad: "x".repeat(1024 * 1024) } })), // 413
      post(JSON.stringify({ query: `{ _entities(representations: [{ __typename: "Nope" }]) { __typename } }` })),
      post(JSON.stringify({ query: "query($v: Int!) { __typename }", variables: { v: "not an int" } })),
      fetch(`${url}?query=${encodeURIComponent("{ __typename }")}`), // CSRF
    ]);
    const bodies = await Promise.all(responses.map((response) => response.text()));
    for (const body of bodies) {
      expect(body).toMatch(/"errors"/);
      expect(body).not.toMatch(STACK_TRACE);
    }
  });
});

describe("production mode with explicit overrides", () => {
  test("GRAPHQL_INTROSPECTION=true and GRAPHQL_LANDING_PAGE=true turn them back on", async () => {
    const stack = await startStack({
      env: { NODE_ENV: "production", AUTH_DISABLED: "true", GRAPHQL_INTROSPECTION: "true", GRAPHQL_LANDING_PAGE: "true" },
    });
    try {
      const introspection = await graphql(stack.gateway.graphqlUrl, getIntrospectionQuery());
      expect(introspection.errors).toBeUndefined();
      expect(introspection.data.__schema.queryType.name).toBe("Query");
      const page = await landingPage(stack);
      expect(page.status).toBe(200);
      expect(page.type).toMatch(/text\/html/);
    } finally {
      await stack.stop();
    }
  });
});

describe("development mode, for contrast", () => {
  test("errors carry their stack trace; introspection and landing page are on", async () => {
    const stack = await startStack();
    try {
      const result = await graphql(stack.gateway.graphqlUrl, PAGE_TOO_LARGE);
      expect(result.errors![0].extensions?.code).toBe("BAD_USER_INPUT");
      expect(JSON.stringify(result.errors)).toMatch(STACK_TRACE);
      expect((await graphql(stack.gateway.graphqlUrl, getIntrospectionQuery())).errors).toBeUndefined();
      expect((await landingPage(stack)).type).toMatch(/text\/html/);
    } finally {
      await stack.stop();
    }
  });
});
