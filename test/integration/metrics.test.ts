import { SEED } from "../../src/emulator/seed.js";
import { graphql, metricsUrlOf, startStack, type Stack } from "../support/stack.js";

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
    const text = await (await scrape(metricsUrlOf(stack))).text();
    expect(text).toMatch(/^gateway_operations_total\{operation="ReferralHolders",outcome="ok"\} 1$/m);
    // The first 20 names of the hour got their own label; the other 180 share one series.
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
    ["the token less its last character", { authorization: `Bearer ${TOKEN.slice(0, -1)}` }],
    ["the token's first half", { authorization: `Bearer ${TOKEN.slice(0, TOKEN.length / 2)}` }],
    ["another scheme", { authorization: `Basic ${TOKEN}` }],
  ])("%s: 401 with a Bearer challenge, no metrics, no token echoed", async (_name, headers) => {
    const response = await scrape(metricsUrlOf(stack), headers);
    expect(response.status).toBe(401);
    expect(response.headers.get("www-authenticate")).toBe('Bearer realm="metrics"');
    const text = await response.text();
    expect(text).not.toContain("gateway_operations_total");
    expect(text).not.toContain(TOKEN);
  });

  test("the right token: 200, Prometheus text", async () => {
    const response = await scrape(metricsUrlOf(stack), { authorization: `Bearer ${TOKEN}` });
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
    const metricsUrl = new URL(metricsUrlOf(stack));
    expect(metricsUrl.hostname).toBe("127.0.0.1");
    expect(Number(metricsUrl.port)).not.toBe(stack.gateway.port);
    await graphql(stack.gateway.graphqlUrl, SHIPPED, { memberId: SEED.code });
    expect((await scrape(`${stack.gateway.url}/metrics`, { authorization: `Bearer ${TOKEN}` })).status).toBe(404);
    const response = await scrape(metricsUrlOf(stack), { authorization: `Bearer ${TOKEN}` });
    expect(response.status).toBe(200);
    expect(await response.text()).toMatch(/^gateway_operations_total\{operation="ReferralHolders",outcome="ok"\} 1$/m);
  });

  test("the metrics listener serves nothing else, and still wants the token", async () => {
    expect((await scrape(metricsUrlOf(stack))).status).toBe(401);
    const graphqlThere = await fetch(metricsUrlOf(stack).replace(/\/metrics$/, "/graphql"), {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ query: "{ __typename }" }),
    });
    expect(graphqlThere.status).toBe(404);
  });

  test("stop() closes the metrics listener too", async () => {
    const metricsUrl = metricsUrlOf(stack);
    expect((await scrape(metricsUrl, { authorization: `Bearer ${TOKEN}` })).status).toBe(200);
    await stack.stop();
    await expect(scrape(metricsUrl, { authorization: `Bearer ${TOKEN}` })).rejects.toThrow();
  });
});

describe("production: /metrics on the public port only with METRICS_TOKEN", () => {
  const production = { NODE_ENV: "production", AUTH_DISABLED: "true" };

  test("without METRICS_TOKEN or METRICS_PORT, /metrics is not served at all: 404 like any unknown path", async () => {
    const stack = await startStack({ env: production });
    try {
      expect(stack.gateway.metricsUrl).toBeNull();
      await graphql(stack.gateway.graphqlUrl, SHIPPED, { memberId: SEED.code });
      for (const headers of [{}, { authorization: `Bearer ${TOKEN}` }] as Array<Record<string, string>>) {
        const response = await scrape(`${stack.gateway.url}/metrics`, headers);
        expect(response.status).toBe(404);
        const text = await response.text();
        expect(text).toBe(await (await scrape(`${stack.gateway.url}/no-such-path`)).text());
        expect(text).not.toContain("gateway_operations_total");
      }
    } finally {
      await stack.stop();
    }
  });

  test("with METRICS_TOKEN, on the public port to the bearer of the token only", async () => {
    const stack = await startStack({ env: { ...production, METRICS_TOKEN: TOKEN } });
    try {
      expect(metricsUrlOf(stack)).toBe(`${stack.gateway.url}/metrics`);
      const refused = await scrape(metricsUrlOf(stack));
      expect(refused.status).toBe(401);
      expect(await refused.text()).not.toContain("gateway_operations_total");
      const served = await scrape(metricsUrlOf(stack), { authorization: `Bearer ${TOKEN}` });
      expect(served.status).toBe(200);
      expect(await served.text()).toMatch(/^process_resident_memory_bytes \d+/m);
    } finally {
      await stack.stop();
    }
  });

  test("with METRICS_PORT, on its own listener (open to the cluster's scraper) and never on the public port", async () => {
    const stack = await startStack({ env: { ...production, METRICS_PORT: "0" } });
    try {
      expect(new URL(metricsUrlOf(stack)).port).not.toBe(String(stack.gateway.port));
      expect((await scrape(`${stack.gateway.url}/metrics`)).status).toBe(404);
      const served = await scrape(metricsUrlOf(stack));
      expect(served.status).toBe(200);
      expect(await served.text()).toMatch(/^process_resident_memory_bytes \d+/m);
    } finally {
      await stack.stop();
    }
  });
});
