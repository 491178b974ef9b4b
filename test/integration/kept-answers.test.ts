import type { EmulatorHandle } from "../../src/emulator/emulator.js";
import { SEED } from "../../src/emulator/seed.js";
import type { GatewayHandle } from "../../src/server.js";
import { startStack, type Stack } from "../support/stack.js";
import { ALL_SCOPES, bearer, signToken, TEST_JWT_SECRET } from "../support/tokens.js";

// Answers kept whole (src/shared-state/answer-cache.ts, src/plugins/kept-answers.ts), in one gateway with the
// in-process store: what may be served again, to whom, and what never is. The emulator counts every upstream call.

const ROUTER_SECRET = "kept-answers-router-secret-0123456789";
const ENV = {
  AUTH_JWT_SECRET: TEST_JWT_SECRET,
  ROUTER_SECRET,
  CACHE_HOLDERS_TTL_MS: "60000",
  CACHE_CUSTOMERS_TTL_MS: "60000",
};

/** A general document (not a trusted one): Apollo Server's path. */
const PAGE_TEXT = `query KeptPage($memberId: ID!, $first: Int) {
  referralMember(memberId: $memberId) { holders(first: $first) { totalCount nodes { id customerId } } }
}`;
const WITH_CUSTOMERS = `query KeptCustomers($memberId: ID!) {
  referralMember(memberId: $memberId) { holders(first: 3) { nodes { id customer { name email } } } }
}`;

interface Answer {
  status: number;
  contentType: string | null;
  body: string;
  json: { data?: unknown; errors?: Array<{ extensions?: { code?: string } }> };
}

interface Sent {
  query?: string;
  documentId?: string;
  variables?: Record<string, unknown>;
  headers?: Record<string, string>;
  get?: boolean;
}

async function send(gateway: GatewayHandle, sent: Sent): Promise<Answer> {
  const fields = { ...(sent.query ? { query: sent.query } : { documentId: sent.documentId }), variables: sent.variables };
  const response = sent.get
    ? await fetch(
        `${gateway.graphqlUrl}?${new URLSearchParams({
          ...(sent.query ? { query: sent.query } : { documentId: sent.documentId! }),
          variables: JSON.stringify(sent.variables ?? {}),
        }).toString()}`,
        { headers: { ...sent.headers, "apollo-require-preflight": "true" } },
      )
    : await fetch(gateway.graphqlUrl, {
        method: "POST",
        headers: { "content-type": "application/json", ...sent.headers },
        body: JSON.stringify(fields),
      });
  const body = await response.text();
  return { status: response.status, contentType: response.headers.get("content-type"), body, json: JSON.parse(body) as Answer["json"] };
}

/** The answer-cache lookups the gateway counted, by result, for one operation label. */
async function lookups(gateway: GatewayHandle, operation: string): Promise<Record<string, number>> {
  const counted: Record<string, number> = {};
  for (const value of (await gateway.metrics.answerLookups.get()).values) {
    if (value.labels.operation === operation) counted[String(value.labels.result)] = value.value;
  }
  return counted;
}

async function token(claims: Record<string, unknown> = {}): Promise<Record<string, string>> {
  return bearer(await signToken({ sub: "kept-answers", scope: ALL_SCOPES, ...claims }));
}

const upstreamCalls = (emulator: EmulatorHandle) => emulator.requests.length;

