import { graphql, startStack, type Stack } from "../support/stack.js";

// CORS over real HTTP, as a browser would send it (the browser itself: test/browser/cors-browser.test.ts).
const LISTED = "https://app.example.com";
const UNLISTED = "https://evil.example.com";
const HOLDERS = `{ referralMember(memberId: "WELCOME-REF") { holders { totalCount } } }`;

function preflight(url: string, origin: string, requestHeaders = "authorization, content-type") {
  return fetch(url, {
    method: "OPTIONS",
    headers: { origin, "access-control-request-method": "POST", "access-control-request-headers": requestHeaders },
  });
}

const corsHeaders = (headers: Headers) => [...headers.keys()].filter((name) => name.startsWith("access-control-")).sort();

describe("CORS with CORS_ORIGINS set", () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ env: { CORS_ORIGINS: `${LISTED},http://127.0.0.1:5173` } });
  });
  afterAll(() => stack.stop());

  test("a preflight from a listed origin is answered: that origin, POST, the headers browsers and Apollo clients send", async () => {
    const upstreamBefore = stack.emulator.requests.length;
    const response = await preflight(stack.gateway.graphqlUrl, LISTED);
    expect(response.status).toBe(204);
    expect(response.headers.get("access-control-allow-origin")).toBe(LISTED);
    expect(response.headers.get("access-control-allow-methods")).toBe("GET, POST");
    const allowed = response.headers.get("access-control-allow-headers")!.split(", ");
    expect(allowed).toEqual(expect.arrayContaining(["authorization", "content-type", "apollo-require-preflight", "x-request-id"]));
    expect(response.headers.get("access-control-max-age")).toBe("600");
    expect(response.headers.get("vary")).toBe("Origin");
    // Credentials (cookies) are never allowed: the gateway takes a bearer token, which needs none.
    expect(response.headers.get("access-control-allow-credentials")).toBeNull();
    expect(stack.emulator.requests.length).toBe(upstreamBefore);
  });

  test("a preflight from an unlisted origin gets no CORS header at all, so the browser stops there", async () => {
    for (const origin of [UNLISTED, "null", "https://app.example.com.evil.example", "http://app.example.com", `${LISTED}:8443`]) {
      const response = await preflight(stack.gateway.graphqlUrl, origin);
      expect(response.status).toBe(204);
      expect(corsHeaders(response.headers)).toEqual([]);
      expect(response.headers.get("vary")).toBe("Origin");
    }
  });

  test("an actual request from a listed origin is answered with that origin and the readable request id", async () => {
    const response = await graphql(stack.gateway.graphqlUrl, HOLDERS, undefined, { origin: LISTED, authorization: "Bearer test-token" });
    expect(response.data).toEqual({ referralMember: { holders: { totalCount: 26 } } });
    expect(response.headers.get("access-control-allow-origin")).toBe(LISTED);
    expect(response.headers.get("access-control-expose-headers")).toBe("x-request-id, retry-after");
    expect(response.headers.get("vary")).toBe("Origin");
  });

  test("an actual request from an unlisted origin carries no CORS header: the browser hides the answer from the page", async () => {
    const response = await graphql(stack.gateway.graphqlUrl, HOLDERS, undefined, { origin: UNLISTED });
    expect(corsHeaders(response.headers)).toEqual([]);
    expect(response.headers.get("vary")).toBe("Origin");
  });

  test("Apollo's CSRF prevention still refuses a simple (unpreflighted) request, whatever the origin", async () => {
    const upstreamBefore = stack.emulator.requests.length;
    for (const origin of [LISTED, UNLISTED]) {
      const response = await fetch(stack.gateway.graphqlUrl, {
        method: "POST",
        headers: { origin, "content-type": "text/plain" },
        body: JSON.stringify({ query: HOLDERS }),
      });
      expect(response.status).toBe(400);
      expect(await response.text()).toMatch(/CSRF/);
    }
    expect(stack.emulator.requests.length).toBe(upstreamBefore);
  });
});

describe("CORS without CORS_ORIGINS (the default)", () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(() => stack.stop());

  test("no CORS header on preflights or requests, whatever the origin: same origin only", async () => {
    const pre = await preflight(stack.gateway.graphqlUrl, LISTED);
    expect(corsHeaders(pre.headers)).toEqual([]);
    const response = await graphql(stack.gateway.graphqlUrl, HOLDERS, undefined, { origin: LISTED });
    expect(response.data).toEqual({ referralMember: { holders: { totalCount: 26 } } });
    expect(corsHeaders(response.headers)).toEqual([]);
    expect(response.headers.get("vary")).toBeNull();
  });
});
