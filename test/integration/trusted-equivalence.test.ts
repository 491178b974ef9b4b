import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfig } from "../../src/config.js";
import { startEmulator, type EmulatorHandle, type FaultSpec } from "../../src/emulator/emulator.js";
import { SEED } from "../../src/emulator/seed.js";
import { createLogger } from "../../src/observability/logger.js";
import type { TrustedDocuments } from "../../src/documents/trusted-document.js";
import { startGateway, type GatewayHandle } from "../../src/server.js";
import { captureLogs } from "../support/log-capture.js";
import { startStack } from "../support/stack.js";
import { ALL_SCOPES, bearer, signToken, TEST_JWT_SECRET } from "../support/tokens.js";

// The fast path must answer every trusted document exactly as Apollo Server does. Two gateways in front of one
// emulator, the same trusted documents: one runs them on the fast path, the other (fastPath: false) hands their
// registered text to Apollo Server's pipeline. Every case sends the same request (by documentId) to both, in turn,
// and compares the status, the headers that matter and the body byte for byte.

// The shipped operations (schema/operations/) are always trusted; the test sends them by the id they have there.
let documents: TrustedDocuments;
const idOf = (name: string) => {
  const found = [...documents].find((document) => document.operationName === name);
  if (!found) throw new Error(`no trusted document ${name}`);
  return found.id;
};
const HEADERS_THAT_MATTER = [
  "content-type",
  "content-length",
  "cache-control",
  "x-request-id",
  "retry-after",
  "www-authenticate",
  "vary",
  "access-control-allow-origin",
  "access-control-expose-headers",
];
const APP_ORIGIN = "https://app.example";
const ROUTER_SECRET = "equivalence-router-secret-0123456789";

/** The operation log lines of one request, without what differs between any two runs (duration, time, process). */
function operationLines(logs: ReturnType<typeof captureLogs>, requestId: string): Record<string, unknown>[] {
  return logs
    .lines()
    .filter((line) => line.requestId === requestId && line.msg === "graphql operation")
    .map(({ durationMs: _d, time: _t, pid: _p, hostname: _h, ...rest }) => ({
      ...rest,
      upstreamRequestIds: (rest.upstreamRequestIds as string[] | undefined)?.map(() => "v-<upstream>"),
    }));
}

/**
 * Voucherify's request id in an error's `extensions.upstream`: the emulator numbers its answers, so two requests never
 * share one. The only part of an answer that depends on which request it was, not on which path served it.
 */
const withoutUpstreamRequestIds = (answer: Answer): Answer => ({
  ...answer,
  body: answer.body.replace(/"requestId":"v-[0-9a-f]+"/g, '"requestId":"v-<upstream>"'),
});

interface Answer {
  status: number;
  headers: Record<string, string | null>;
  body: string;
}

interface Case {
  name: string;
  operation: string;
  variables?: Record<string, unknown>;
  /** Scopes of the caller's token; null: no token. */
  scope?: string | null;
  sub?: string;
  accept?: string;
  /** GET with the fields in the query string (and Apollo's CSRF-preventing header). */
  get?: boolean;
  /** Injected into the emulator before each of the two requests (cleared after). */
  fault?: FaultSpec;
  /** An unauthenticated POST is refused before its body (and so its document) is read: neither path runs. */
  refusedBeforeBody?: true;
  /** Expected of both answers (the cases are meant to cover these). */
  status: number;
  codes?: string[];
}

const PAGE = { memberId: SEED.code, first: 10 };

