import { print } from "graphql";
import { SEED } from "../../src/emulator/seed.js";
import { MAX_ALIASES } from "../../src/limits/operation-limits.js";
import { graphql, startStack, type Stack } from "../support/stack.js";
import { AddHoldersDocument, RemoveHolderDocument } from "../generated/operations.js";

// Malformed requests, each answered with a 4xx or a GraphQL error, never a 5xx or a crash, and never reaching the
// upstream, except the few marked `upstream`: well-formed GraphQL with ids the gateway cannot know to be wrong
// (zero-width or RTL characters are legal in a string; only Voucherify knows no such code exists).

interface BadInput {
  name: string;
  send(url: string): Promise<Response>;
  /** Valid GraphQL the gateway must pass on: it reaches the upstream and comes back as a GraphQL error. */
  upstream?: true;
}

const HOLDERS = `query($m: ID!, $first: Int, $last: Int, $after: String, $before: String, $filter: HolderFilter) {
  referralMember(memberId: $m) { holders(first: $first, last: $last, after: $after, before: $before, filter: $filter) { totalCount } }
}`;
// The shipped example operations (schema/operations), sent with deliberately bad variables.
const ADD = print(AddHoldersDocument);
const REMOVE = print(RemoveHolderDocument);

const raw =
  (method: string, body?: string | Uint8Array, headers: Record<string, string> = { "content-type": "application/json" }, path = "") =>
  (url: string) =>
    fetch(url + path, { method, headers, body });
const json = (body: unknown) => raw("POST", JSON.stringify(body));
const op = (query: string, variables?: Record<string, unknown>) => json({ query, variables });
/** An addHolders mutation whose literal metadata argument is `depth` objects deep. */
const inlineMetadataNested = (depth: number) => `mutation {
  addHolders(input: { memberId: "${SEED.code}", holders: [{ sourceId: "a" }], metadata: ${"{ k: ".repeat(depth)}1${" }".repeat(depth)} }) {
    holders { id }
  }
}`;
const holders = (variables: Record<string, unknown>) => op(HOLDERS, { m: SEED.code, ...variables });
const add = (input: Record<string, unknown>) => op(ADD, { input: { memberId: SEED.code, ...input } });
const addOne = (holder: Record<string, unknown>) => add({ holders: [holder] });
const get =
  (query: string, headers: Record<string, string> = {}) =>
  (url: string) =>
    fetch(`${url}?query=${encodeURIComponent(query)}`, { headers });
const cursor = (text: string) => Buffer.from(text, "utf8").toString("base64url");

/** Filled in beforeAll: a real cursor of another member's connection. */
let otherMemberCursor = "";

