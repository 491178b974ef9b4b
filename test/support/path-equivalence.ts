import { expect } from "@jest/globals";
import { loadConfig } from "../../src/config.js";
import { sha256Hex } from "../../src/documents/load-trusted-documents.js";
import { SHIPPED_DOCUMENTS } from "../../src/documents/shipped-documents.generated.js";
import { startEmulator, type EmulatorHandle, type FaultSpec, type RecordedRequest } from "../../src/emulator/emulator.js";
import { SEED } from "../../src/emulator/seed.js";
import { MASKED_MESSAGE } from "../../src/operation/error-masking.js";
import { startGateway, type GatewayHandle } from "../../src/server.js";
import { captureLogs } from "./log-capture.js";
import { ALL_SCOPES, bearer, signToken, TEST_JWT_SECRET } from "./tokens.js";

// The fast path must answer every document it runs exactly as Apollo Server does. Two gateways in front of one
// emulator, the same trusted documents: one runs them on the fast path, the other (fastPath: false) hands them to
// Apollo Server's pipeline. Every case sends the same request to both, in turn, and compares the status, the headers
// that matter, the body byte for byte, the operation's log line and metrics. Used by trusted-equivalence.test.ts
// (trusted documents by id) and repeated-equivalence.test.ts (general documents sent again and again, as text).

/** A shipped operation (schema/operations/), always trusted: its text, and its id (the sha256 of the text). */
export const textOf = (name: string): string => {
  const found = SHIPPED_DOCUMENTS.find((document) => document.name === name);
  if (!found) throw new Error(`no shipped operation ${name}`);
  return found.body;
};
export const idOf = (name: string): string => sha256Hex(textOf(name));

export const HEADERS_THAT_MATTER = [
  "content-type",
  "content-length",
  "cache-control",
  "x-request-id",
  "retry-after",
  "www-authenticate",
  "allow",
  "vary",
  "access-control-allow-origin",
  "access-control-expose-headers",
];
export const APP_ORIGIN = "https://app.example";
export const ROUTER_SECRET = "equivalence-router-secret-0123456789";
export const JSON_TYPE = "application/json; charset=utf-8";
export const GRAPHQL_RESPONSE_TYPE = "application/graphql-response+json; charset=utf-8";

export interface Answer {
  status: number;
  headers: Record<string, string | null>;
  body: string;
}

export async function answerOf(response: Response): Promise<Answer> {
  const headers = Object.fromEntries(HEADERS_THAT_MATTER.map((name) => [name, response.headers.get(name)]));
  return { status: response.status, headers, body: await response.text() };
}

/**
 * Voucherify's request id in an error's `extensions.upstream`: the emulator numbers its answers, so two requests never
 * share one. The only part of an answer that depends on which request it was, not on which path served it.
 */
export const withoutUpstreamRequestIds = (answer: Answer): Answer => ({
  ...answer,
  body: answer.body.replace(/"requestId":"v-[0-9a-f]+"/g, '"requestId":"v-<upstream>"'),
});

/** The operation log lines of one request, without what differs between any two runs (duration, time, process). */
export function operationLines(logs: ReturnType<typeof captureLogs>, requestId: string): Record<string, unknown>[] {
  return logs
    .lines()
    .filter((line) => line.requestId === requestId && line.msg === "graphql operation")
    .map(({ durationMs: _d, time: _t, pid: _p, hostname: _h, ...rest }) => ({
      ...rest,
      upstreamRequestIds: (rest.upstreamRequestIds as string[] | undefined)?.map(() => "v-<upstream>"),
    }));
}

/** The operation and error counters of one gateway, by labels. */
export async function counters(gateway: GatewayHandle): Promise<Map<string, number>> {
  const values = new Map<string, number>();
  for (const metric of [await gateway.metrics.operations.get(), await gateway.metrics.errors.get()]) {
    for (const { labels, value } of metric.values) values.set(`${metric.name} ${JSON.stringify(labels)}`, value);
  }
  return values;
}

/** What changed in the counters between two readings. */
export function countedSince(before: Map<string, number>, after: Map<string, number>): Record<string, number> {
  const changed: Record<string, number> = {};
  for (const [key, value] of after) if (value !== (before.get(key) ?? 0)) changed[key] = value - (before.get(key) ?? 0);
  return changed;
}