const CASES: Case[] = [
  { name: "a 10-holder page", operation: "ReferralHolders", variables: PAGE, status: 200 },
  {
    name: "a page, graphql-response+json",
    operation: "ReferralHolders",
    variables: { memberId: SEED.code, first: 2 },
    accept: "application/graphql-response+json, application/json;q=0.9",
    status: 200,
  },
  { name: "a page by GET", operation: "ReferralHolders", variables: { memberId: SEED.code, first: 3 }, get: true, status: 200 },
  { name: "a page backwards", operation: "ReferralHoldersBackward", variables: { memberId: SEED.code, last: 3 }, status: 200 },
  {
    name: "a filtered page",
    operation: "FilteredHolders",
    variables: { memberId: SEED.code, filter: { roles: ["REFERRER"] }, first: 5 },
    status: 200,
  },
  {
    name: "bad input: a page size over the maximum",
    operation: "ReferralHolders",
    variables: { memberId: SEED.code, first: 501 },
    status: 200,
    codes: ["BAD_USER_INPUT"],
  },
  {
    name: "bad input: a variable of the wrong type",
    operation: "ReferralHolders",
    variables: { memberId: SEED.code, first: "ten" },
    status: 400,
    codes: ["BAD_USER_INPUT"],
  },
  {
    name: "bad input: a required variable missing",
    operation: "ReferralHolders",
    variables: {},
    status: 400,
    codes: ["BAD_USER_INPUT"],
  },
  {
    name: "bad input: a malformed cursor",
    operation: "ReferralHolders",
    variables: { memberId: SEED.code, first: 2, after: "not-a-cursor" },
    status: 200,
    codes: ["BAD_USER_INPUT"],
  },
  {
    name: "bad input: a lone surrogate in a variable",
    operation: "ReferralHolders",
    variables: { memberId: "\uD800", first: 2 },
    status: 400,
    codes: ["BAD_USER_INPUT"],
  },
  {
    name: "unknown member: NOT_FOUND at the holders' path",
    operation: "ReferralHolders",
    variables: { memberId: "NO-SUCH-CODE", first: 2 },
    status: 200,
    codes: ["NOT_FOUND"],
  },
  {
    name: "forbidden field: a token without customers:read gets the rest",
    operation: "ReferralHolders",
    variables: { memberId: SEED.code, first: 2 },
    scope: "referrals:read",
    status: 200,
    // Two holders, three personal-data fields each: null with FORBIDDEN at its path.
    codes: Array(6).fill("FORBIDDEN"),
  },
  {
    name: "forbidden operation: a token without referrals:read",
    operation: "ReferralHolders",
    variables: PAGE,
    scope: "customers:read",
    status: 403,
    codes: ["FORBIDDEN"],
  },
  {
    name: "forbidden mutation: a token without referrals:write",
    operation: "RemoveHolder",
    variables: { input: { memberId: SEED.code, holderId: "rh_000000000000000000" } },
    scope: "referrals:read customers:read",
    status: 403,
    codes: ["FORBIDDEN"],
  },
  {
    name: "unauthenticated: no token (GET: refused by the context, on each path)",
    operation: "ReferralHolders",
    variables: PAGE,
    scope: null,
    get: true,
    status: 401,
    codes: ["UNAUTHENTICATED"],
  },
  {
    name: "unauthenticated: no token (POST: refused from the headers, before the body and either path)",
    operation: "ReferralHolders",
    variables: PAGE,
    scope: null,
    refusedBeforeBody: true,
    status: 401,
    codes: ["UNAUTHENTICATED"],
  },
  {
    name: "unknown holder: removing it is NOT_FOUND",
    operation: "RemoveHolder",
    variables: { input: { memberId: SEED.code, holderId: "rh_000000000000000000" } },
    status: 200,
    codes: ["NOT_FOUND"],
  },
  {
    name: "bad input: addHolders with no holders",
    operation: "AddHolders",
    variables: { input: { memberId: SEED.code, holders: [] } },
    status: 200,
    codes: ["BAD_USER_INPUT"],
  },
  {
    name: "partial failure: one customer read fails, the page stands",
    operation: "ReferralHolders",
    variables: { memberId: SEED.code, first: 3 },
    fault: { status: 500, body: "{}", times: 1, match: (request) => request.path.startsWith("/v1/customers/") },
    status: 200,
    codes: ["UPSTREAM_ERROR", "UPSTREAM_ERROR", "UPSTREAM_ERROR"],
  },
  {
    name: "timeout: Voucherify does not answer in time",
    operation: "ReferralHolders",
    variables: { memberId: SEED.code, first: 2 },
    fault: { latencyMs: 3_000, match: (request) => request.path.includes("/holders") },
    status: 200,
    codes: ["UPSTREAM_TIMEOUT"],
  },
  {
    name: "429: the caller's budget is spent",
    operation: "ReferralHolders",
    variables: { memberId: SEED.code, first: 100 },
    sub: "big-spender",
    status: 429,
    codes: ["RATE_LIMITED"],
  },
];

