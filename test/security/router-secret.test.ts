import { SEED } from "../../src/emulator/seed.js";
import { graphql, startStack, type Stack } from "../support/stack.js";
import { ALL_SCOPES, bearer, signToken, TEST_JWT_SECRET } from "../support/tokens.js";

// Production with authentication and a router secret: what only the router may see (`_service`, inline traces),
// and what nobody sees (field suggestions, the schema's shape before authentication).

const ROUTER_SECRET = "router-secret-for-the-suite-0123";
const TRACE = { "apollo-federation-include-trace": "ftv1" };
const HOLDERS = `{ referralMember(memberId: "${SEED.code}") { holders(first: 1) { totalCount } } }`;

describe("production, JWT auth and ROUTER_SECRET", () => {
  let stack: Stack;
  let token: Record<string, string>;
  beforeAll(async () => {
    stack = await startStack({ env: { NODE_ENV: "production", AUTH_JWT_SECRET: TEST_JWT_SECRET, ROUTER_SECRET } });
    token = bearer(await signToken({ scope: ALL_SCOPES }));
  });
  afterAll(() => stack.stop());

  test("an anonymous caller is refused before validation: no field suggestions, nothing of the schema", async () => {
    const response = await graphql(stack.gateway.graphqlUrl, "{ referralMembr }");
    expect(response.status).toBe(401);
    expect(JSON.stringify(response)).not.toMatch(/referralMember|Did you mean/);
  });

  test("an authenticated caller gets validation errors without suggestions", async () => {
    const response = await graphql(stack.gateway.graphqlUrl, "{ referralMembr }", undefined, token);
    expect(response.status).toBe(400);
    expect(response.errors?.[0].extensions?.code).toBe("GRAPHQL_VALIDATION_FAILED");
    expect(JSON.stringify(response)).not.toMatch(/Did you mean|referralMember"/);
  });

  test("_service answers only requests that carry the router secret", async () => {
    const anonymous = await graphql(stack.gateway.graphqlUrl, "{ _service { sdl } }");
    expect(anonymous.status).toBe(401);
    const caller = await graphql(stack.gateway.graphqlUrl, "{ _service { sdl } }", undefined, token);
    expect(caller.status).toBe(403);
    expect(caller.errors?.[0].extensions?.code).toBe("FORBIDDEN");
    const wrongSecret = await graphql(stack.gateway.graphqlUrl, "{ _service { sdl } }", undefined, {
      "x-router-secret": `${ROUTER_SECRET}x`,
    });
    expect(wrongSecret.status).toBe(401);
    const router = await graphql(stack.gateway.graphqlUrl, "{ _service { sdl } }", undefined, { "x-router-secret": ROUTER_SECRET });
    expect(router.errors).toBeUndefined();
    expect(router.data._service.sdl).toContain("@requiresScopes");
  });

  test("the router secret alone reads no data: holders still need a caller's token", async () => {
    stack.emulator.resetRequests();
    const response = await graphql(stack.gateway.graphqlUrl, HOLDERS, undefined, { "x-router-secret": ROUTER_SECRET });
    expect(response.status).toBe(401);
    expect(stack.emulator.requests).toEqual([]);
  });

  test("inline traces (resolver paths and timings) only for the router", async () => {
    const caller = await graphql(stack.gateway.graphqlUrl, HOLDERS, undefined, { ...token, ...TRACE });
    expect(caller.errors).toBeUndefined();
    expect(JSON.stringify(caller)).not.toContain("ftv1");
    const router = await fetch(stack.gateway.graphqlUrl, {
      method: "POST",
      headers: { "content-type": "application/json", ...token, ...TRACE, "x-router-secret": ROUTER_SECRET },
      body: JSON.stringify({ query: HOLDERS }),
    });
    const body = (await router.json()) as { extensions?: { ftv1?: string } };
    expect(typeof body.extensions?.ftv1).toBe("string");
  });
});

describe("production without ROUTER_SECRET", () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ env: { NODE_ENV: "production", AUTH_JWT_SECRET: TEST_JWT_SECRET } });
  });
  afterAll(() => stack.stop());

  test("neither _service nor inline traces are served to anyone", async () => {
    const token = bearer(await signToken({ scope: ALL_SCOPES }));
    const service = await graphql(stack.gateway.graphqlUrl, "{ _service { sdl } }", undefined, token);
    expect(service.status).toBe(403);
    const traced = await graphql(stack.gateway.graphqlUrl, HOLDERS, undefined, {
      ...token,
      ...TRACE,
      "x-router-secret": "anything-at-all-here",
    });
    expect(traced.errors).toBeUndefined();
    expect(JSON.stringify(traced)).not.toContain("ftv1");
  });
});
