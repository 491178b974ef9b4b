import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { request } from "undici";
import { loadConfig } from "../../src/config.js";
import { SEED } from "../../src/emulator/seed.js";
import type { GatewayHandle } from "../../src/server.js";
import {
  ACCEPTS,
  type Answer,
  answerOf,
  APP_ORIGIN,
  byId,
  type Case,
  CASES,
  expectSameAnswers,
  idOf,
  JSON_TYPE,
  type Pair,
  ROUTER_SECRET,
  sendCase,
  startPair,
  textOf,
  withoutUpstreamRequestIds,
} from "../support/path-equivalence.js";
import { startPlainApollo, type PlainApollo } from "../support/plain-apollo.js";
import { startStack } from "../support/stack.js";
import { ALL_SCOPES, bearer, signToken, TEST_JWT_SECRET } from "../support/tokens.js";

// The trusted documents, by id: the fast path answers as Apollo Server does (test/support/path-equivalence.ts). The
// answers the gateway writes itself (refusals) are compared with a plain Apollo Server's as well.

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

  const send = (gateway: GatewayHandle, testCase: Case, requestId: string) => sendCase(gateway, testCase, requestId, byId);

  test.each(CASES.map((c, i) => [c.name, c, i] as const))("%s", async (_name, testCase, index) => {
    await expectSameAnswers(pair, testCase, `equivalence-${index}`, byId);
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