const CORPUS: BadInput[] = [
  // HTTP and JSON framing
  { name: "invalid JSON", send: raw("POST", "{ not json") },
  { name: "truncated JSON", send: raw("POST", '{"query":"{ __typename') },
  { name: "empty body", send: raw("POST", "") },
  { name: "JSON null", send: raw("POST", "null") },
  { name: "JSON number", send: raw("POST", "42") },
  { name: "JSON string", send: raw("POST", '"{ __typename }"') },
  { name: "array of numbers", send: raw("POST", "[1, 2]") },
  { name: "batched operations", send: json([{ query: "{ __typename }" }, { query: "{ __typename }" }]) },
  { name: "no query", send: json({}) },
  { name: "query is a number", send: json({ query: 42 }) },
  { name: "query is an object", send: json({ query: { kind: "Document", definitions: [] } }) },
  { name: "variables is a string", send: json({ query: HOLDERS, variables: '{"m":"WELCOME-REF"}' }) },
  { name: "variables is an array", send: json({ query: HOLDERS, variables: [SEED.code] }) },
  { name: "operationName is a number", send: json({ query: "{ __typename }", operationName: 7 }) },
  { name: "extensions is a string", send: json({ query: "{ __typename }", extensions: "x" }) },
  {
    name: "persisted query hash that does not match its query",
    send: json({ query: "{ __typename }", extensions: { persistedQuery: { version: 1, sha256Hash: "0".repeat(64) } } }),
  },
  {
    name: "persisted query version 2",
    send: json({ query: "{ __typename }", extensions: { persistedQuery: { version: 2, sha256Hash: "0".repeat(64) } } }),
  },
  { name: "unknown persisted query hash", send: json({ extensions: { persistedQuery: { version: 1, sha256Hash: "0".repeat(64) } } }) },
  {
    name: "invalid UTF-8 outside strings",
    send: raw("POST", Buffer.concat([Buffer.from('{"query":'), Buffer.from([0xff, 0xfe]), Buffer.from("}")])),
  },
  { name: "body over 1 MiB", send: json({ query: "{ __typename }", variables: { pad: "x".repeat(1024 * 1024 + 1) } }) },
  {
    name: "text/plain (CSRF-simple content type)",
    send: raw("POST", JSON.stringify({ query: "{ __typename }" }), { "content-type": "text/plain" }),
  },
  { name: "form-urlencoded", send: raw("POST", "query=%7B__typename%7D", { "content-type": "application/x-www-form-urlencoded" }) },
  { name: "multipart/form-data", send: raw("POST", "--b\r\n\r\n--b--", { "content-type": "multipart/form-data; boundary=b" }) },
  { name: "no content type", send: raw("POST", JSON.stringify({ query: "{ __typename }" }), {}) },
  { name: "GET without a CSRF preflight header", send: get("{ __typename }") },
  {
    name: "GET mutation (with preflight header)",
    send: get(`mutation { removeHolder(input: { memberId: "${SEED.code}", holderId: "rh_x" }) { removedHolderId } }`, {
      "apollo-require-preflight": "1",
    }),
  },
  {
    name: "GET with a 64 KiB URL",
    send: get(`{ referralMember(memberId: "${"A".repeat(64 * 1024)}") { id } }`, { "apollo-require-preflight": "1" }),
  },
  { name: "PUT", send: raw("PUT", JSON.stringify({ query: "{ __typename }" })) },
  { name: "DELETE", send: raw("DELETE") },
  {
    name: "unknown path",
    send: raw("POST", JSON.stringify({ query: "{ __typename }" }), { "content-type": "application/json" }, "-admin"),
  },

  // Documents
  { name: "syntax error", send: op("{ referralMember(") },
  { name: "unknown field", send: op("{ nope }") },
  { name: "unknown argument", send: op(`{ referralMember(memberId: "X", bogus: 1) { id } }`) },
  {
    name: "unknown input field (literal)",
    send: op(`mutation { addHolders(input: { memberId: "X", holders: [{ sourceId: "a" }], bogus: 1 }) { holders { id } } }`),
  },
  { name: "unknown directive", send: op(`{ referralMember(memberId: "X") @foo { id } }`) },
  { name: "@include with a string", send: op(`{ referralMember(memberId: "X") @include(if: "yes") { id } }`) },
  { name: "subscription (no such root)", send: op("subscription { holders }") },
  { name: "two operations, no operationName", send: op("query A { __typename } query B { __typename }") },
  { name: "operationName not in the document", send: json({ query: "query A { __typename }", operationName: "B" }) },
  { name: "null literal for a non-null argument", send: op("{ referralMember(memberId: null) { id } }") },
  { name: "string literal for an Int", send: op(`{ referralMember(memberId: "X") { holders(first: "10") { totalCount } } }`) },
  { name: "lone surrogate escape in a literal", send: op(`{ referralMember(memberId: "\\uD800") { id } }`) },
  {
    name: "fragment cycle",
    send: op(`{ referralMember(memberId: "X") { ...A } } fragment A on ReferralMember { ...B } fragment B on ReferralMember { ...A }`),
  },
  {
    name: "deep nesting",
    send: op(`{ __type(name: "ReferralHolder") { ${"ofType { ".repeat(30)}name${" }".repeat(30)} } }`),
  },
  { name: "too many aliases", send: op(`{ ${Array.from({ length: MAX_ALIASES + 1 }, (_, i) => `a${i}: __typename`).join(" ")} }`) },
  {
    name: "too expensive (aliased max pages with customers)",
    send: op(
      `{ ${["a", "b", "c"]
        .map((a) => `${a}: referralMember(memberId: "${SEED.code}") { holders(first: 500) { nodes { customer { email } } } }`)
        .join(" ")} }`,
    ),
  },
  { name: "very long operation name", send: json({ query: `query ${"Q".repeat(100_000)} { __typename`, operationName: "Q" }) },

  // Variables: types, nulls, shapes
  { name: "missing required variable", send: op(HOLDERS, {}) },
  { name: "null for a non-null variable", send: holders({ m: null }) },
  { name: "first is a string", send: holders({ first: "ten" }) },
  { name: "first is a float", send: holders({ first: 1.5 }) },
  { name: "first is negative", send: holders({ first: -1 }) },
  { name: "first above the page maximum", send: holders({ first: 501 }) },
  { name: "first above 32-bit Int", send: holders({ first: 2 ** 31 }) },
  { name: "first is 1e300", send: raw("POST", `{"query":${JSON.stringify(HOLDERS)},"variables":{"m":"${SEED.code}","first":1e300}}`) },
  { name: "last is huge", send: holders({ last: 100_000 }) },
  { name: "first and last together", send: holders({ first: 5, last: 5 }) },
  { name: "after with last", send: holders({ last: 5, after: cursor(`h1:rh_x:${SEED.code}`) }) },
  { name: "before with first", send: holders({ first: 5, before: cursor(`h1:rh_x:${SEED.code}`) }) },
  { name: "memberId is an object", send: holders({ m: { id: SEED.code } }) },
  { name: "memberId is an array", send: holders({ m: [SEED.code] }) },
  { name: "memberId is a boolean", send: holders({ m: true }) },
  { name: "memberId of 100,000 characters", send: holders({ m: "W".repeat(100_000) }) },
  { name: "memberId empty", send: holders({ m: "" }) },
  { name: "memberId only spaces", send: holders({ m: "   " }) },
  { name: "memberId with NUL", send: holders({ m: "WELCOME\u0000-REF" }) },
  { name: "memberId with a newline", send: holders({ m: "WELCOME\n-REF" }) },
  {
    name: "memberId with a lone high surrogate",
    send: raw("POST", `{"query":${JSON.stringify(HOLDERS)},"variables":{"m":"WELCOME\\ud800"}}`),
  },
  {
    name: "memberId with a lone low surrogate",
    send: raw("POST", `{"query":${JSON.stringify(HOLDERS)},"variables":{"m":"\\udc00WELCOME"}}`),
  },
  { name: "memberId with a zero-width space", send: holders({ m: "WELCOME\u200B-REF" }), upstream: true },
  { name: "memberId with an RTL override", send: holders({ m: "\u202EFER-EMOCLEW" }), upstream: true },
  { name: "memberId with a path traversal", send: holders({ m: "../../v1/customers" }), upstream: true },
  {
    name: "prototype pollution in variables",
    send: raw("POST", `{"query":${JSON.stringify(HOLDERS)},"variables":{"m":"${SEED.code}","first":-1,"__proto__":{"polluted":true}}}`),
  },

  // Cursors
  { name: "cursor of another member", send: () => Promise.reject(new Error("replaced in beforeAll")) },
  { name: "cursor not base64url", send: holders({ after: "!!!" }) },
  { name: "cursor without the member", send: holders({ after: cursor("h1:rh_x") }) },
  { name: "cursor of an unknown version", send: holders({ after: cursor(`h2:rh_x:${SEED.code}`) }) },
  { name: "cursor of 10,000 characters", send: holders({ after: "A".repeat(10_000) }) },
  { name: "cursor with a zero-width holder id", send: holders({ after: cursor(`h1:rh_\u200Bx:${SEED.code}`) }) },
  { name: "empty cursor", send: holders({ after: "" }) },

  // Filters
  { name: "filter roles empty", send: holders({ filter: { roles: [] } }) },
  { name: "filter role unknown", send: holders({ filter: { roles: ["KING"] } }) },
  { name: "filter with 101 holder ids", send: holders({ filter: { holderIds: Array.from({ length: 101 }, (_, i) => `rh_${i}`) } }) },
  { name: "filter createdAfter not a date", send: holders({ filter: { createdAfter: "yesterday" } }) },
  { name: "filter unknown field", send: holders({ filter: { colour: "red" } }) },
  { name: "filter is a list", send: holders({ filter: [{ roles: ["REFEREE"] }] }) },
  { name: "filter customer id with a tab", send: holders({ filter: { customerIds: ["cust\t1"] } }) },

  // addHolders / removeHolder inputs
  { name: "addHolders with no holders", send: add({ holders: [] }) },
  { name: "addHolders with 101 holders", send: add({ holders: Array.from({ length: 101 }, (_, i) => ({ sourceId: `s${i}` })) }) },
  { name: "addHolders holder without id or sourceId", send: addOne({ name: "Nobody" }) },
  { name: "addHolders bad email", send: addOne({ sourceId: "a", email: "not-an-email" }) },
  { name: "addHolders impossible birthdate", send: addOne({ sourceId: "a", birthdate: "2023-02-30" }) },
  { name: "addHolders duplicate sourceIds", send: add({ holders: [{ sourceId: "dup" }, { sourceId: "dup" }] }) },
  { name: "addHolders name of 1,001 characters", send: addOne({ sourceId: "a", name: "n".repeat(1001) }) },
  { name: "addHolders metadata is a string", send: add({ holders: [{ sourceId: "a" }], metadata: "x" }) },
  { name: "addHolders metadata is an array", send: add({ holders: [{ sourceId: "a" }], metadata: [1, 2] }) },
  { name: "addHolders holders is an object of strings", send: add({ holders: ["a", "b"] }) },
  { name: "addHolders input is an array", send: op(ADD, { input: [{ memberId: SEED.code, holders: [{ sourceId: "a" }] }] }) },
  { name: "addHolders unknown input field", send: add({ holders: [{ sourceId: "a" }], sneaky: true }) },
  {
    name: "addHolders lone surrogate in a name",
    send: raw(
      "POST",
      `{"query":${JSON.stringify(ADD)},"variables":{"input":{"memberId":"${SEED.code}","holders":[{"sourceId":"a","name":"\\udfff"}]}}}`,
    ),
  },
  {
    name: "addHolders metadata nested 1,000 deep",
    send: raw(
      "POST",
      `{"query":${JSON.stringify(ADD)},"variables":{"input":{"memberId":"${SEED.code}","holders":[{"sourceId":"a"}],` +
        `"metadata":${'{"a":'.repeat(1000)}1${"}".repeat(1000)}}}}`,
    ),
  },
  { name: "addHolders address.line1 of 100,000 characters", send: addOne({ sourceId: "a", address: { line1: "x".repeat(100_000) } }) },
  { name: "addHolders name with NUL", send: addOne({ sourceId: "a", name: "Ada\u0000" }) },
  { name: "addHolders description with ESC", send: addOne({ sourceId: "a", description: "\u001b]0;owned\u0007" }) },
  { name: "addHolders phone of 51 characters", send: addOne({ sourceId: "a", phone: "1".repeat(51) }) },
  { name: "addHolders metadata over 16 KiB", send: add({ holders: [{ sourceId: "a" }], metadata: { blob: "x".repeat(16 * 1024) } }) },
  {
    name: "addHolders holder metadata nested 9 deep",
    send: addOne({ sourceId: "a", metadata: JSON.parse(`${'{"k":'.repeat(9)}1${"}".repeat(9)}`) }),
  },
  { name: "addHolders metadata with an empty key", send: add({ holders: [{ sourceId: "a" }], metadata: { "": 1 } }) },
  {
    name: "addHolders inline metadata nested 9 deep",
    send: op(inlineMetadataNested(9)),
  },
  {
    name: "addHolders inline metadata nested 1,200 deep",
    send: op(inlineMetadataNested(1200)),
  },
  {
    name: "addHolders inline metadata nested 20,000 deep",
    send: op(inlineMetadataNested(20_000)),
  },
  { name: "addHolders empty campaignId", send: add({ campaignId: "", holders: [{ sourceId: "a" }] }) },
  {
    name: "referralMember empty campaignId",
    send: op(HOLDERS.replace("referralMember(memberId: $m)", 'referralMember(memberId: $m, campaignId: "")'), { m: SEED.code }),
  },
  { name: "removeHolder campaignId of spaces", send: op(REMOVE, { input: { memberId: SEED.code, campaignId: "  ", holderId: "rh_x" } }) },
  { name: "cursor of 1,201 characters", send: holders({ after: "A".repeat(1201) }) },
  { name: "removeHolder empty holderId", send: op(REMOVE, { input: { memberId: SEED.code, holderId: "" } }) },
  { name: "removeHolder without input", send: op("mutation { removeHolder { removedHolderId } }") },
  { name: "removeHolder holderId with control characters", send: op(REMOVE, { input: { memberId: SEED.code, holderId: "rh_\u0007" } }) },
];

