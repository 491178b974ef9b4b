import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { request } from "undici";
import { loadConfig } from "../../src/config.js";
import { sha256Hex } from "../../src/documents/load-trusted-documents.js";
import { SHIPPED_DOCUMENTS } from "../../src/documents/shipped-documents.generated.js";
import { startEmulator, type EmulatorHandle, type FaultSpec, type RecordedRequest } from "../../src/emulator/emulator.js";
import { SEED } from "../../src/emulator/seed.js";
import { MASKED_MESSAGE } from "../../src/operation/error-masking.js";
import { startGateway, type GatewayHandle } from "../../src/server.js";
import { captureLogs } from "../support/log-capture.js";
import { startPlainApollo, type PlainApollo } from "../support/plain-apollo.js";
import { startStack } from "../support/stack.js";
import { ALL_SCOPES, bearer, signToken, TEST_JWT_SECRET } from "../support/tokens.js";

// The fast path must answer every trusted document exactly as Apollo Server does. Two gateways in front of one
// emulator, the same trusted documents: one runs them on the fast path, the other (fastPath: false) hands their
// registered text to Apollo Server's pipeline. Every case sends the same request (by documentId) to both, in turn,
// and compares the status, the headers that matter, the body byte for byte, the operation's log line and metrics.
// The answers the gateway writes itself (refusals) are compared with a plain Apollo Server's as well.

/** A shipped operation (schema/operations/), always trusted: its text, and its id (the sha256 of the text). */
const textOf = (name: string): string => {
  const found = SHIPPED_DOCUMENTS.find((document) => document.name === name);
  if (!found) throw new Error(`no shipped operation ${name}`);
  return found.body;
};
const idOf = (name: string): string => sha256Hex(textOf(name));