describe("trusted documents: the fast path answers as Apollo Server does", () => {
  let emulator: EmulatorHandle;
  let fast: GatewayHandle;
  let apollo: GatewayHandle;
  const fastLogs = captureLogs("info");
  const apolloLogs = captureLogs("info");

  beforeAll(async () => {
    emulator = await startEmulator({ dbFile: ":memory:", port: 0 });
    const config = loadConfig({
      PORT: "0",
      LOG_LEVEL: "silent",
      NODE_ENV: "production",
      AUTH_JWT_SECRET: TEST_JWT_SECRET,
      // 101 (a 100-holder page with customers) fits once: the 429 case's second request is over it.
      CALLER_BUDGET_PER_MINUTE: "150",
      CACHE_HOLDERS_TTL_MS: "0",
      CACHE_CUSTOMERS_TTL_MS: "0",
      // Short enough for the timeout case, long enough for a cold first page on a busy machine.
      VOUCHERIFY_TIMEOUT_MS: "800",
      CORS_ORIGINS: APP_ORIGIN,
      ROUTER_SECRET,
    });
    const start = (fastPath: boolean) =>
      startGateway({
        config,
        upstreamUrl: emulator.url,
        credentials: { appId: emulator.appId, appToken: emulator.appToken },
        logger: (fastPath ? fastLogs : apolloLogs).logger,
        retryBaseDelayMs: 5,
        fastPath,
      });
    fast = await start(true);
    apollo = await start(false);
    documents = fast.trustedDocuments.documents;
  });
  afterAll(async () => {
    await fast?.stop();
    await apollo?.stop();
    await emulator?.stop();
  });

  async function send(gateway: GatewayHandle, testCase: Case, requestId: string): Promise<Answer> {
    const scope = testCase.scope === undefined ? ALL_SCOPES : testCase.scope;
    const auth = scope === null ? {} : bearer(await signToken({ sub: testCase.sub ?? "equivalence", scope }));
    const sent = {
      "x-request-id": requestId,
      origin: APP_ORIGIN,
      ...(testCase.accept ? { accept: testCase.accept } : {}),
      ...auth,
    };
    const fields = { documentId: idOf(testCase.operation), variables: testCase.variables };
    const search = new URLSearchParams({ documentId: fields.documentId, variables: JSON.stringify(fields.variables) });
    const response = testCase.get
      ? await fetch(`${gateway.graphqlUrl}?${search.toString()}`, { headers: { ...sent, "apollo-require-preflight": "true" } })
      : await fetch(gateway.graphqlUrl, {
          method: "POST",
          headers: { ...sent, "content-type": "application/json" },
          body: JSON.stringify(fields),
        });
    const headers = Object.fromEntries(HEADERS_THAT_MATTER.map((name) => [name, response.headers.get(name)]));
    return { status: response.status, headers, body: await response.text() };
  }

  /** The case on one gateway: its fault (if any) for this request only; the budget case spends first. */
  async function run(gateway: GatewayHandle, testCase: Case, requestId: string): Promise<Answer> {
    if (testCase.status === 429) await send(gateway, testCase, `${requestId}-spend`);
    if (testCase.fault) emulator.injectFault(testCase.fault);
    try {
      return await send(gateway, testCase, requestId);
    } finally {
      emulator.clearFaults();
    }
  }

  test.each(CASES.map((c, i) => [c.name, c, i] as const))("%s", async (_name, testCase, index) => {
    const requestId = `equivalence-${index}`;
    const answeredBefore = fast.fastPath!.answered;
    const viaFastPath = await run(fast, testCase, requestId);
    if (testCase.refusedBeforeBody) expect(fast.fastPath!.answered).toBe(answeredBefore);
    else expect(fast.fastPath!.answered).toBeGreaterThan(answeredBefore);
    const viaApollo = await run(apollo, testCase, requestId);
    expect(apollo.fastPath).toBeNull();

    expect(viaFastPath.status).toBe(testCase.status);
    const codes = (JSON.parse(viaFastPath.body) as { errors?: Array<{ extensions: { code: string } }> }).errors?.map(
      (error) => error.extensions.code,
    );
    expect(codes).toEqual(testCase.codes);
    expect(viaFastPath.headers["x-request-id"]).toBe(requestId);
    expect(viaFastPath.headers["cache-control"]).toBe("no-store");

    expect(withoutUpstreamRequestIds(viaFastPath)).toEqual(withoutUpstreamRequestIds(viaApollo));
    // The same operation line (or none, when the context could not be built), durations and times aside.
    expect(operationLines(fastLogs, requestId)).toEqual(operationLines(apolloLogs, requestId));
  });

  // After the cases, which both gateways answered alike (the tests below send to one only).
  test("both paths counted the same operations, outcomes and error codes in their metrics", async () => {
    const values = async (gateway: GatewayHandle) => {
      const [operations, errors] = await Promise.all([gateway.metrics.operations.get(), gateway.metrics.errors.get()]);
      const sorted = (metric: { values: Array<{ labels: object; value: number }> }) =>
        metric.values.map((v) => `${JSON.stringify(v.labels)} ${v.value}`).sort((a, b) => a.localeCompare(b));
      return { operations: sorted(operations), errors: sorted(errors) };
    };
    const fastValues = await values(fast);
    expect(fastValues.operations.length).toBeGreaterThan(0);
    expect(fastValues.errors.length).toBeGreaterThan(0);
    expect(fastValues).toEqual(await values(apollo));
  });

  test("an Accept header outside the usual ones is left to Apollo Server's negotiation", async () => {
    const answeredBefore = fast.fastPath!.answered;
    const response = await fetch(fast.graphqlUrl, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        accept: "application/json;q=0.5, application/graphql-response+json",
        ...bearer(await signToken({ sub: "negotiating", scope: ALL_SCOPES })),
      },
      body: JSON.stringify({ documentId: idOf("ReferralHolders"), variables: { memberId: SEED.code, first: 1 } }),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/graphql-response+json; charset=utf-8");
    expect(((await response.json()) as { errors?: unknown }).errors).toBeUndefined();
    expect(fast.fastPath!.answered).toBe(answeredBefore);
  });

  test("the router's requests for inline traces go to Apollo Server", async () => {
    const answeredBefore = fast.fastPath!.answered;
    const response = await fetch(fast.graphqlUrl, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "x-router-secret": ROUTER_SECRET,
        "apollo-federation-include-trace": "ftv1",
        ...bearer(await signToken({ sub: "router", scope: ALL_SCOPES })),
      },
      body: JSON.stringify({ documentId: idOf("ReferralHolders"), variables: { memberId: SEED.code, first: 1 } }),
    });
    const body = (await response.json()) as { extensions?: { ftv1?: string } };
    expect(response.status).toBe(200);
    expect(typeof body.extensions?.ftv1).toBe("string");
    expect(fast.fastPath!.answered).toBe(answeredBefore);
  });

  test("a write and its undo: addHolders and removeHolder answer alike (new ids and times aside)", async () => {
    const input = { memberId: SEED.code, holders: [{ sourceId: "equivalence-referee", name: "Eq Referee" }] };
    const add = (gateway: GatewayHandle) =>
      send(gateway, { name: "add", operation: "AddHolders", variables: { input }, status: 200 }, "eq-add");
    const remove = (gateway: GatewayHandle, holderId: string) =>
      send(
        gateway,
        { name: "remove", operation: "RemoveHolder", variables: { input: { memberId: SEED.code, holderId } }, status: 200 },
        "eq-rm",
      );
    const holderIdOf = (answer: Answer) =>
      (JSON.parse(answer.body) as { data: { addHolders: { holders: Array<{ id: string }> } } }).data.addHolders.holders[0].id;
    // The emulator gives each new holder a fresh id and creation time: those are the only differences allowed.
    const normalised = (answer: Answer, holderId: string) => ({
      ...answer,
      body: answer.body.replaceAll(holderId, "<holder id>").replace(/"createdAt":"[^"]+"/g, '"createdAt":"<time>"'),
    });

    const addedFast = await add(fast);
    const fastHolder = holderIdOf(addedFast);
    const removedFast = await remove(fast, fastHolder);
    const addedApollo = await add(apollo);
    const apolloHolder = holderIdOf(addedApollo);
    const removedApollo = await remove(apollo, apolloHolder);

    expect(addedFast.status).toBe(200);
    expect(JSON.parse(addedFast.body).errors).toBeUndefined();
    expect(normalised(addedFast, fastHolder)).toEqual(normalised(addedApollo, apolloHolder));
    expect(normalised(removedFast, fastHolder)).toEqual(normalised(removedApollo, apolloHolder));
  });
});