/** Two gateways in front of one emulator, alike but for the fast path; each one's log lines captured. */
export interface Pair {
  emulator: EmulatorHandle;
  fast: GatewayHandle;
  apollo: GatewayHandle;
  fastLogs: ReturnType<typeof captureLogs>;
  apolloLogs: ReturnType<typeof captureLogs>;
  stop(): Promise<void>;
}

/** The pair, with HS256 caller tokens and `env` on both sides. */
export async function startPair(env: Record<string, string>): Promise<Pair> {
  const emulator = await startEmulator({ dbFile: ":memory:", port: 0 });
  const config = loadConfig({ PORT: "0", LOG_LEVEL: "silent", AUTH_JWT_SECRET: TEST_JWT_SECRET, ...env });
  const fastLogs = captureLogs("info");
  const apolloLogs = captureLogs("info");
  const start = (fastPath: boolean) =>
    startGateway({
      config,
      upstreamUrl: emulator.url,
      credentials: { appId: emulator.appId, appToken: emulator.appToken },
      logger: (fastPath ? fastLogs : apolloLogs).logger,
      retryBaseDelayMs: 5,
      fastPath,
    });
  const fast = await start(true);
  const apollo = await start(false);
  return {
    emulator,
    fast,
    apollo,
    fastLogs,
    apolloLogs,
    async stop() {
      await fast.stop();
      await apollo.stop();
      await emulator.stop();
    },
  };
}

export interface Case {
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
  /** Voucherify's calls that match are held unanswered until both answers are in: only the gateway's timeout ends them. */
  upstreamHeld?: (request: RecordedRequest) => boolean;
  /** A bug: every upstream call of the request fails with an error of no known kind (a TypeError). */
  bug?: true;
  /** An unauthenticated POST is refused before its body (and so its document) is read: neither path runs. */
  refusedBeforeBody?: true;
  /** Expected of both answers (the cases are meant to cover these). */
  status: number;
  codes?: string[];
}

export const PAGE = { memberId: SEED.code, first: 10 };
/** What a bug's error would tell a client (it must never reach one in production). */
export const BUG_DETAIL = "Cannot read properties of undefined (reading 'internalDetail')";

