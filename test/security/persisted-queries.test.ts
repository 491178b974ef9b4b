import { createHash } from "node:crypto";
import { SEED } from "../../src/emulator/seed.js";
import { captureLogs } from "../support/log-capture.js";
import { startStack, type Stack } from "../support/stack.js";

// Automatic persisted queries over real HTTP, answered with Apollo Server's own codes and never as a gateway bug:
// a wrong hash is the client's bad request (no INTERNAL_SERVER_ERROR, no error-level log line).

const QUERY = `query PersistedHolders { referralMember(memberId: "${SEED.code}") { holders(first: 2) { totalCount } } }`;
const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");
const persisted = (hash: string, version = 1) => ({ persistedQuery: { version, sha256Hash: hash } });

describe.each(["development", "production"])("automatic persisted queries (NODE_ENV=%s)", (nodeEnv) => {
  let stack: Stack;
  const logs = captureLogs("trace");

  beforeAll(async () => {
    // The response cache stays off: "ran" is proven by the operation's upstream calls.
    stack = await startStack({
      env: { NODE_ENV: nodeEnv, AUTH_DISABLED: "true", CACHE_HOLDERS_TTL_MS: "0", CACHE_CUSTOMERS_TTL_MS: "0" },
      gateway: { logger: logs.logger },
    });
  });
  afterAll(() => stack.stop());

  async function post(body: Record<string, unknown>) {
    stack.emulator.resetRequests();
    const response = await fetch(stack.gateway.graphqlUrl, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- a response's data is untyped JSON; the assertions check its shape
    const json = (await response.json()) as { data?: any; errors?: Array<{ message: string; extensions?: Record<string, unknown> }> };
    return { status: response.status, ...json, upstreamCalls: stack.emulator.requests.length };
  }

  test("an unknown hash alone: PERSISTED_QUERY_NOT_FOUND, so the client resends with the query", async () => {
    const answer = await post({ extensions: persisted("0".repeat(64)) });
    expect(answer.status).toBe(200);
    expect(answer.errors).toEqual([expect.objectContaining({ message: "PersistedQueryNotFound" })]);
    expect(answer.errors![0].extensions?.code).toBe("PERSISTED_QUERY_NOT_FOUND");
    expect(answer.upstreamCalls).toBe(0);
  });

  test("a query with a hash that is not its sha256: BAD_REQUEST, HTTP 400, nothing run or stored", async () => {
    const wrongHash = sha256(`${QUERY} `);
    const answer = await post({ query: QUERY, extensions: persisted(wrongHash) });
    expect(answer.status).toBe(400);
    expect(answer.data).toBeUndefined();
    expect(answer.errors).toHaveLength(1);
    expect(answer.errors![0].message).toBe("provided sha does not match query");
    expect(answer.errors![0].extensions?.code).toBe("BAD_REQUEST");
    expect(answer.upstreamCalls).toBe(0);
    // Not registered under the wrong hash either.
    const later = await post({ extensions: persisted(wrongHash) });
    expect(later.errors![0].extensions?.code).toBe("PERSISTED_QUERY_NOT_FOUND");
  });

  test("an unsupported persisted-query version: BAD_REQUEST, HTTP 400", async () => {
    const answer = await post({ query: QUERY, extensions: persisted(sha256(QUERY), 2) });
    expect(answer.status).toBe(400);
    expect(answer.errors![0].extensions?.code).toBe("BAD_REQUEST");
    expect(answer.upstreamCalls).toBe(0);
  });

  test("the right hash with the query runs and registers it; then the hash alone runs it from the cache", async () => {
    const hash = sha256(QUERY);
    const registered = await post({ query: QUERY, extensions: persisted(hash) });
    expect(registered.errors).toBeUndefined();
    expect(registered.data.referralMember.holders.totalCount).toBe(SEED.refereeCount + 1);
    const fromCache = await post({ extensions: persisted(hash) });
    expect(fromCache.status).toBe(200);
    expect(fromCache.errors).toBeUndefined();
    expect(fromCache.data).toEqual(registered.data);
    expect(fromCache.upstreamCalls).toBeGreaterThan(0);
    // And over GET, as CDN-friendly clients send it.
    const search = new URLSearchParams({ extensions: JSON.stringify(persisted(hash)) });
    const viaGet = await fetch(`${stack.gateway.graphqlUrl}?${search.toString()}`, { headers: { "apollo-require-preflight": "1" } });
    expect(viaGet.status).toBe(200);
    expect(((await viaGet.json()) as { data: unknown }).data).toEqual(registered.data);
  });

  test("none of it was logged as an error, and no answer said INTERNAL_SERVER_ERROR", () => {
    const errorLines = logs.lines().filter((line) => Number(line.level) >= 50);
    expect(errorLines).toEqual([]);
    expect(logs.text()).not.toContain("INTERNAL_SERVER_ERROR");
    expect(logs.text()).not.toContain('provided sha does not match query","stack');
  });
});