describe("trusted documents: upstream 429 on both paths", () => {
  test("Voucherify's 429 reaches the client alike", async () => {
    const emulator = await startEmulator({ dbFile: ":memory:", port: 0 });
    const config = loadConfig({ PORT: "0", LOG_LEVEL: "silent", NODE_ENV: "production", AUTH_JWT_SECRET: TEST_JWT_SECRET });
    // One gateway per path: each learns Voucherify's back-off from its own 429.
    const start = (fastPath: boolean) =>
      startGateway({
        config,
        upstreamUrl: emulator.url,
        credentials: { appId: emulator.appId, appToken: emulator.appToken },
        logger: createLogger(config.logLevel),
        retryBaseDelayMs: 5,
        fastPath,
      });
    const fast = await start(true);
    const apollo = await start(false);
    documents = fast.trustedDocuments.documents;
    try {
      const token = bearer(await signToken({ sub: "limited", scope: ALL_SCOPES }));
      const ask = async (gateway: GatewayHandle) => {
        emulator.injectFault({ status: 429, body: '{"code":429,"key":"too_many_requests"}', headers: { "retry-after": "7" }, times: 1 });
        const response = await fetch(gateway.graphqlUrl, {
          method: "POST",
          headers: { "content-type": "application/json", "x-request-id": "eq-429", ...token },
          body: JSON.stringify({ documentId: idOf("ReferralHolders"), variables: { memberId: SEED.code, first: 2 } }),
        });
        emulator.clearFaults();
        const headers = Object.fromEntries(HEADERS_THAT_MATTER.map((name) => [name, response.headers.get(name)]));
        return { status: response.status, headers, body: await response.text() };
      };
      const viaFastPath = await ask(fast);
      const viaApollo = await ask(apollo);
      expect(fast.fastPath!.answered).toBe(1);
      expect(viaFastPath.body).toContain('"code":"RATE_LIMITED"');
      expect(viaFastPath).toEqual(viaApollo);
    } finally {
      await fast.stop();
      await apollo.stop();
      await emulator.stop();
    }
  });
});

