import { SANDBOX_INITIAL_DOCUMENT, SANDBOX_INITIAL_VARIABLES } from "../../src/graphql/landing-page.js";
import { SEED } from "../../src/emulator/seed.js";
import { graphql, startStack, type Stack } from "../support/stack.js";

// The Sandbox page itself loads Apollo's app from a CDN (it renders only in a browser with internet access), so
// this checks what we control: the HTML we serve, the operation it opens with, and that production serves none.

const SANDBOX_CONFIG = /var embeddedSandboxConfig = (\{.*\});\n/;

interface SandboxConfig {
  initialState: { document: string; variables: Record<string, unknown> };
  endpointIsEditable: boolean;
}

async function getPage(url: string) {
  const response = await fetch(url, { headers: { accept: "text/html" } });
  return { status: response.status, contentType: response.headers.get("content-type") ?? "", body: await response.text() };
}

describe("Apollo Sandbox landing page (development)", () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(() => stack.stop());

  test.each(["/", "/graphql"])("GET %s from a browser is the Sandbox page, opening on WELCOME-REF's holders", async (path) => {
    const page = await getPage(stack.gateway.url + path);
    expect(page).toMatchObject({ status: 200, contentType: expect.stringContaining("text/html") });
    expect(page.body).toContain("new window.EmbeddedSandbox(");
    const config = JSON.parse(page.body.match(SANDBOX_CONFIG)?.[1] ?? "null") as SandboxConfig | null;
    expect(config?.initialState).toEqual({ document: SANDBOX_INITIAL_DOCUMENT, variables: SANDBOX_INITIAL_VARIABLES });
    expect(config?.initialState.variables).toMatchObject({ memberId: SEED.code });
    expect(config?.endpointIsEditable).toBe(false);
  });

  test("the operation Sandbox opens with runs as is, and answers the first page", async () => {
    const response = await graphql(stack.gateway.graphqlUrl, SANDBOX_INITIAL_DOCUMENT, SANDBOX_INITIAL_VARIABLES);
    expect(response.errors).toBeUndefined();
    expect(response.data.referralMember.holders).toMatchObject({
      totalCount: SEED.refereeCount + 1,
      pageInfo: { hasNextPage: true },
    });
    expect(response.data.referralMember.holders.edges).toHaveLength(SANDBOX_INITIAL_VARIABLES.first);
  });

  test("introspection is on, for Sandbox's schema view", async () => {
    const response = await graphql(stack.gateway.graphqlUrl, "{ __schema { queryType { name } } }");
    expect(response.errors).toBeUndefined();
    expect(response.data).toEqual({ __schema: { queryType: { name: "Query" } } });
  });
});

const ROUTER_SECRET = "router-secret-for-landing-page-tests";

describe("production (NODE_ENV=production)", () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ env: { NODE_ENV: "production", AUTH_DISABLED: "true", ROUTER_SECRET: ROUTER_SECRET } });
  });
  afterAll(() => stack.stop());

  test.each(["/", "/graphql"])("GET %s from a browser gets no landing page", async (path) => {
    const page = await getPage(stack.gateway.url + path);
    expect(page.contentType).not.toContain("text/html");
    expect(page.body).not.toContain("EmbeddedSandbox");
    expect(page.status).toBeGreaterThanOrEqual(400);
  });

  test("introspection is refused", async () => {
    const response = await graphql(stack.gateway.graphqlUrl, "{ __schema { queryType { name } } }");
    expect(response.data).toBeUndefined();
    expect(response.errors?.map((e) => e.extensions?.code)).toEqual(["GRAPHQL_VALIDATION_FAILED"]);
  });

  test("_service { sdl } answers the router: it composes the subgraph without introspection", async () => {
    const response = await graphql(stack.gateway.graphqlUrl, "{ _service { sdl } }", undefined, { "x-router-secret": ROUTER_SECRET });
    expect(response.errors).toBeUndefined();
    expect(response.data._service.sdl).toContain('type ReferralMember\n  @key(fields: "id")');
  });
});