describe("answers kept whole: served again byte for byte, without an upstream call", () => {
  let fast: Stack;
  let apollo: GatewayHandle;
  const documentId = (name: string) => [...fast.gateway.trustedDocuments.documents].find((d) => d.operationName === name)!.id;

  beforeAll(async () => {
    fast = await startStack({ env: ENV });
    // The same trusted documents on Apollo Server's pipeline (fastPath: false), in front of the same emulator.
    const { startGateway } = await import("../../src/server.js");
    const { loadConfig } = await import("../../src/config.js");
    const { createLogger } = await import("../../src/observability/logger.js");
    apollo = await startGateway({
      config: loadConfig({ PORT: "0", LOG_LEVEL: "silent", ...ENV }),
      upstreamUrl: fast.emulator.url,
      credentials: { appId: fast.emulator.appId, appToken: fast.emulator.appToken },
      logger: createLogger("silent"),
      fastPath: false,
    });
  });
  afterAll(async () => {
    await apollo?.stop();
    await fast?.stop();
  });

  // Every shipped query (schema/operations/), with the variations a client sends.
  const CASES: Array<{ name: string; operation: string; variables: Record<string, unknown>; accept?: string; get?: boolean }> = [
    { name: "a 10-holder page with customers", operation: "ReferralHolders", variables: { memberId: SEED.code, first: 10 } },
    {
      name: "a page as graphql-response+json",
      operation: "ReferralHolders",
      variables: { memberId: SEED.code, first: 2 },
      accept: "application/graphql-response+json, application/json;q=0.9",
    },
    { name: "a page by GET", operation: "ReferralHolders", variables: { memberId: SEED.code, first: 3 }, get: true },
    { name: "a page backwards", operation: "ReferralHoldersBackward", variables: { memberId: SEED.code, last: 3 } },
    {
      name: "a filtered page",
      operation: "FilteredHolders",
      variables: { memberId: SEED.code, filter: { roles: ["REFERRER"] }, first: 5 },
    },
  ];

  // Each case's answer on the fast path, to compare Apollo's path with (the cases run in this order).
  const fastAnswers = new Map<string, string>();

  test.each(CASES.flatMap((c) => [["the fast path", c.name, c] as const, ["Apollo's path", c.name, c] as const]))(
    "%s, %s: the hit's status, content type and bytes are the miss's (and the other path's)",
    async (path, _name, testCase) => {
      const gateway = path === "the fast path" ? fast.gateway : apollo;
      const sent: Sent = {
        documentId: documentId(testCase.operation),
        variables: testCase.variables,
        get: testCase.get,
        headers: { ...(await token()), ...(testCase.accept ? { accept: testCase.accept } : {}) },
      };
      const before = await lookups(gateway, testCase.operation);
      const miss = await send(gateway, { ...sent, headers: { ...sent.headers, "x-request-id": "first" } });
      expect(miss.status).toBe(200);
      expect(miss.json.errors).toBeUndefined();
      const callsBefore = upstreamCalls(fast.emulator);
      const hit = await send(gateway, sent);
      expect(upstreamCalls(fast.emulator)).toBe(callsBefore);
      expect({ status: hit.status, contentType: hit.contentType, body: hit.body }).toEqual({
        status: miss.status,
        contentType: miss.contentType,
        body: miss.body,
      });
      const after = await lookups(gateway, testCase.operation);
      expect((after.hit ?? 0) - (before.hit ?? 0)).toBe(1);
      if (path === "the fast path") fastAnswers.set(testCase.name, hit.body);
      else expect(hit.body).toBe(fastAnswers.get(testCase.name));
    },
  );

  test("a document is its tokens: other whitespace, comments or key order of the variables share its answer", async () => {
    const headers = await token({ sub: "general" });
    const miss = await send(fast.gateway, { query: PAGE_TEXT, variables: { memberId: SEED.code, first: 4 }, headers });
    const before = await lookups(fast.gateway, "KeptPage");
    const respaced = `# kept\n${PAGE_TEXT.replace(/\n/g, "\n\n  ")}`;
    const hit = await send(fast.gateway, { query: respaced, variables: { first: 4, memberId: SEED.code }, headers });
    expect(hit.body).toBe(miss.body);
    expect((await lookups(fast.gateway, "KeptPage")).hit).toBe((before.hit ?? 0) + 1);
  });

  test("a trusted document sent by id and sent as its text share one answer", async () => {
    const headers = await token({ sub: "by-id-and-text" });
    const variables = { memberId: SEED.code, first: 6 };
    const byId = await send(fast.gateway, { documentId: documentId("ReferralHolders"), variables, headers });
    const before = await lookups(fast.gateway, "ReferralHolders");
    const text = [...fast.gateway.trustedDocuments.documents].find((d) => d.operationName === "ReferralHolders")!.body;
    const byText = await send(fast.gateway, { query: text, variables, headers });
    expect(byText.body).toBe(byId.body);
    expect((await lookups(fast.gateway, "ReferralHolders")).hit).toBe((before.hit ?? 0) + 1);
  });

  test("mutations are never kept: the same addHolders twice runs twice", async () => {
    const mutation = `mutation($input: AddHoldersInput!) { addHolders(input: $input) { holders { customerId } } }`;
    const input = { memberId: SEED.code, holders: [{ sourceId: "kept-answers-mutation" }] };
    const headers = await token({ sub: "writer" });
    const first = await send(fast.gateway, { query: mutation, variables: { input }, headers });
    expect(first.json.errors).toBeUndefined();
    const second = await send(fast.gateway, { query: mutation, variables: { input }, headers });
    expect(second.json.errors?.[0]?.extensions?.code).toBe("CONFLICT");
  });

  test("a write through the gateway is seen by the next read: its kept answer is not served", async () => {
    const headers = await token({ sub: "reader" });
    const read = () => send(fast.gateway, { query: PAGE_TEXT, variables: { memberId: SEED.code, first: 100 }, headers });
    const before = await read();
    expect((await read()).body).toBe(before.body);
    const added = await send(fast.gateway, {
      query: `mutation($input: AddHoldersInput!) { addHolders(input: $input) { holders { id } } }`,
      variables: { input: { memberId: SEED.code, holders: [{ sourceId: "kept-answers-after-write" }] } },
      headers,
    });
    const holderId = (added.json.data as { addHolders: { holders: Array<{ id: string }> } }).addHolders.holders[0].id;
    const after = await read();
    expect(after.body).not.toBe(before.body);
    expect(after.body).toContain(holderId);
  });
});

