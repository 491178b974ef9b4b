import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sha256Hex } from "../../src/documents/load-trusted-documents.js";
import { SHIPPED_DOCUMENTS } from "../../src/documents/shipped-documents.generated.js";
import { SEED } from "../../src/emulator/seed.js";
import { startStack, type Stack } from "../support/stack.js";
import { ALL_SCOPES, bearer, signToken, TEST_JWT_SECRET } from "../support/tokens.js";

// Requests by id over real HTTP, against a gateway started with a manifest: `documentId` (POST body or GET query
// string, bare or `sha256:`), Apollo's `extensions.persistedQuery.sha256Hash`, a text identical to a trusted
// document, and the refusals, each with no upstream call. Then safelisting (TRUSTED_DOCUMENTS_ONLY), router exempt.

const PAGE = `query TrustedPage($memberId: ID!, $first: Int) {
  referralMember(memberId: $memberId) {
    id
    holders(first: $first) {
      totalCount
      nodes {
        id
      }
    }
  }
}`;
const PAGE_ID = sha256Hex(PAGE);
const REMOVE = SHIPPED_DOCUMENTS.find((document) => document.name === "RemoveHolder")!;
const ADHOC = `{ referralMember(memberId: "${SEED.code}") { holders(first: 1) { totalCount } } }`;
const ROUTER_SECRET = "router-secret-for-the-suite-0123";
const JSON_HEADERS = { "content-type": "application/json" };
const PREFLIGHT = { "apollo-require-preflight": "1" };
const persisted = (sha256Hash: string) => ({ persistedQuery: { version: 1, sha256Hash } });

function manifest(): string {
  const file = join(mkdtempSync(join(tmpdir(), "requests-by-id-")), "persisted-query-manifest.json");
  writeFileSync(
    file,
    JSON.stringify({
      format: "apollo-persisted-query-manifest",
      version: 1,
      operations: [{ id: PAGE_ID, name: "TrustedPage", type: "query", body: PAGE }],
    }),
  );
  return file;
}

interface Answer {
  status: number;
  headers: Headers;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- a response's data is untyped JSON; the assertions check its shape
  data?: any;
  errors?: Array<{ message: string; extensions?: Record<string, unknown> }>;
  upstreamCalls: number;
}

function client(stack: () => Stack) {
  const answer = async (response: Response): Promise<Answer> => {
    const body = (await response.json()) as Pick<Answer, "data" | "errors">;
    return { status: response.status, headers: response.headers, ...body, upstreamCalls: stack().emulator.requests.length };
  };
  return {
    post: async (body: Record<string, unknown>, headers: Record<string, string> = {}): Promise<Answer> => {
      stack().emulator.resetRequests();
      const response = await fetch(stack().gateway.graphqlUrl, {
        method: "POST",
        headers: { ...JSON_HEADERS, ...headers },
        body: JSON.stringify(body),
      });
      return answer(response);
    },
    get: async (params: Record<string, unknown>, headers: Record<string, string> = PREFLIGHT): Promise<Answer> => {
      stack().emulator.resetRequests();
      const search = new URLSearchParams(
        Object.entries(params).map(([name, value]): [string, string] => [name, typeof value === "string" ? value : JSON.stringify(value)]),
      );
      return answer(await fetch(`${stack().gateway.graphqlUrl}?${search.toString()}`, { headers }));
    },
  };
}

const variables = { memberId: SEED.code, first: 2 };

