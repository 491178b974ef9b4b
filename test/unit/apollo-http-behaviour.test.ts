import { ApolloServer, HeaderMap, type HTTPGraphQLResponse } from "@apollo/server";
import { ApolloServerPluginLandingPageLocalDefault } from "@apollo/server/plugin/landingPage/default";
import {
  csrfRefusal,
  getRequestFields,
  negotiatedMediaType,
  postBodyRefusal,
  prefersHtml,
  refusalAnswer,
} from "../../src/operation/apollo-http-behaviour.js";

// Each rule the gateway copies from Apollo Server, held against a real Apollo Server 5 (in process, no HTTP) over the
// values clients send and the corners of each rule.

const ACCEPTS = [
  undefined,
  "",
  "*/*",
  "application/json",
  "application/graphql-response+json",
  "application/graphql-response+json, application/json",
  "application/graphql-response+json,application/json;q=0.9",
  "application/json, application/graphql-response+json",
  "application/graphql-response+json;q=0.9, application/json",
  "application/json;q=0.5, application/graphql-response+json",
  "application/json;q=0, application/graphql-response+json;q=0",
  "APPLICATION/GRAPHQL-RESPONSE+JSON",
  "application/*",
  "application/*;q=0.2, application/json;q=0.1",
  "*/*;q=0.1, application/graphql-response+json;q=0.05",
  "application/json; charset=utf-8",
  "application/json; charset=latin1",
  "application/json; callbackSpec=1.0",
  "application/graphql-response+json; charset=utf-8, application/json",
  "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
  "text/html",
  "text/plain",
  "multipart/mixed",
  "multipart/mixed; deferSpec=20220824, application/json;q=0.1",
  "garbage",
  ",,;q=",
];

let apollo: ApolloServer;
beforeAll(async () => {
  apollo = new ApolloServer({
    typeDefs: "type Query { a: String }",
    resolvers: { Query: { a: () => "a" } },
    includeStacktraceInErrorResponses: false,
    plugins: [ApolloServerPluginLandingPageLocalDefault({ embed: false, footer: false })],
  });
  await apollo.start();
});
afterAll(() => apollo?.stop());

async function apolloAnswer(
  request: { method?: string; headers?: Record<string, string | undefined>; search?: string; body?: unknown } = {},
): Promise<{ status: number; contentType: string | undefined; body: string; headers: HTTPGraphQLResponse["headers"] }> {
  const headers = new HeaderMap();
  for (const [name, value] of Object.entries(request.headers ?? {})) if (value !== undefined) headers.set(name, value);
  const result = await apollo.executeHTTPGraphQLRequest({
    httpGraphQLRequest: { method: request.method ?? "POST", headers, search: request.search ?? "", body: request.body },
    context: async () => ({}),
  });
  const body = result.body.kind === "complete" ? result.body.string : "";
  return { status: result.status ?? 200, contentType: result.headers.get("content-type"), body, headers: result.headers };
}

const JSON_POST = { "content-type": "application/json" };

describe("Accept negotiation", () => {
  test.each(ACCEPTS.map((accept) => [accept]))("Accept %j: the media type Apollo answers a query with, or none (406)", async (accept) => {
    const answer = await apolloAnswer({ headers: { ...JSON_POST, accept }, body: { query: "{ a }" } });
    const negotiated = negotiatedMediaType(accept);
    if (negotiated === null) expect(answer.status).toBe(406);
    else expect({ status: answer.status, contentType: answer.contentType }).toEqual({ status: 200, contentType: negotiated });
  });

  test.each(ACCEPTS.map((accept) => [accept]))("Accept %j: a refused request answers as Apollo's, byte for byte", async (accept) => {
    // A form's POST, which a browser sends cross-site without a preflight: CSRF prevention refuses it.
    const headers = { accept, "content-type": "text/plain" };
    const answer = await apolloAnswer({ headers, body: "{ a }" });
    const refusal = csrfRefusal(headers);
    expect(refusal).not.toBeNull();
    const ours = refusalAnswer(refusal!, accept, "request");
    expect({ status: ours.status, contentType: ours.headers["content-type"], body: ours.body }).toEqual({
      status: answer.status,
      contentType: answer.contentType,
      body: answer.body,
    });
  });

  test.each(ACCEPTS.map((accept) => [accept]))(
    "Accept %j: a refused operation answers as Apollo's (406 when nothing is acceptable)",
    async (accept) => {
      const answer = await apolloAnswer({ headers: { ...JSON_POST, accept }, body: { query: "{" } });
      const ours = refusalAnswer(postBodyRefusal({ query: 5 })!, accept, "operation");
      expect({ status: ours.status === 406 ? 406 : 400, contentType: ours.headers["content-type"] }).toEqual({
        status: answer.status,
        contentType: answer.contentType,
      });
      if (answer.status === 406) expect(ours.body).toBe(answer.body);
    },
  );

  test.each(ACCEPTS.map((accept) => [accept]))(
    "Accept %j: a GET is Apollo's landing page exactly when Apollo prefers HTML",
    async (accept) => {
      const answer = await apolloAnswer({
        method: "GET",
        headers: { accept, "apollo-require-preflight": "true" },
        search: "?query=%7Ba%7D",
      });
      expect(prefersHtml("GET", accept)).toBe(answer.contentType === "text/html");
      expect(prefersHtml("POST", accept)).toBe(false);
    },
  );
});