describe("answers kept whole: never shared by callers with different rights", () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ env: ENV });
  });
  afterAll(async () => stack?.stop());

  test("a caller without customers:read never gets the answer of one with it, in either order", async () => {
    const reader = await token({ sub: "reader-all" });
    const limited = await token({ sub: "reader-limited", scope: "referrals:read" });
    const variables = { memberId: SEED.code };
    const full = await send(stack.gateway, { query: WITH_CUSTOMERS, variables, headers: reader });
    expect(full.json.errors).toBeUndefined();
    expect(full.body).toContain('"email"');
    for (let i = 0; i < 2; i++) {
      const denied = await send(stack.gateway, { query: WITH_CUSTOMERS, variables, headers: limited });
      // name and email of three customers: six fields refused, each null with FORBIDDEN at its path.
      expect(denied.json.errors?.map((error) => error.extensions?.code)).toEqual(Array(6).fill("FORBIDDEN"));
      expect(denied.body).not.toContain("@");
    }
    // The same rights share: another caller with all scopes is served the kept answer.
    const again = await send(stack.gateway, { query: WITH_CUSTOMERS, variables, headers: await token({ sub: "reader-all-2" }) });
    expect(again.body).toBe(full.body);
    expect((await lookups(stack.gateway, "KeptCustomers")).hit).toBe(1);
  });

  test("an answer both could read alike is still not shared by callers whose scopes differ", async () => {
    const variables = { memberId: SEED.code, first: 2 };
    await send(stack.gateway, { query: PAGE_TEXT, variables, headers: await token({ sub: "a" }) });
    const before = await lookups(stack.gateway, "KeptPage");
    await send(stack.gateway, { query: PAGE_TEXT, variables, headers: await token({ sub: "b", scope: "referrals:read" }) });
    const after = await lookups(stack.gateway, "KeptPage");
    expect({ hit: after.hit ?? 0, miss: after.miss - before.miss }).toEqual({ hit: before.hit ?? 0, miss: 1 });
  });

  test("member rules: only callers with the same referral_members share; a caller without the member is refused", async () => {
    const variables = { memberId: SEED.code, first: 3 };
    const only = await token({ sub: "only", referral_members: [SEED.code] });
    const kept = await send(stack.gateway, { query: PAGE_TEXT, variables, headers: only });
    expect(kept.json.errors).toBeUndefined();
    const before = await lookups(stack.gateway, "KeptPage");
    const wider = await send(stack.gateway, {
      query: PAGE_TEXT,
      variables,
      headers: await token({ sub: "wider", referral_members: [SEED.code, "OTHER"] }),
    });
    expect(wider.body).toBe(kept.body);
    const other = await send(stack.gateway, {
      query: PAGE_TEXT,
      variables,
      headers: await token({ sub: "other", referral_members: ["OTHER"] }),
    });
    expect(other.status).toBe(403);
    expect(other.json.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    expect(other.json.data).toBeUndefined();
    const same = await send(stack.gateway, {
      query: PAGE_TEXT,
      variables,
      headers: await token({ sub: "same", referral_members: [SEED.code] }),
    });
    expect(same.body).toBe(kept.body);
    const after = await lookups(stack.gateway, "KeptPage");
    // wider: a miss; other: refused before the lookup; same: a hit.
    expect({ hit: (after.hit ?? 0) - (before.hit ?? 0), miss: after.miss - before.miss }).toEqual({ hit: 1, miss: 1 });
  });

  test("the router's secret and inline traces are never served from the cache", async () => {
    const variables = { memberId: SEED.code, first: 5 };
    const headers = await token({ sub: "router" });
    const router = { ...headers, "x-router-secret": ROUTER_SECRET };
    for (let i = 0; i < 2; i++) await send(stack.gateway, { query: PAGE_TEXT, variables, headers: router });
    const traced = await send(stack.gateway, {
      query: PAGE_TEXT,
      variables,
      headers: { ...router, "apollo-federation-include-trace": "ftv1" },
    });
    expect(typeof (traced.json as { extensions?: { ftv1?: unknown } }).extensions?.ftv1).toBe("string");
    const counted = await lookups(stack.gateway, "KeptPage");
    expect(counted.bypass).toBe(3);
    // Nothing the router read was kept: the first plain request with the router's rights is a miss.
    const missesBefore = counted.miss ?? 0;
    await send(stack.gateway, { query: PAGE_TEXT, variables, headers });
    expect((await lookups(stack.gateway, "KeptPage")).miss).toBe(missesBefore + 1);
  });
});