describe("requests by id (safelisting off)", () => {
  let stack: Stack;
  const { post, get } = client(() => stack);
  let expected: unknown;

  beforeAll(async () => {
    stack = await startStack({ env: { TRUSTED_DOCUMENTS: manifest(), CACHE_HOLDERS_TTL_MS: "0" } });
    const reference = await post({ query: `${PAGE} `.replace("TrustedPage", "Reference"), variables });
    expect(reference.errors).toBeUndefined();
    expected = reference.data;
  });
  afterAll(() => stack.stop());

  test.each([
    ["bare", PAGE_ID],
    ["sha256:-prefixed", `sha256:${PAGE_ID}`],
  ])("POST {documentId} (%s) runs the registered document", async (_, documentId) => {
    const answer = await post({ documentId, variables });
    expect(answer.status).toBe(200);
    expect(answer.errors).toBeUndefined();
    expect(answer.data).toEqual(expected);
    expect(answer.upstreamCalls).toBe(1);
  });

  test("GET ?documentId=&variables= runs it too (with a preflight header, as every GET)", async () => {
    const answer = await get({ documentId: `sha256:${PAGE_ID}`, variables });
    expect(answer.status).toBe(200);
    expect(answer.data).toEqual(expected);
  });

  test("a shipped operation is trusted without any manifest entry", async () => {
    const page = SHIPPED_DOCUMENTS.find((document) => document.name === "FilteredHolders")!;
    const answer = await post({ documentId: sha256Hex(page.body), variables: { memberId: SEED.code, filter: { roles: ["REFERRER"] } } });
    expect(answer.errors).toBeUndefined();
    expect(answer.data.referralMember.holders.totalCount).toBe(1);
  });

  test("extensions.persistedQuery.sha256Hash of a trusted document runs it, POST and GET (no APQ registration needed)", async () => {
    const viaPost = await post({ extensions: persisted(PAGE_ID), variables });
    expect(viaPost.errors).toBeUndefined();
    expect(viaPost.data).toEqual(expected);
    const viaGet = await get({ extensions: persisted(PAGE_ID), variables });
    expect(viaGet.status).toBe(200);
    expect(viaGet.data).toEqual(expected);
  });

  test("a trusted sha256Hash with a persistedQuery version other than 1 is refused as APQ refuses it (BAD_REQUEST)", async () => {
    const answer = await post({ extensions: { persistedQuery: { version: 2, sha256Hash: PAGE_ID } }, variables });
    expect([answer.status, answer.errors![0].extensions?.code]).toEqual([400, "BAD_REQUEST"]);
    expect(answer.upstreamCalls).toBe(0);
  });

  test("an unknown documentId: PERSISTED_QUERY_NOT_IN_LIST, HTTP 400, no upstream call", async () => {
    for (const documentId of ["0".repeat(64), "sha256:" + "0".repeat(64), "nope"]) {
      const answer = await post({ documentId, variables });
      expect(answer.status).toBe(400);
      expect(answer.errors).toEqual([expect.objectContaining({ extensions: { code: "PERSISTED_QUERY_NOT_IN_LIST" } })]);
      expect(answer.upstreamCalls).toBe(0);
    }
    const viaGet = await get({ documentId: "nope" });
    expect(viaGet.status).toBe(400);
    expect(viaGet.errors![0].extensions?.code).toBe("PERSISTED_QUERY_NOT_IN_LIST");
  });

  test("an unknown sha256Hash keeps APQ's answer: PERSISTED_QUERY_NOT_FOUND (HTTP 200), so the client resends the text", async () => {
    const answer = await post({ extensions: persisted("1".repeat(64)), variables });
    expect(answer.status).toBe(200);
    expect(answer.errors![0].extensions?.code).toBe("PERSISTED_QUERY_NOT_FOUND");
    expect(answer.upstreamCalls).toBe(0);
  });

  test("a text identical to a trusted document (layout, comments aside) is that document, even with APQ's hash of the text", async () => {
    const text = `# pasted from the app\n${PAGE.replace(/\n\s*/g, " ")}`;
    const answer = await post({ query: text, variables, extensions: persisted(sha256Hex(text)) });
    expect(answer.status).toBe(200);
    expect(answer.errors).toBeUndefined();
    expect(answer.data).toEqual(expected);
  });

  test("any other text runs as before (safelisting off)", async () => {
    const answer = await post({ query: ADHOC });
    expect(answer.errors).toBeUndefined();
    expect(answer.data.referralMember.holders.totalCount).toBe(SEED.refereeCount + 1);
  });

  test("a mutation by id over GET: refused as Apollo refuses mutations over GET (405, Allow: POST), nothing runs", async () => {
    const answer = await get({ documentId: sha256Hex(REMOVE.body), variables: { input: { memberId: SEED.code, holderId: "rh_x" } } });
    expect(answer.status).toBe(405);
    expect(answer.headers.get("allow")).toBe("POST");
    expect(answer.errors).toEqual([
      expect.objectContaining({ message: "GET requests only support query operations, not mutation operations" }),
    ]);
    expect(answer.upstreamCalls).toBe(0);
    const asText = await get({ query: REMOVE.body, variables: { input: { memberId: SEED.code, holderId: "rh_x" } } });
    expect([asText.status, asText.errors![0].message]).toEqual([answer.status, answer.errors![0].message]);
  });

  test("a GET by id without a preflight header is refused as a GET with text is (CSRF prevention)", async () => {
    const byId = await get({ documentId: PAGE_ID, variables }, {});
    const byText = await get({ query: ADHOC }, {});
    expect(byId.status).toBe(400);
    expect(byId.errors![0].extensions?.code).toBe("BAD_REQUEST");
    expect(byId.errors![0].message).toBe(byText.errors![0].message);
    expect(byId.errors![0].message).toMatch(/Cross-Site Request Forgery/);
    expect(byId.upstreamCalls).toBe(0);
  });

  test("documentId with query, a non-string documentId, or another operationName: BAD_REQUEST-style refusals, nothing runs", async () => {
    const both = await post({ documentId: PAGE_ID, query: PAGE, variables });
    expect([both.status, both.errors![0].extensions?.code]).toEqual([400, "BAD_REQUEST"]);
    const number = await post({ documentId: 42 });
    expect([number.status, number.errors![0].extensions?.code]).toEqual([400, "BAD_REQUEST"]);
    const otherName = await post({ documentId: PAGE_ID, variables, operationName: "Other" });
    expect([otherName.status, otherName.errors![0].extensions?.code]).toEqual([400, "OPERATION_RESOLUTION_FAILURE"]);
    expect(otherName.upstreamCalls).toBe(0);
  });
});

