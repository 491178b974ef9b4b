import { SEED } from "../../src/emulator/seed.js";
import { graphql, startStack, type Stack } from "../support/stack.js";

// /metrics over real HTTP: labels stay meaningful under junk operation names, and operators can protect the
// endpoint with a bearer token and/or move it to a port of its own.

const SHIPPED = `query ReferralHolders($memberId: ID!) { referralMember(memberId: $memberId) { holders(first: 1) { totalCount } } }`;
const TOKEN = "metrics-canary-token-7f3a9c";

const scrape = (url: string, headers: Record<string, string> = {}) => fetch(url, { headers });

describe("operation labels under junk names", () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(() => stack.stop());

  test("200 junk operation names, then a shipped operation: it keeps its own label; most junk is 'other'", async () => {
    for (let i = 0; i < 200; i++) await graphql(stack.gateway.graphqlUrl, `query Junk${i} { __typename }`);
    const shipped = await graphql(stack.gateway.graphqlUrl, SHIPPED, { memberId: SEED.code });
    expect(shipped.errors).toBeUndefined();
    const text = await (await scrape(stack.gateway.metricsUrl)).text();
    expect(text).toMatch(/^gateway_operations_total\{operation="ReferralHolders",outcome="ok"\} 1$/m);
    // The first 20 names of the hour were admitted; the other 180 share one series.
    expect(text).toMatch(/^gateway_operations_total\{operation="Junk19",outcome="ok"\} 1$/m);
    expect(text).not.toContain('operation="Junk20"');
    expect(text).toMatch(/^gateway_operations_total\{operation="other",outcome="ok"\} 180$/m);
  });
});

describe("METRICS_TOKEN", () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ env: { METRICS_TOKEN: TOKEN } });
  });
  afterAll(() => stack.stop());

  test.each([
    ["no Authorization header", {}],
    ["a wrong token", { authorization: "Bearer metrics-canary-token-7f3a9d" }],
    ["the token as a prefix of a longer one", { authorization: `Bearer ${TOKEN}x` }],
    ["another scheme", { authorization: `Basic ${TOKEN}` }],
  ])("%s: 401 with a Bearer challenge, no metrics, no token echoed", async (_name, headers) => {
    const response = await scrape(stack.gateway.metricsUrl, headers);
    expect(response.status).toBe(401);
    expect(response.headers.get("www-authenticate")).toBe('Bearer realm="metrics"');
    const text = await response.text();
    expect(text).not.toContain("gateway_operations_total");
    expect(text).not.toContain(TOKEN);
  });

  test("the right token: 200, Prometheus text", async () => {
    const response = await scrape(stack.gateway.metricsUrl, { authorization: `Bearer ${TOKEN}` });
    expect(response.status).toBe(200);
    expect(await response.text()).toMatch(/^process_resident_memory_bytes \d+/m);
  });

  test("GraphQL itself does not need the token", async () => {
    const response = await graphql(stack.gateway.graphqlUrl, SHIPPED, { memberId: SEED.code });
    expect(response.errors).toBeUndefined();
  });
});

describe("METRICS_PORT", () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ env: { METRICS_PORT: "0", METRICS_TOKEN: TOKEN } });
  });

  test("/metrics moves to its own listener on the same host; the main port no longer serves it", async () => {
    const metricsUrl = new URL(stack.gateway.metricsUrl);
    expect(metricsUrl.hostname).toBe("127.0.0.1");
    expect(Number(metricsUrl.port)).not.toBe(stack.gateway.port);
    await graphql(stack.gateway.graphqlUrl, SHIPPED, { memberId: SEED.code });
    expect((await scrape(`${stack.gateway.url}/metrics`, { authorization: `Bearer ${TOKEN}` })).status).toBe(404);
    const response = await scrape(stack.gateway.metricsUrl, { authorization: `Bearer ${TOKEN}` });
    expect(response.status).toBe(200);
    expect(await response.text()).toMatch(/^gateway_operations_total\{operation="ReferralHolders",outcome="ok"\} 1$/m);
  });

  test("the metrics listener serves nothing else, and still wants the token", async () => {
    expect((await scrape(stack.gateway.metricsUrl)).status).toBe(401);
    const graphqlThere = await fetch(stack.gateway.metricsUrl.replace(/\/metrics$/, "/graphql"), {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ query: "{ __typename }" }),
    });
    expect(graphqlThere.status).toBe(404);
  });

  test("stop() closes the metrics listener too", async () => {
    const metricsUrl = stack.gateway.metricsUrl;
    expect((await scrape(metricsUrl, { authorization: `Bearer ${TOKEN}` })).status).toBe(200);
    await stack.stop();
    await expect(scrape(metricsUrl, { authorization: `Bearer ${TOKEN}` })).rejects.toThrow();
  });
});