describe("answers kept whole: what is never kept", () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ env: ENV });
  });
  afterAll(async () => stack?.stop());

  test("an answer with partial data (a customer read failed) is not kept: the next identical request executes again", async () => {
    const headers = await token();
    stack.emulator.injectFault({ status: 500, body: "{}", times: 1, match: (request) => request.path.startsWith("/v1/customers/") });
    const partial = await send(stack.gateway, { query: WITH_CUSTOMERS, variables: { memberId: SEED.code }, headers });
    expect(partial.json.errors?.[0]?.extensions?.code).toBe("UPSTREAM_ERROR");
    expect(partial.json.data).not.toBeNull();
    const calls = upstreamCalls(stack.emulator);
    const complete = await send(stack.gateway, { query: WITH_CUSTOMERS, variables: { memberId: SEED.code }, headers });
    expect(complete.json.errors).toBeUndefined();
    // The failed customer is read again; the others come from the customer cache.
    expect(upstreamCalls(stack.emulator)).toBe(calls + 1);
    expect(await lookups(stack.gateway, "KeptCustomers")).toEqual({ miss: 2 });
  });

  test("an answer that is only an error is not kept", async () => {
    const headers = await token();
    for (let i = 0; i < 2; i++) {
      const calls = upstreamCalls(stack.emulator);
      const missing = await send(stack.gateway, { query: PAGE_TEXT, variables: { memberId: "NO-SUCH-CODE", first: 1 }, headers });
      expect(missing.json.errors?.[0]?.extensions?.code).toBe("NOT_FOUND");
      expect(upstreamCalls(stack.emulator)).toBe(calls + 1);
    }
  });

  test("Cache-Control: no-cache reads past a kept answer, and the old answer is not served after it", async () => {
    const headers = await token({ sub: "no-cache" });
    const read = (extra: Record<string, string> = {}) =>
      send(stack.gateway, { query: PAGE_TEXT, variables: { memberId: SEED.code, first: 100 }, headers: { ...headers, ...extra } });
    const old = await read();
    // A write made outside the gateway (straight to the upstream): nothing is invalidated, the kept answer stands.
    const response = await fetch(`${stack.emulator.url}/v1/referrals/members/${SEED.code}/holders`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-app-id": stack.emulator.appId, "x-app-token": stack.emulator.appToken },
      body: JSON.stringify({ holders: [{ source_id: "written-outside-the-gateway" }] }),
    });
    expect(response.status).toBe(200);
    expect((await read()).body).toBe(old.body);
    const calls = upstreamCalls(stack.emulator);
    const fresh = await read({ "cache-control": "no-cache" });
    expect(upstreamCalls(stack.emulator)).toBe(calls + 1);
    expect(fresh.body).not.toBe(old.body);
    // After it, the same request is not served the answer it bypassed.
    expect((await read()).body).toBe(fresh.body);
    expect((await lookups(stack.gateway, "KeptPage")).bypass).toBe(1);
  });
});