export const CASES: Case[] = [
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
    upstreamHeld: (request) => request.path.includes("/holders"),
    status: 200,
    codes: ["UPSTREAM_TIMEOUT"],
  },
  {
    name: "a bug: an unexpected error is masked in production, its request id given to quote",
    operation: "ReferralHolders",
    variables: { memberId: SEED.code, first: 2 },
    bug: true,
    status: 200,
    codes: ["INTERNAL_SERVER_ERROR"],
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

/**
 * Accept headers, and the media type Apollo Server answers a query with for each (null: none, so 406). The usual ones
 * (Apollo Client, urql, relay, curl, browsers) and the corners of negotiation: order, q-values, wildcards, parameters.
 */
export const ACCEPTS: Array<[string | undefined, string | null]> = [
  [undefined, JSON_TYPE],
  ["", JSON_TYPE],
  ["*/*", JSON_TYPE],
  ["application/json", JSON_TYPE],
  ["application/graphql-response+json", GRAPHQL_RESPONSE_TYPE],
  ["application/graphql-response+json, application/json", GRAPHQL_RESPONSE_TYPE],
  ["application/graphql-response+json,application/json;q=0.9", GRAPHQL_RESPONSE_TYPE],
  ["application/json, application/graphql-response+json", JSON_TYPE],
  ["application/graphql-response+json;q=0.9, application/json", JSON_TYPE],
  ["application/json;q=0.5, application/graphql-response+json", GRAPHQL_RESPONSE_TYPE],
  ["application/*", JSON_TYPE],
  ["application/json; callbackSpec=1.0", "application/json; callbackSpec=1.0; charset=utf-8"],
  ["text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", JSON_TYPE],
  ["text/html", null],
  ["multipart/mixed", null],
];

/** How a case names its document: by a trusted document's id, or as text (a request's `query`). */
export type DocumentOf = (operation: string) => { documentId: string } | { query: string };

/** A trusted document by id. */
export const byId: DocumentOf = (operation) => ({ documentId: idOf(operation) });

/** The case's request to one gateway, as a client sends it (POST, or GET with the fields in the query string). */
export async function sendCase(gateway: GatewayHandle, testCase: Case, requestId: string, documentOf: DocumentOf): Promise<Answer> {
  const scope = testCase.scope === undefined ? ALL_SCOPES : testCase.scope;
  const auth = scope === null ? {} : bearer(await signToken({ sub: testCase.sub ?? "equivalence", scope }));
  const sent = {
    "x-request-id": requestId,
    origin: APP_ORIGIN,
    ...(testCase.accept ? { accept: testCase.accept } : {}),
    ...auth,
  };
  const fields = { ...documentOf(testCase.operation), variables: testCase.variables };
  const search = new URLSearchParams({ ...documentOf(testCase.operation), variables: JSON.stringify(fields.variables) });
  const response = testCase.get
    ? await fetch(`${gateway.graphqlUrl}?${search.toString()}`, { headers: { ...sent, "apollo-require-preflight": "true" } })
    : await fetch(gateway.graphqlUrl, {
        method: "POST",
        headers: { ...sent, "content-type": "application/json" },
        body: JSON.stringify(fields),
      });
  return answerOf(response);
}

/** The case on one gateway: its fault, held calls or bug for this request only; the budget case spends first. */
async function runCase(pair: Pair, gateway: GatewayHandle, testCase: Case, requestId: string, documentOf: DocumentOf): Promise<Answer> {
  if (testCase.status === 429) await sendCase(gateway, testCase, `${requestId}-spend`, documentOf);
  const { emulator } = pair;
  let release = () => {};
  if (testCase.fault) emulator.injectFault(testCase.fault);
  if (testCase.upstreamHeld)
    emulator.injectFault({ holdUntil: new Promise((resolve) => (release = () => resolve(null))), match: testCase.upstreamHeld });
  // A throwing observer of upstream calls: the call fails with its TypeError, as a bug in the gateway would.
  const bug = testCase.bug
    ? gateway.transport.onCall((event) => {
        if (event.requestId === requestId) throw new TypeError(BUG_DETAIL);
      })
    : () => {};
  try {
    return await sendCase(gateway, testCase, requestId, documentOf);
  } finally {
    bug();
    emulator.clearFaults();
    release();
  }
}

/**
 * One case on both gateways, compared: the fast path answered it (unless refused before its body), and its answer,
 * operation line and counters are Apollo Server's.
 */
export async function expectSameAnswers(pair: Pair, testCase: Case, requestId: string, documentOf: DocumentOf): Promise<void> {
  const { fast, apollo, fastLogs, apolloLogs } = pair;
  const answeredBefore = fast.fastPath!.answered;
  const fastCounted = await counters(fast);
  const viaFastPath = await runCase(pair, fast, testCase, requestId, documentOf);
  const fastCounts = countedSince(fastCounted, await counters(fast));
  // The budget case's spending request runs on the fast path too.
  const answeredNow = answeredBefore + (testCase.refusedBeforeBody ? 0 : testCase.status === 429 ? 2 : 1);
  expect(fast.fastPath!.answered).toBe(answeredNow);
  const apolloCounted = await counters(apollo);
  const viaApollo = await runCase(pair, apollo, testCase, requestId, documentOf);
  const apolloCounts = countedSince(apolloCounted, await counters(apollo));
  expect(apollo.fastPath).toBeNull();

  expect(viaFastPath.status).toBe(testCase.status);
  const codes = (JSON.parse(viaFastPath.body) as { errors?: Array<{ extensions: { code: string } }> }).errors?.map(
    (error) => error.extensions.code,
  );
  expect(codes).toEqual(testCase.codes);
  expect(viaFastPath.headers["x-request-id"]).toBe(requestId);
  expect(viaFastPath.headers["cache-control"]).toBe("no-store");
  if (testCase.bug) {
    expect(viaFastPath.body).toContain(`"message":"${MASKED_MESSAGE}"`);
    expect(viaFastPath.body).toContain(`"correlationId":"${requestId}"`);
    expect(viaFastPath.body).not.toContain("internalDetail");
    expect(viaFastPath.body).not.toContain("Cannot read properties");
  }

  expect(withoutUpstreamRequestIds(viaFastPath)).toEqual(withoutUpstreamRequestIds(viaApollo));
  // The same operation line (or none, when the context could not be built), durations and times aside.
  expect(operationLines(fastLogs, requestId)).toEqual(operationLines(apolloLogs, requestId));
  // The same operations, outcomes and error codes counted, by this case alone.
  expect(fastCounts).toEqual(apolloCounts);
}