describe("request rules", () => {
  const CONTENT_TYPES = [
    undefined,
    "",
    "application/json",
    "Application/JSON; charset=utf-8",
    "text/plain",
    "TEXT/PLAIN;charset=UTF-8",
    "text/plain;",
    "application/x-www-form-urlencoded",
    "multipart/form-data; boundary=x",
    "text/ plain",
    "garbage",
    "application/graphql",
  ];
  const PREFLIGHTS: Array<Record<string, string>> = [{}, { "apollo-require-preflight": "true" }, { "x-apollo-operation-name": "" }];

  test.each(CONTENT_TYPES.map((type) => [type]))(
    "Content-Type %j: CSRF prevention and a GET's type refused as Apollo refuses them",
    async (type) => {
      for (const preflight of PREFLIGHTS) {
        const headers = { "content-type": type, ...preflight };
        const answer = await apolloAnswer({ method: "GET", headers, search: "?query=%7Ba%7D" });
        const ours = csrfRefusal(headers) ?? getRequestFields(headers, "?query=%7Ba%7D").refusal;
        const refused = ours ? refusalAnswer(ours, undefined, "request") : null;
        expect({ type, preflight, status: refused?.status ?? 200, body: refused?.body }).toEqual({
          type,
          preflight,
          status: answer.status,
          body: answer.status === 200 ? undefined : answer.body,
        });
      }
    },
  );

  const POST_BODIES: Array<Record<string, unknown>> = [
    { query: "{ a }" },
    { query: 5 },
    { query: { kind: "Document", definitions: [] } },
    { query: "{ a }", variables: "{}" },
    { query: "{ a }", extensions: "{}" },
    { query: "{ a }", extensions: [] },
    { query: "{ a }", variables: 3 },
    { query: "{ a }", operationName: 3 },
    { query: "{ a }", variables: null, extensions: null, operationName: null },
    { query: "{ a }", variables: {}, extensions: {} },
  ];

  test.each(POST_BODIES.map((body) => [body]))("POST body %j: refused as Apollo refuses it", async (body) => {
    const answer = await apolloAnswer({ headers: JSON_POST, body });
    const ours = postBodyRefusal(body);
    if (answer.status === 200) expect(ours).toBeNull();
    else expect(refusalAnswer(ours!, undefined, "request").body).toBe(answer.body);
  });

  const SEARCHES = [
    "?query=%7Ba%7D",
    "?query=%7Ba%7D&query=%7Ba%7D",
    "?query=%7Ba%7D&variables=%7B",
    "?query=%7Ba%7D&variables=3",
    "?query=%7Ba%7D&extensions=%5B%5D",
    "?query=%7Ba%7D&operationName=A&operationName=B",
    "?query=%7Ba%7D&variables=%7B%7D&extensions=%7B%7D",
  ];

  test.each(SEARCHES.map((search) => [search]))("GET %s: refused as Apollo refuses it", async (search) => {
    const headers = { "apollo-require-preflight": "true" };
    const answer = await apolloAnswer({ method: "GET", headers, search });
    const { refusal } = getRequestFields(headers, search);
    if (answer.status === 200) expect(refusal).toBeNull();
    else expect(refusalAnswer(refusal!, undefined, "request").body).toBe(answer.body);
  });
});