const HEADERS_THAT_MATTER = [
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
const APP_ORIGIN = "https://app.example";
const ROUTER_SECRET = "equivalence-router-secret-0123456789";
const JSON_TYPE = "application/json; charset=utf-8";
const GRAPHQL_RESPONSE_TYPE = "application/graphql-response+json; charset=utf-8";

interface Answer {
  status: number;
  headers: Record<string, string | null>;
  body: string;
}

async function answerOf(response: Response): Promise<Answer> {
  const headers = Object.fromEntries(HEADERS_THAT_MATTER.map((name) => [name, response.headers.get(name)]));
  return { status: response.status, headers, body: await response.text() };
}

/**
 * Voucherify's request id in an error's `extensions.upstream`: the emulator numbers its answers, so two requests never
 * share one. The only part of an answer that depends on which request it was, not on which path served it.
 */
const withoutUpstreamRequestIds = (answer: Answer): Answer => ({
  ...answer,
  body: answer.body.replace(/"requestId":"v-[0-9a-f]+"/g, '"requestId":"v-<upstream>"'),
});

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

/** The operation and error counters of one gateway, by labels. */
async function counters(gateway: GatewayHandle): Promise<Map<string, number>> {
  const values = new Map<string, number>();
  for (const metric of [await gateway.metrics.operations.get(), await gateway.metrics.errors.get()]) {
    for (const { labels, value } of metric.values) values.set(`${metric.name} ${JSON.stringify(labels)}`, value);
  }
  return values;
}

/** What changed in the counters between two readings. */
function countedSince(before: Map<string, number>, after: Map<string, number>): Record<string, number> {
  const changed: Record<string, number> = {};
  for (const [key, value] of after) if (value !== (before.get(key) ?? 0)) changed[key] = value - (before.get(key) ?? 0);
  return changed;
}

/** Two gateways in front of one emulator, alike but for the fast path; each one's log lines captured. */
interface Pair {
  emulator: EmulatorHandle;
  fast: GatewayHandle;
  apollo: GatewayHandle;
  fastLogs: ReturnType<typeof captureLogs>;
  apolloLogs: ReturnType<typeof captureLogs>;
  stop(): Promise<void>;
}

/** The pair, with HS256 caller tokens and `env` on both sides. */
async function startPair(env: Record<string, string>): Promise<Pair> {
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

const PAGE = { memberId: SEED.code, first: 10 };
/** What a bug's error would tell a client (it must never reach one in production). */
const BUG_DETAIL = "Cannot read properties of undefined (reading 'internalDetail')";

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
const ACCEPTS: Array<[string | undefined, string | null]> = [
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

describe("trusted documents: the fast path answers as Apollo Server does (production, TRUSTED_DOCUMENTS_ONLY)", () => {
  let pair: Pair;
  let plain: PlainApollo;
  const env = {
    NODE_ENV: "production",
    // 101 (a 100-holder page with customers) fits once: the 429 case's second request is over it.
    CALLER_BUDGET_PER_MINUTE: "150",
    CACHE_HOLDERS_TTL_MS: "0",
    CACHE_CUSTOMERS_TTL_MS: "0",
    // Long enough for a cold first page on a busy machine; the timeout case holds its call past it.
    VOUCHERIFY_TIMEOUT_MS: "1000",
    CORS_ORIGINS: APP_ORIGIN,
    ROUTER_SECRET,
    TRUSTED_DOCUMENTS_ONLY: "true",
  };

  beforeAll(async () => {
    pair = await startPair(env);
    const { emulator } = pair;
    plain = await startPlainApollo(loadConfig({ PORT: "0", LOG_LEVEL: "silent", AUTH_JWT_SECRET: TEST_JWT_SECRET, ...env }), {
      url: emulator.url,
      credentials: { appId: emulator.appId, appToken: emulator.appToken },
    });
  });
  afterAll(async () => {
    await plain?.stop();
    await pair?.stop();
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
    return answerOf(response);
  }

  /** The case on one gateway: its fault, held calls or bug for this request only; the budget case spends first. */
  async function run(gateway: GatewayHandle, testCase: Case, requestId: string): Promise<Answer> {
    if (testCase.status === 429) await send(gateway, testCase, `${requestId}-spend`);
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
      return await send(gateway, testCase, requestId);
    } finally {
      bug();
      emulator.clearFaults();
      release();
    }
  }

  test.each(CASES.map((c, i) => [c.name, c, i] as const))("%s", async (_name, testCase, index) => {
    const { fast, apollo, fastLogs, apolloLogs } = pair;
    const requestId = `equivalence-${index}`;
    const answeredBefore = fast.fastPath!.answered;
    const fastCounted = await counters(fast);
    const viaFastPath = await run(fast, testCase, requestId);
    const fastCounts = countedSince(fastCounted, await counters(fast));
    if (testCase.refusedBeforeBody) expect(fast.fastPath!.answered).toBe(answeredBefore);
    else expect(fast.fastPath!.answered).toBeGreaterThan(answeredBefore);
    const apolloCounted = await counters(apollo);
    const viaApollo = await run(apollo, testCase, requestId);
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
  });

  test.each(ACCEPTS)(
    "Accept %j: the fast path answers with %j as Apollo does, or leaves the request to Apollo",
    async (accept, mediaType) => {
      const ask = async (gateway: GatewayHandle) => {
        const response = await request(gateway.graphqlUrl, {
          method: "POST",
          headers: {
            "content-type": "application/json",
            "x-request-id": "eq-accept",
            ...(accept === undefined ? {} : { accept }),
            ...bearer(await signToken({ sub: "negotiating", scope: ALL_SCOPES })),
          },
          body: JSON.stringify({ documentId: idOf("ReferralHolders"), variables: { memberId: SEED.code, first: 1 } }),
        });
        return { status: response.statusCode, contentType: response.headers["content-type"], body: await response.body.text() };
      };
      const answeredBefore = pair.fast.fastPath!.answered;
      const viaFastPath = await ask(pair.fast);
      expect(pair.fast.fastPath!.answered).toBe(answeredBefore + (mediaType === null ? 0 : 1));
      expect(viaFastPath).toEqual(await ask(pair.apollo));
      expect(viaFastPath.status).toBe(mediaType === null ? 406 : 200);
      expect(viaFastPath.contentType).toBe(mediaType ?? JSON_TYPE);
    },
  );

  describe("refusals the gateway writes itself read as a plain Apollo Server's", () => {
    interface Refusal {
      status: number;
      headers: Record<string, string | undefined>;
      body: string;
    }

    async function ask(
      url: string,
      accept: string | undefined,
      options: { method?: "GET" | "POST"; search?: Record<string, string>; headers?: Record<string, string>; body?: string | Buffer },
    ): Promise<Refusal> {
      const search = options.search ? `?${new URLSearchParams(options.search).toString()}` : "";
      const response = await request(`${url}${search}`, {
        method: options.method ?? "POST",
        headers: { ...(accept === undefined ? {} : { accept }), ...options.headers },
        body: options.body,
      });
      const headers: Record<string, string | undefined> = {};
      for (const name of ["content-type", "www-authenticate", "allow"]) headers[name] = response.headers[name] as string | undefined;
      return { status: response.statusCode, headers, body: await response.body.text() };
    }

    const token = () => signToken({ sub: "refused", scope: ALL_SCOPES }).then(bearer);
    const json = { "content-type": "application/json" };

    test.each(ACCEPTS)("Accept %j", async (accept) => {
      const gateway = pair.fast.graphqlUrl;
      const auth = await token();
      const both = async (options: Parameters<typeof ask>[2]) => [
        await ask(gateway, accept, options),
        await ask(plain.url, accept, options),
      ];

      // Refusals Apollo gives for the same request: the same answer, byte for byte.
      const page = { memberId: SEED.code, first: 1 };
      const sameAsApollo: Array<[string, Parameters<typeof ask>[2]]> = [
        [
          "a caller refused from its headers",
          { headers: json, body: JSON.stringify({ query: textOf("ReferralHolders"), variables: page }) },
        ],
        [
          "CSRF prevention",
          { method: "GET", headers: auth, search: { query: textOf("ReferralHolders"), variables: JSON.stringify(page) } },
        ],
        [
          "a request's shape",
          { headers: { ...json, ...auth }, body: JSON.stringify({ query: textOf("ReferralHolders"), variables: JSON.stringify(page) }) },
        ],
        [
          "a GET's Content-Type",
          {
            method: "GET",
            headers: { ...auth, "content-type": "text/plain", "apollo-require-preflight": "true" },
            search: { query: textOf("ReferralHolders"), variables: JSON.stringify(page) },
          },
        ],
        [
          "a mutation over GET (refused as an operation)",
          {
            method: "GET",
            headers: { ...auth, "apollo-require-preflight": "true" },
            search: { query: textOf("RemoveHolder"), variables: JSON.stringify({ input: { memberId: SEED.code, holderId: "rh_1" } }) },
          },
        ],
      ];
      for (const [what, options] of sameAsApollo) {
        const [fromGateway, fromApollo] = await both(options);
        expect({ what, ...fromGateway }).toEqual({ what, ...fromApollo });
        expect(fromGateway.status).toBeGreaterThanOrEqual(400);
      }

      // Refusals only the gateway gives: Apollo's media type for a refused request, or for a refused operation.
      const withJson = { ...json, ...auth };
      const refusedRequest = await ask(plain.url, accept, { headers: withJson, body: "{}" });
      const refusedOperation = await ask(plain.url, accept, { headers: withJson, body: JSON.stringify({ query: "{" }) });
      expect(refusedRequest.status).toBe(400);
      const gatewayOnly: Array<[string, Parameters<typeof ask>[2], number, Refusal]> = [
        ["a body over the size limit", { headers: withJson, body: Buffer.alloc(2 * 1024 * 1024, 0x20) }, 413, refusedRequest],
        ["a body that is not JSON", { headers: withJson, body: "{" }, 400, refusedRequest],
        ["a document not in the safelist", { headers: withJson, body: JSON.stringify({ query: "{ __typename }" }) }, 400, refusedOperation],
        ["an id not in the list", { headers: withJson, body: JSON.stringify({ documentId: "no-such-document" }) }, 400, refusedOperation],
      ];
      for (const [what, options, status, asApollo] of gatewayOnly) {
        const fromGateway = await ask(gateway, accept, options);
        if (asApollo.status === 406) {
          // Apollo refuses to answer an operation in a media type the client does not take, and so does the gateway.
          expect({ what, ...fromGateway }).toEqual({ what, ...asApollo });
          continue;
        }
        expect({ what, status: fromGateway.status, type: fromGateway.headers["content-type"] }).toEqual({
          what,
          status,
          type: asApollo.headers["content-type"],
        });
        expect(fromGateway.body).toMatch(/^\{"errors":\[\{"message":".+","extensions":\{"code":"[A-Z_]+".*\}\]\}\n$/);
      }
    });
  });

  test("the router's requests for inline traces go to Apollo Server", async () => {
    const { fast } = pair;
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
    const { fast, apollo } = pair;
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
  let pair: Pair;
  // One gateway per path: each learns Voucherify's back-off from its own 429.
  beforeAll(async () => (pair = await startPair({ NODE_ENV: "production" })));
  afterAll(() => pair?.stop());

  test("Voucherify's 429 reaches the client alike", async () => {
    const token = bearer(await signToken({ sub: "limited", scope: ALL_SCOPES }));
    const ask = async (gateway: GatewayHandle) => {
      pair.emulator.injectFault({ status: 429, body: '{"code":429,"key":"too_many_requests"}', headers: { "retry-after": "7" }, times: 1 });
      try {
        const response = await fetch(gateway.graphqlUrl, {
          method: "POST",
          headers: { "content-type": "application/json", "x-request-id": "eq-429", ...token },
          body: JSON.stringify({ documentId: idOf("ReferralHolders"), variables: { memberId: SEED.code, first: 2 } }),
        });
        return await answerOf(response);
      } finally {
        pair.emulator.clearFaults();
      }
    };
    const viaFastPath = await ask(pair.fast);
    const viaApollo = await ask(pair.apollo);
    expect(pair.fast.fastPath!.answered).toBe(1);
    expect(viaFastPath.body).toContain('"code":"RATE_LIMITED"');
    expect(viaFastPath).toEqual(viaApollo);
  });
});

describe("trusted documents: development mode (stack traces in errors) on both paths", () => {
  let pair: Pair;
  beforeAll(async () => (pair = await startPair({})));
  afterAll(() => pair?.stop());

  // Each frame list differs by path; that there is one, and the rest of the answer, must not.
  const withoutFrames = (body: string) => body.replace(/"stacktrace":\[[^\]]*\]/g, '"stacktrace":"<frames>"');
  const developer = () => signToken({ sub: "developer", scope: "referrals:read" }).then(bearer);
  const cases: Array<[string, Record<string, unknown>, () => Promise<Record<string, string>>]> = [
    ["NOT_FOUND", { memberId: "NO-SUCH-CODE", first: 2 }, developer],
    ["BAD_USER_INPUT (variables)", { memberId: SEED.code, first: "ten" }, developer],
    ["FORBIDDEN fields", { memberId: SEED.code, first: 1 }, developer],
    ["UNAUTHENTICATED", { memberId: SEED.code, first: 1 }, async () => ({})],
  ];

  test.each(cases)("%s: the same answer, stack traces aside (they name each path's own frames)", async (_name, variables, auth) => {
    const headers = { "content-type": "application/json", "x-request-id": "eq-dev", ...(await auth()) };
    const ask = async (gateway: GatewayHandle) => {
      const response = await fetch(gateway.graphqlUrl, {
        method: "POST",
        headers,
        body: JSON.stringify({ documentId: idOf("ReferralHolders"), variables }),
      });
      return withoutUpstreamRequestIds({ status: response.status, headers: {}, body: withoutFrames(await response.text()) });
    };
    const answeredBefore = pair.fast.fastPath!.answered;
    const viaFastPath = await ask(pair.fast);
    expect(pair.fast.fastPath!.answered).toBe(answeredBefore + 1);
    expect(viaFastPath.body).toContain('"stacktrace":"<frames>"');
    expect(viaFastPath).toEqual(await ask(pair.apollo));
  });
});

describe("trusted documents: Apollo's landing page (development) on both paths", () => {
  let pair: Pair;
  beforeAll(async () => (pair = await startPair({})));
  afterAll(() => pair?.stop());

  test("a browser's GET by document id gets the landing page, as from Apollo Server", async () => {
    const search = new URLSearchParams({ documentId: idOf("ReferralHolders"), variables: JSON.stringify({ memberId: SEED.code }) });
    const ask = async (gateway: GatewayHandle) => {
      const response = await fetch(`${gateway.graphqlUrl}?${search.toString()}`, {
        headers: { accept: "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8" },
      });
      // Each server draws its own nonce for the page's scripts.
      const body = (await response.text()).replace(/nonce(-|=|=")[0-9a-f]{64}/g, "nonce$1<each server's>");
      return { status: response.status, contentType: response.headers.get("content-type"), body };
    };
    const viaFastPath = await ask(pair.fast);
    expect(viaFastPath.status).toBe(200);
    expect(viaFastPath.contentType).toBe("text/html");
    expect(viaFastPath).toEqual(await ask(pair.apollo));
    expect(pair.fast.fastPath!.answered).toBe(0);
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