describe("bad input corpus", () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
    const other = await graphql(
      stack.gateway.graphqlUrl,
      `{ referralMember(memberId: "${SEED.otherCode}") { holders(first: 1) { edges { cursor } } } }`,
    );
    otherMemberCursor = other.data.referralMember.holders.edges[0].cursor;
    CORPUS.find((c) => c.name === "cursor of another member")!.send = holders({ after: otherMemberCursor });
  });
  afterAll(() => stack.stop());

  test("has at least 60 cases, with unique names", () => {
    expect(CORPUS.length).toBeGreaterThanOrEqual(60);
    expect(new Set(CORPUS.map((c) => c.name)).size).toBe(CORPUS.length);
  });

  test.each(CORPUS.map((c) => [c.name, c] as const))("%s", async (_name, badInput) => {
    stack.emulator.resetRequests();
    const response = await badInput.send(stack.gateway.graphqlUrl);
    const text = await response.text();
    expect(response.status).toBeLessThan(500);
    let errors: unknown[] | undefined;
    try {
      errors = (JSON.parse(text) as { errors?: unknown[] }).errors;
    } catch {
      errors = undefined;
    }
    // A 4xx, or a GraphQL error in a 200 (errors raised by resolvers, e.g. BAD_USER_INPUT, keep HTTP 200).
    expect(response.status >= 400 || (errors?.length ?? 0) > 0).toBe(true);
    // Bad input is the client's problem, said so: never an unexpected (masked in production) gateway error.
    expect(text).not.toContain("INTERNAL_SERVER_ERROR");
    if (badInput.upstream) {
      expect(stack.emulator.requests.length).toBeGreaterThan(0);
      expect(text).toContain("NOT_FOUND");
    } else {
      expect(stack.emulator.requests).toEqual([]);
    }
  });

  test("afterwards: nothing polluted, the gateway healthy and still answering real queries", async () => {
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect((await fetch(`${stack.gateway.url}/healthz`)).status).toBe(200);
    const health = await graphql(stack.gateway.graphqlUrl, `{ referralMember(memberId: "${SEED.code}") { holders { totalCount } } }`);
    expect(health.errors).toBeUndefined();
    expect(health.data.referralMember.holders.totalCount).toBe(SEED.refereeCount + 1);
    expect(stack.gateway.transport.inFlight).toBe(0);
  });
});