describe("answers kept whole: the caller's budget counts what is spent", () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ env: { ...ENV, CALLER_BUDGET_PER_MINUTE: "110" } });
  });
  afterAll(async () => stack?.stop());

  test("a hit spends nothing: ten hits after a read that spends half the budget, one that spends the rest, a refusal", async () => {
    const headers = await token({ sub: "thrifty" });
    // An estimated 55 upstream calls (a page of up to 54 holders, each with its customer): two fit in the budget of 110.
    const query = `query KeptBudget($memberId: ID!) {
      referralMember(memberId: $memberId) { holders(first: 54) { nodes { customer { name } } } }
    }`;
    const variables = { memberId: SEED.code };
    const calls = upstreamCalls(stack.emulator);
    for (let i = 0; i < 11; i++) expect((await send(stack.gateway, { query, variables, headers })).json.errors).toBeUndefined();
    expect(await lookups(stack.gateway, "KeptBudget")).toEqual({ miss: 1, hit: 10 });
    // The first read only: its page and its customers.
    const firstReadCalls = upstreamCalls(stack.emulator) - calls;
    expect(firstReadCalls).toBeGreaterThan(1);
    const spent = await send(stack.gateway, { query, variables, headers: { ...headers, "cache-control": "no-cache" } });
    expect(spent.json.errors).toBeUndefined();
    const refused = await send(stack.gateway, { query, variables, headers: { ...headers, "cache-control": "no-cache" } });
    expect(refused.json.errors?.[0]?.extensions?.code).toBe("RATE_LIMITED");
    expect(await stack.gateway.metrics.callerBudgetRefusals.get()).toMatchObject({ values: [{ value: 1 }] });
  });
});

describe("answers kept whole: they live no longer than the shortest remaining life of what they were built from", () => {
  let stack: Stack;
  let clock = 1_000_000_000_000;
  beforeAll(async () => {
    stack = await startStack({
      env: { ...ENV, CACHE_HOLDERS_TTL_MS: "5000", CACHE_CUSTOMERS_TTL_MS: "60000" },
      gateway: { now: () => clock },
    });
  });
  afterAll(async () => stack?.stop());

  test("an answer built from customers (60 s) and a page read with 2 s left lives 2 s, not 60", async () => {
    const headers = await token({ sub: "ttl" });
    const names = `query KeptNames($memberId: ID!) {
      referralMember(memberId: $memberId) { holders(first: 3) { nodes { customer { name } } } }
    }`;
    const start = clock;
    // The page and its customers are read at 0 s: the page lives until 5 s, the customers until 60 s.
    expect((await send(stack.gateway, { query: WITH_CUSTOMERS, variables: { memberId: SEED.code }, headers })).json.errors).toBeUndefined();
    // At 3 s another document reads the same page (from the cache, 2 s left) and the same customers.
    clock = start + 3000;
    const calls = upstreamCalls(stack.emulator);
    const names3s = await send(stack.gateway, { query: names, variables: { memberId: SEED.code }, headers });
    expect(upstreamCalls(stack.emulator)).toBe(calls);
    // Just before 5 s, both answers are served.
    clock = start + 4999;
    expect((await send(stack.gateway, { query: names, variables: { memberId: SEED.code }, headers })).body).toBe(names3s.body);
    await send(stack.gateway, { query: WITH_CUSTOMERS, variables: { memberId: SEED.code }, headers });
    expect(await lookups(stack.gateway, "KeptNames")).toEqual({ miss: 1, hit: 1 });
    expect(await lookups(stack.gateway, "KeptCustomers")).toEqual({ miss: 1, hit: 1 });
    expect(upstreamCalls(stack.emulator)).toBe(calls);
    // Past 5 s neither is: the page they hold has expired, though the customers have 55 s left.
    clock = start + 5001;
    await send(stack.gateway, { query: names, variables: { memberId: SEED.code }, headers });
    await send(stack.gateway, { query: WITH_CUSTOMERS, variables: { memberId: SEED.code }, headers });
    expect(await lookups(stack.gateway, "KeptNames")).toEqual({ miss: 2, hit: 1 });
    expect(await lookups(stack.gateway, "KeptCustomers")).toEqual({ miss: 2, hit: 1 });
    // One upstream call: the expired page, read again; the customers came from their cache.
    expect(upstreamCalls(stack.emulator)).toBe(calls + 1);
  });
});