describe("safelisting: TRUSTED_DOCUMENTS_ONLY=true (production, JWT auth, a router secret)", () => {
  let stack: Stack;
  const { post, get } = client(() => stack);
  let token: Record<string, string>;

  beforeAll(async () => {
    stack = await startStack({
      env: {
        NODE_ENV: "production",
        AUTH_JWT_SECRET: TEST_JWT_SECRET,
        ROUTER_SECRET,
        TRUSTED_DOCUMENTS: manifest(),
        TRUSTED_DOCUMENTS_ONLY: "true",
        CACHE_HOLDERS_TTL_MS: "0",
      },
    });
    token = bearer(await signToken({ scope: ALL_SCOPES }));
  });
  afterAll(() => stack.stop());

  test("a trusted document runs: by id, by sha256Hash, or as identical text", async () => {
    for (const body of [{ documentId: PAGE_ID }, { extensions: persisted(PAGE_ID) }, { query: PAGE }]) {
      const answer = await post({ ...body, variables }, token);
      expect(answer.errors).toBeUndefined();
      expect(answer.data.referralMember.holders.nodes).toHaveLength(2);
    }
  });

  test("any other document: QUERY_NOT_IN_SAFELIST, HTTP 400, before parsing (even one that does not parse), no upstream call", async () => {
    for (const query of [ADHOC, "{ this is not GraphQL", PAGE.replace("totalCount", "totalCount\n      pageInfo { hasNextPage }")]) {
      const answer = await post({ query, variables }, token);
      expect(answer.status).toBe(400);
      expect(answer.errors).toEqual([expect.objectContaining({ extensions: { code: "QUERY_NOT_IN_SAFELIST" } })]);
      expect(answer.upstreamCalls).toBe(0);
    }
    const viaGet = await get({ query: ADHOC }, { ...PREFLIGHT, ...token });
    expect([viaGet.status, viaGet.errors![0].extensions?.code]).toEqual([400, "QUERY_NOT_IN_SAFELIST"]);
  });

  test("a batch (a JSON array) is refused as without safelisting (batching is off): nothing parsed, nothing upstream", async () => {
    stack.emulator.resetRequests();
    const response = await fetch(stack.gateway.graphqlUrl, {
      method: "POST",
      headers: { ...JSON_HEADERS, ...token },
      body: JSON.stringify([{ query: ADHOC }, { documentId: PAGE_ID, variables }]),
    });
    expect(response.status).toBe(400);
    expect(stack.emulator.requests).toHaveLength(0);
  });

  test("the refusal comes before authentication: an anonymous ad-hoc document learns nothing else", async () => {
    const answer = await post({ query: ADHOC });
    expect([answer.status, answer.errors![0].extensions?.code]).toEqual([400, "QUERY_NOT_IN_SAFELIST"]);
  });

  test("an unknown sha256Hash: PERSISTED_QUERY_NOT_IN_LIST (APQ is off), and APQ cannot register a document", async () => {
    const unknown = await post({ extensions: persisted("1".repeat(64)) }, token);
    expect([unknown.status, unknown.errors![0].extensions?.code]).toEqual([400, "PERSISTED_QUERY_NOT_IN_LIST"]);
    const register = await post({ query: ADHOC, extensions: persisted(sha256Hex(ADHOC)) }, token);
    expect(register.errors![0].extensions?.code).toBe("QUERY_NOT_IN_SAFELIST");
    const again = await post({ extensions: persisted(sha256Hex(ADHOC)) }, token);
    expect(again.errors![0].extensions?.code).toBe("PERSISTED_QUERY_NOT_IN_LIST");
    expect(again.upstreamCalls).toBe(0);
  });

  test("the router (a valid X-Router-Secret) is exempt: its own documents run; a wrong secret is not the router", async () => {
    const router = await post({ query: ADHOC }, { ...token, "x-router-secret": ROUTER_SECRET });
    expect(router.errors).toBeUndefined();
    expect(router.data.referralMember.holders.totalCount).toBe(SEED.refereeCount + 1);
    const sdl = await post({ query: "{ _service { sdl } }" }, { "x-router-secret": ROUTER_SECRET });
    expect(sdl.data._service.sdl).toContain("type ReferralMember");
    const wrong = await post({ query: ADHOC }, { ...token, "x-router-secret": `${ROUTER_SECRET}x` });
    expect(wrong.errors![0].extensions?.code).toBe("QUERY_NOT_IN_SAFELIST");
  });
});