describe("trusted documents: development mode (stack traces in errors) on both paths", () => {
  test("the same answers, stack traces aside (they name each path's own frames)", async () => {
    const emulator = await startEmulator({ dbFile: ":memory:", port: 0 });
    const config = loadConfig({ PORT: "0", LOG_LEVEL: "silent", AUTH_JWT_SECRET: TEST_JWT_SECRET });
    const start = (fastPath: boolean) =>
      startGateway({
        config,
        upstreamUrl: emulator.url,
        credentials: { appId: emulator.appId, appToken: emulator.appToken },
        logger: createLogger(config.logLevel),
        fastPath,
      });
    const fast = await start(true);
    const apollo = await start(false);
    documents = fast.trustedDocuments.documents;
    // Each frame list differs by path; that there is one, and the rest of the answer, must not.
    const withoutFrames = (body: string) => body.replace(/"stacktrace":\[[^\]]*\]/g, '"stacktrace":"<frames>"');
    try {
      const token = bearer(await signToken({ sub: "developer", scope: "referrals:read" }));
      const cases: Array<[string, Record<string, unknown>, Record<string, string>]> = [
        ["NOT_FOUND", { memberId: "NO-SUCH-CODE", first: 2 }, token],
        ["BAD_USER_INPUT (variables)", { memberId: SEED.code, first: "ten" }, token],
        ["FORBIDDEN fields", { memberId: SEED.code, first: 1 }, token],
        ["UNAUTHENTICATED", { memberId: SEED.code, first: 1 }, {}],
      ];
      for (const [name, variables, auth] of cases) {
        const ask = async (gateway: GatewayHandle) => {
          const response = await fetch(gateway.graphqlUrl, {
            method: "POST",
            headers: { "content-type": "application/json", "x-request-id": "eq-dev", ...auth },
            body: JSON.stringify({ documentId: idOf("ReferralHolders"), variables }),
          });
          const answer = { status: response.status, headers: {}, body: withoutFrames(await response.text()) };
          return { name, ...withoutUpstreamRequestIds(answer) };
        };
        const viaFastPath = await ask(fast);
        expect(viaFastPath.body).toContain('"stacktrace":"<frames>"');
        expect(viaFastPath).toEqual(await ask(apollo));
      }
      expect(fast.fastPath!.answered).toBe(cases.length);
    } finally {
      await fast.stop();
      await apollo.stop();
      await emulator.stop();
    }
  });
});

describe("trusted documents: introspection stays Apollo's to allow", () => {
  test("with introspection off, a trusted document that introspects is refused as Apollo refuses it", async () => {
    const dir = mkdtempSync(join(tmpdir(), "trusted-introspection-"));
    const manifest = join(dir, "persisted-documents.json");
    writeFileSync(manifest, JSON.stringify({ "schema-probe": "query SchemaProbe { __schema { queryType { name } } }" }));
    const { stop, gateway } = await startStack({
      env: { NODE_ENV: "production", AUTH_JWT_SECRET: TEST_JWT_SECRET, TRUSTED_DOCUMENTS: manifest },
    }).then((stack) => ({ stop: () => stack.stop(), gateway: stack.gateway }));
    try {
      const response = await fetch(gateway.graphqlUrl, {
        method: "POST",
        headers: { "content-type": "application/json", ...bearer(await signToken({ sub: "probe", scope: ALL_SCOPES })) },
        body: JSON.stringify({ documentId: "schema-probe" }),
      });
      const body = (await response.json()) as { data?: unknown; errors?: Array<{ extensions: { code: string } }> };
      expect(response.status).toBe(400);
      expect(body.data).toBeUndefined();
      expect(body.errors?.map((error) => error.extensions.code)).toEqual(["GRAPHQL_VALIDATION_FAILED"]);
      expect(gateway.fastPath!.answered).toBe(0);
    } finally {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
