import { randomBytes } from "node:crypto";
import { SEED } from "../../src/emulator/seed.js";
import { startEmulator, type EmulatorHandle } from "../../src/emulator/emulator.js";
import { startGatewayProcess, type GatewayProcess } from "../support/gateway-process.js";
import { graphql } from "../support/stack.js";
import { ALL_SCOPES, bearer, signToken, TEST_JWT_SECRET } from "../support/tokens.js";
import { SpanKind, startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from "./otlp-receiver.js";
import { upstreamEnv } from "../support/process-env.js";

// The gateway as operators run it (its own process, configured by OTEL_* only), its real OTLP exporter, and a
// receiver in the test that decodes what arrives. Spans are read after the gateway stopped: a graceful stop exports
// everything buffered, so no wait on the batch timer is needed.

const HOLDERS = `query ReferralHoldersTraced($memberId: ID!) {
  referralMember(memberId: $memberId) { holders(first: 3) { totalCount nodes { id customer { name email phone } } } }
}`;
const ADD = `mutation AddTraced($input: AddHoldersInput!) { addHolders(input: $input) { holders { id customerId } } }`;

/** Personal data, metadata values and secrets this suite sends or makes the gateway read: none may reach a span. */
const PERSON = { name: "Quokka Zanzibarsdottir", email: "quokka.zz@example.org", phone: "+48 600 700 800" };
const METADATA_VALUE = "metadata-value-never-in-spans";
const CUSTOMER_METADATA_VALUE = "customer-metadata-never-in-spans";

const newTraceId = () => randomBytes(16).toString("hex");
const newSpanId = () => randomBytes(8).toString("hex");

function env(emulator: EmulatorHandle, receiver: OtlpReceiver, extra: Record<string, string> = {}): Record<string, string> {
  return {
    ...upstreamEnv(emulator),
    AUTH_JWT_SECRET: TEST_JWT_SECRET,
    OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
    ...extra,
  };
}

const children = (spans: ReceivedSpan[], parent: ReceivedSpan) => spans.filter((span) => span.parentSpanId === parent.spanId);
/** An operation's span: named after its operation once known, "GraphQL Operation" before. */
const isOperationSpan = (span: ReceivedSpan) =>
  span.attributes["graphql.operation.type"] !== undefined || (span.name === "GraphQL Operation" && span.kind === SpanKind.INTERNAL);

describe("traces through a real OTLP exporter", () => {
  let emulator: EmulatorHandle;
  let receiver: OtlpReceiver;
  let replica: GatewayProcess;
  let token: string;
  let readless: string;
  const router = { traceId: newTraceId(), spanId: newSpanId() };
  const results: Record<string, Awaited<ReturnType<typeof graphql>>> = {};

  beforeAll(async () => {
    emulator = await startEmulator({ dbFile: ":memory:" });
    receiver = await startOtlpReceiver();
    replica = await startGatewayProcess(
      env(emulator, receiver, { LOG_LEVEL: "info", OTEL_SERVICE_NAME: "gateway-under-test", CALLER_BUDGET_PER_MINUTE: "600" }),
    );
    token = await signToken({ scope: ALL_SCOPES, sub: "trace-suite" });
    // 1. A federated request: the router's span is the parent (a sampled W3C traceparent, as a router sends it).
    results.federated = await graphql(
      replica.graphqlUrl,
      HOLDERS,
      { memberId: SEED.code },
      {
        ...bearer(token),
        traceparent: `00-${router.traceId}-${router.spanId}-01`,
        tracestate: "router=1",
      },
    );
    // 2. An unknown member: NOT_FOUND from the upstream.
    results.notFound = await graphql(replica.graphqlUrl, HOLDERS, { memberId: "NO-SUCH-CODE" }, bearer(token));
    // 3. A write carrying personal data and metadata values.
    results.added = await graphql(
      replica.graphqlUrl,
      ADD,
      {
        input: {
          memberId: SEED.code,
          metadata: { note: METADATA_VALUE },
          holders: [{ sourceId: "trace-suite-person", ...PERSON, metadata: { secret: CUSTOMER_METADATA_VALUE } }],
        },
      },
      bearer(token),
    );
    // 4. No token: refused at admission, before any upstream call (development: an anonymous caller may be the router).
    results.unauthenticated = await graphql(replica.graphqlUrl, HOLDERS, { memberId: SEED.code });
    // 4'. A token that does not verify, on a GET: refused as the context is made.
    const search = new URLSearchParams({ query: HOLDERS, variables: JSON.stringify({ memberId: SEED.code }) });
    const refusedGet = await fetch(`${replica.graphqlUrl}?${search.toString()}`, {
      headers: { "apollo-require-preflight": "true", authorization: "Bearer not.a.token" },
    });
    results.unauthenticatedGet = {
      status: refusedGet.status,
      headers: refusedGet.headers,
      ...((await refusedGet.json()) as Pick<(typeof results)[string], "errors">),
    };
    // 5. A token without referrals:read: refused at admission.
    readless = await signToken({ scope: "customers:read", sub: "trace-suite-readless" });
    results.forbidden = await graphql(replica.graphqlUrl, HOLDERS, { memberId: SEED.code }, bearer(readless));
    // 6. A 503 and then the answer: the read is retried.
    emulator.injectFault({ status: 503, times: 1 });
    results.retried = await graphql(
      replica.graphqlUrl,
      HOLDERS,
      { memberId: SEED.code },
      { ...bearer(token), "cache-control": "no-cache" },
    );
    // 7. Last (a 429 holds the gateway back for Retry-After): the upstream answers 429.
    emulator.injectFault({ status: 429, headers: { "retry-after": "30" }, times: 1 });
    results.rateLimited = await graphql(replica.graphqlUrl, HOLDERS, { memberId: SEED.otherCode }, bearer(token));
    await replica.stop();
  });

  afterAll(async () => {
    await replica?.stop();
    await receiver?.close();
    await emulator?.stop();
  });

  const traceOf = (traceId: string) => receiver.spans.filter((span) => span.traceId === traceId);
  const serverSpans = () => receiver.spans.filter((span) => span.kind === SpanKind.SERVER && span.attributes["http.route"] === "/graphql");
  /** The server span of the request whose operation span recorded `code` (or none). */
  function operationWith(code: string | null): ReceivedSpan {
    const found = receiver.spans.filter(isOperationSpan);
    const match = found.find((span) => (code === null ? span.status.code !== 2 : span.attributes["error.type"] === code));
    if (!match) throw new Error(`no operation span with ${code}: ${JSON.stringify(found.map((s) => [s.name, s.attributes]))}`);
    return match;
  }

  test("the requests answered as they should (sanity)", () => {
    expect(results.federated.data).toMatchObject({ referralMember: { holders: { totalCount: SEED.refereeCount + 1 } } });
    expect(results.notFound.errors?.[0].extensions?.code).toBe("NOT_FOUND");
    expect(results.added.errors).toBeUndefined();
    expect(results.unauthenticated.errors?.[0].extensions?.code).toBe("UNAUTHENTICATED");
    expect(results.unauthenticatedGet.status).toBe(401);
    expect(results.unauthenticatedGet.errors?.[0].extensions?.code).toBe("UNAUTHENTICATED");
    expect(results.rateLimited.errors?.[0].extensions?.code).toBe("RATE_LIMITED");
    expect(results.forbidden.errors?.[0].extensions?.code).toBe("FORBIDDEN");
    expect(results.retried.errors).toBeUndefined();
  });

  test("a router's trace continues: server, operation, admission and upstream spans in one tree under the router's span", () => {
    const trace = traceOf(router.traceId);
    const server = trace.find((span) => span.kind === SpanKind.SERVER)!;
    expect(server).toBeDefined();
    expect(server.parentSpanId).toBe(router.spanId);
    expect(server.name).toBe("POST /graphql");
    expect(server.attributes).toMatchObject({
      "http.request.method": "POST",
      "http.route": "/graphql",
      "url.path": "/graphql",
      "http.response.status_code": 200,
    });
    expect(server.resource["service.name"]).toBe("gateway-under-test");

    const [operation] = children(trace, server);
    expect(operation.name).toBe("query ReferralHoldersTraced");
    expect(operation.attributes).toMatchObject({
      "graphql.operation.name": "ReferralHoldersTraced",
      "graphql.operation.type": "query",
      "referrals.upstream.calls": 4,
    });
    expect(operation.status.code).not.toBe(2);

    const below = children(trace, operation);
    const admission = below.find((span) => span.name === "admission")!;
    expect(admission.attributes).toMatchObject({
      "referrals.caller.authenticated": true,
      "referrals.admission.outcome": "admitted",
      "referrals.admission.cost_estimate": expect.any(Number),
      "referrals.admission.budget_remaining": expect.any(Number),
    });
    // The in-process cache is on by default: the first read of each kind misses.
    const cacheLookups = below.filter((span) => span.name.startsWith("cache "));
    expect(cacheLookups.map((span) => span.attributes["referrals.cache.store"])).toContain("memory");
    expect(cacheLookups.map((span) => span.attributes["referrals.cache.result"])).toContain("miss");

    const upstream = trace.filter((span) => span.kind === SpanKind.CLIENT);
    expect(upstream.length).toBe(4); // one page, three customers
    for (const span of upstream) expect([operation.spanId, ...cacheLookups.map((c) => c.spanId)]).toContain(span.parentSpanId);
    const list = upstream.find((span) => span.attributes["url.template"] === "/v1/referrals/members/{memberId}/holders")!;
    expect(list.name).toBe("GET /v1/referrals/members/{memberId}/holders");
    expect(list.attributes).toMatchObject({
      "http.request.method": "GET",
      "http.response.status_code": 200,
      "server.address": "127.0.0.1",
      "referrals.upstream.endpoint": "listHolders",
      "http.response.body.size": expect.any(Number),
    });
    expect(upstream.filter((span) => span.attributes["url.template"] === "/v1/customers/{customerId}")).toHaveLength(3);
  });

  test("the upstream saw the same trace: each call's traceparent names its client span", () => {
    const upstream = traceOf(router.traceId).filter((span) => span.kind === SpanKind.CLIENT);
    const seen = emulator.requests.filter((request) => request.traceparent?.includes(router.traceId));
    expect(seen).toHaveLength(upstream.length);
    expect(seen.map((request) => request.traceparent!.split("-")[2]).sort()).toEqual(upstream.map((span) => span.spanId).sort());
    expect(seen.every((request) => request.traceparent!.endsWith("-01"))).toBe(true);
  });

  test("the operation's log line carries its trace_id and span_id", () => {
    const lines = replica
      .output()
      .split("\n")
      .filter((line) => line.includes('"graphql operation"'))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    const federated = lines.find((line) => line.trace_id === router.traceId);
    expect(federated).toBeDefined();
    const operation = children(
      traceOf(router.traceId),
      traceOf(router.traceId).find((s) => s.kind === SpanKind.SERVER)!,
    )[0];
    expect(federated!.span_id).toBe(operation.spanId);
    // Every request's line has them (the others started their own traces).
    expect(lines.length).toBeGreaterThanOrEqual(4);
    for (const line of lines) expect(line).toEqual(expect.objectContaining({ trace_id: expect.any(String), span_id: expect.any(String) }));
  });

  test("an unknown member: NOT_FOUND on the upstream span and the operation span, without the message", () => {
    const operation = operationWith("NOT_FOUND");
    expect(operation.status.code).toBe(2);
    expect(operation.attributes["graphql.error.codes"]).toEqual(["NOT_FOUND"]);
    expect(operation.events).toContainEqual({ name: "exception", attributes: { "exception.type": "NOT_FOUND" } });
    const upstream = traceOf(operation.traceId).find((span) => span.kind === SpanKind.CLIENT)!;
    expect(upstream.attributes).toMatchObject({ "http.response.status_code": 404, "error.type": "NOT_FOUND" });
    expect(upstream.status.code).toBe(2);
  });

  test("a 429 from the upstream: a rate_limited event with its Retry-After, RATE_LIMITED on the spans", () => {
    const operation = operationWith("RATE_LIMITED");
    const upstream = traceOf(operation.traceId).find((span) => span.kind === SpanKind.CLIENT)!;
    expect(upstream.attributes).toMatchObject({ "http.response.status_code": 429, "error.type": "RATE_LIMITED" });
    expect(upstream.events).toContainEqual({ name: "rate_limited", attributes: { "referrals.retry_after_seconds": 30 } });
  });

  test("a retried call: one client span with a retry event (its reason) and its resend count", () => {
    const retried = receiver.spans.filter(
      (span) => span.kind === SpanKind.CLIENT && span.attributes["http.request.resend_count"] !== undefined,
    );
    expect(retried).toHaveLength(1);
    expect(retried[0].attributes).toMatchObject({ "http.request.resend_count": 1, "http.response.status_code": 200 });
    expect(retried[0].events).toEqual([{ name: "retry", attributes: { "http.request.resend_count": 1, "referrals.retry.reason": "503" } }]);
    expect(retried[0].status.code).toBe(0);
  });

  test.each([
    ["POST", "without a token (refused at admission)"],
    ["GET", "with a token that does not verify (refused by the context)"],
  ])("a %s %s: UNAUTHENTICATED on its operation span, and no upstream span", (method) => {
    const server = serverSpans().find(
      (span) => span.attributes["http.request.method"] === method && span.attributes["http.response.status_code"] === 401,
    )!;
    const operation = children(traceOf(server.traceId), server).find(isOperationSpan)!;
    // The refusal as the span records it: its code as the status message and as one exception event, never the
    // refusal's message (messages may quote what the client sent).
    expect(operation.status).toEqual({ code: 2, message: "UNAUTHENTICATED" });
    expect(operation.attributes["error.type"]).toBe("UNAUTHENTICATED");
    expect(operation.attributes["graphql.error.codes"]).toEqual(["UNAUTHENTICATED"]);
    expect(operation.events).toEqual([{ name: "exception", attributes: { "exception.type": "UNAUTHENTICATED" } }]);
    expect(traceOf(operation.traceId).filter((span) => span.kind === SpanKind.CLIENT)).toEqual([]);
    // A refusal is the client's error, not the server's: the server span's status stays unset.
    expect(server.status.code).toBe(0);
  });

  test("a refusal at admission: the admission span says refused with FORBIDDEN, and no upstream span", () => {
    const operation = operationWith("FORBIDDEN");
    const admission = children(traceOf(operation.traceId), operation).find((span) => span.name === "admission")!;
    expect(admission.attributes).toMatchObject({ "referrals.admission.outcome": "refused", "error.type": "FORBIDDEN" });
    expect(admission.status.code).toBe(2);
    expect(traceOf(operation.traceId).filter((span) => span.kind === SpanKind.CLIENT)).toEqual([]);
  });

  test("no personal data, metadata value, variable value, member id, token or credential in anything exported", () => {
    expect(serverSpans().length).toBe(8);
    const forbidden = [
      PERSON.name,
      PERSON.email,
      PERSON.phone,
      METADATA_VALUE,
      CUSTOMER_METADATA_VALUE,
      "trace-suite-person",
      SEED.code,
      SEED.otherCode,
      "NO-SUCH-CODE",
      "trace-suite", // the tokens' subjects (the budget key)
      token,
      readless,
      "not.a.token",
      TEST_JWT_SECRET,
      emulator.appToken,
      emulator.appId,
      // The seeded customers' names and emails, read in request 1.
      "Referee 0",
      "Demo Referrer",
      "@example.com",
    ];
    // The raw bytes the exporter sent (strings are UTF-8 in protobuf), and the decoded spans, searched alike.
    const raw = Buffer.concat(receiver.requests.map((request) => request.body));
    const decoded = JSON.stringify(receiver.spans);
    for (const value of forbidden) {
      expect({ value, inRaw: raw.includes(value), inDecoded: decoded.includes(value) }).toEqual({ value, inRaw: false, inDecoded: false });
    }
  });
});
