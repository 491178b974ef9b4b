import { getIntrospectionQuery } from "graphql";
import { SEED } from "../../src/emulator/seed.js";
import { COMPILE_AFTER_SIGHTINGS } from "../../src/execution/compiled-execution.js";
import { REPEATED_TEXT_MAX_CHARS } from "../../src/execution/repeated-documents.js";
import type { GatewayHandle } from "../../src/server.js";
import { CASES, expectSameAnswers, type DocumentOf, type Pair, startPair, textOf } from "../support/path-equivalence.js";
import { startStack, type Stack } from "../support/stack.js";
import { ALL_SCOPES, bearer, signToken, TEST_JWT_SECRET } from "../support/tokens.js";

// General documents (sent as text, not trusted) that repeat run on the fast path from the sighting graphql-jit would
// compile them on: every case of the trusted documents' equivalence suite, sent as a text no trusted document has,
// answers as Apollo Server's pipeline answers it (test/support/path-equivalence.ts), log line and counters included.

/** A shipped operation made general: `__typename` asked first, so its tokens are no trusted document's. */
const generalTextOf = (operation: string): string => textOf(operation).replace("{", "{ __typename ");
const byText: DocumentOf = (operation) => ({ query: generalTextOf(operation) });

async function post(gateway: GatewayHandle, body: Record<string, unknown>, headers: Record<string, string> = {}) {
  const response = await fetch(gateway.graphqlUrl, {
    method: "POST",
    headers: { "content-type": "application/json", ...bearer(await signToken({ sub: "repeating", scope: ALL_SCOPES })), ...headers },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: await response.text() };
}

describe("general documents that repeat: the fast path answers as Apollo Server does (production)", () => {
  let pair: Pair;
  beforeAll(async () => {
    pair = await startPair({
      NODE_ENV: "production",
      CALLER_BUDGET_PER_MINUTE: "150",
      CACHE_HOLDERS_TTL_MS: "0",
      CACHE_CUSTOMERS_TTL_MS: "0",
      VOUCHERIFY_TIMEOUT_MS: "1000",
      CORS_ORIGINS: "https://app.example",
    });
    // Each text seen before each case's request, on both gateways: the case's request is the one graphql-jit
    // compiles on. Without variables, Apollo refuses them before any upstream call or budget.
    for (const operation of new Set(CASES.map((c) => c.operation))) {
      for (let sighting = 1; sighting < COMPILE_AFTER_SIGHTINGS; sighting++) {
        for (const gateway of [pair.fast, pair.apollo]) expect((await post(gateway, { query: generalTextOf(operation) })).status).toBe(400);
      }
    }
    expect(pair.fast.fastPath!.answered).toBe(0);
  });
  afterAll(() => pair?.stop());

  test.each(CASES.map((c, i) => [c.name, c, i] as const))("%s", async (_name, testCase, index) => {
    await expectSameAnswers(pair, testCase, `repeated-${index}`, byText);
  });
});

describe("general documents that repeat: which run on the fast path", () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ env: { NODE_ENV: "production", AUTH_JWT_SECRET: TEST_JWT_SECRET, CACHE_ANSWERS_MAX_BYTES: "0" } });
  });
  afterAll(() => stack?.stop());

  const page = (extra = "") => `query Page${extra}($m: ID!) { referralMember(memberId: $m) { holders(first: 2) { totalCount } } }`;

  /** Sends the body `times` times; returns the answers and how many the fast path gave. */
  async function repeat(body: Record<string, unknown>, times: number, headers?: Record<string, string>) {
    const before = stack.gateway.fastPath!.answered;
    const answers = [];
    for (let i = 0; i < times; i++) answers.push(await post(stack.gateway, body, headers));
    return { answers, onFastPath: stack.gateway.fastPath!.answered - before };
  }

  test("a text runs on Apollo's pipeline until it repeats, then on the fast path, with the same answer", async () => {
    const { answers, onFastPath } = await repeat({ query: page("A"), variables: { m: SEED.code } }, COMPILE_AFTER_SIGHTINGS + 1);
    expect(onFastPath).toBe(2);
    expect(answers[0].status).toBe(200);
    expect(answers[0].body).toContain('"totalCount"');
    for (const answer of answers) expect(answer).toEqual(answers[0]);
  });

  test("a text that does not validate stays Apollo's, refused alike every time", async () => {
    const { answers, onFastPath } = await repeat({ query: "query Bad { referralMember(memberId: 1) { noSuchField } }" }, 3);
    expect(onFastPath).toBe(0);
    expect(answers[0].status).toBe(400);
    expect(answers[0].body).toContain("GRAPHQL_VALIDATION_FAILED");
    for (const answer of answers) expect(answer).toEqual(answers[0]);
  });

  test("requests Apollo would refuse, or check against a persisted query, stay Apollo's", async () => {
    const query = page("B");
    await repeat({ query, variables: { m: SEED.code } }, COMPILE_AFTER_SIGHTINGS);
    const hash = "0".repeat(64);
    const cases: Array<[string, Record<string, unknown>, Record<string, string>?]> = [
      ["an unknown operation name", { query, operationName: "Other", variables: { m: SEED.code } }],
      ["variables that are not an object", { query, variables: "m" }],
      [
        "a persisted query's hash",
        { query, variables: { m: SEED.code }, extensions: { persistedQuery: { version: 1, sha256Hash: hash } } },
      ],
      ["CSRF prevention (text/plain)", { query, variables: { m: SEED.code } }, { "content-type": "text/plain" }],
    ];
    for (const [what, body, headers] of cases) {
      const { answers, onFastPath } = await repeat(body, 1, headers);
      expect({ what, onFastPath, status: answers[0].status }).toEqual({ what, onFastPath: 0, status: 400 });
    }
  });

  test(`a text over ${REPEATED_TEXT_MAX_CHARS} characters is never tracked`, async () => {
    const padding = " ".repeat(REPEATED_TEXT_MAX_CHARS);
    const { answers, onFastPath } = await repeat({ query: `${page("C")}${padding}`, variables: { m: SEED.code } }, 3);
    expect(onFastPath).toBe(0);
    expect(answers[0].status).toBe(200);
  });
});

describe("general documents that repeat: development", () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ env: { AUTH_DISABLED: "true" } });
  });
  afterAll(() => stack?.stop());

  test("the introspection query Sandbox sends again and again answers alike on either path", async () => {
    const query = getIntrospectionQuery();
    const before = stack.gateway.fastPath!.answered;
    const answers = [];
    for (let i = 0; i <= COMPILE_AFTER_SIGHTINGS; i++)
      answers.push(await post(stack.gateway, { query, operationName: "IntrospectionQuery" }));
    expect(stack.gateway.fastPath!.answered - before).toBe(2);
    expect(answers[0].status).toBe(200);
    expect(answers[0].body).toContain('"__schema"');
    for (const answer of answers) expect(answer).toEqual(answers[0]);
  });
});
