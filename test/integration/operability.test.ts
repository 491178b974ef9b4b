import { captureLogs } from "../support/log-capture.js";
import { graphql, startStack, type Stack } from "../support/stack.js";

const HOLDERS = `query TwoPages { referralMember(memberId: "WELCOME-REF") {
  a: holders(first: 2) { totalCount nodes { id customer { name } } }
  b: holders(first: 2) { totalCount nodes { id customer { name } } }
} }`;

describe("operability endpoints and logs", () => {
  let stack: Stack;
  const logs = captureLogs("info");

  beforeAll(async () => {
    // Every request executes (none is served an answer kept whole): the dedupe counts below are per execution.
    stack = await startStack({ env: { CACHE_ANSWERS_MAX_BYTES: "0" }, gateway: { logger: logs.logger } });
  });
  afterAll(() => stack.stop());

  test("GET /healthz answers without touching the upstream", async () => {
    stack.emulator.resetRequests();
    const response = await fetch(`${stack.gateway.url}/healthz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: "ok" });
    expect(stack.emulator.requests).toEqual([]);
  });

  test("GET /readyz checks the upstream once, then answers from its cache", async () => {
    stack.emulator.resetRequests();
    const first = await fetch(`${stack.gateway.url}/readyz`);
    const second = await fetch(`${stack.gateway.url}/readyz`);
    expect(first.status).toBe(200);
    expect(await first.json()).toMatchObject({ ready: true, checks: { schema: "ok", upstream: "ok" } });
    expect(second.status).toBe(200);
    expect(stack.emulator.requests).toHaveLength(1);
  });

  test("an operation logs one line with name, duration, upstream calls, outcome and the caller's request id", async () => {
    stack.emulator.resetRequests();
    const before = logs.lines().length;
    const result = await graphql(stack.gateway.graphqlUrl, HOLDERS, undefined, { "x-request-id": "req-ops-42" });
    expect(result.errors).toBeUndefined();
    expect(result.headers.get("x-request-id")).toBe("req-ops-42");
    // The request id travels upstream, so a Voucherify request can be traced back to the GraphQL operation.
    expect(stack.emulator.requests.map((r) => r.requestId)).toEqual(stack.emulator.requests.map(() => "req-ops-42"));
    const lines = logs
      .lines()
      .slice(before)
      .filter((line) => line.msg === "graphql operation");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      requestId: "req-ops-42",
      operationName: "TwoPages",
      operationType: "query",
      upstreamCalls: stack.emulator.requests.length,
      status: 200,
      outcome: "ok",
    });
    expect(typeof lines[0].durationMs).toBe("number");
  });

  test("a failed operation logs its error codes and Voucherify's request id", async () => {
    const before = logs.lines().length;
    const result = await graphql(
      stack.gateway.graphqlUrl,
      `
        query Missing {
          referralMember(memberId: "NO-SUCH-CODE") {
            holders {
              totalCount
            }
          }
        }
      `,
    );
    expect(result.errors?.[0].extensions?.code).toBe("NOT_FOUND");
    const upstreamRequestId = (result.errors?.[0].extensions?.upstream as { requestId: string }).requestId;
    const line = logs
      .lines()
      .slice(before)
      .find((entry) => entry.msg === "graphql operation");
    expect(line).toMatchObject({
      operationName: "Missing",
      outcome: "error",
      errorCodes: ["NOT_FOUND"],
      upstreamRequestIds: [upstreamRequestId],
    });
  });

  test("GET /metrics exposes operations, upstream calls, errors and dedupe hits in Prometheus format", async () => {
    await graphql(stack.gateway.graphqlUrl, HOLDERS);
    const response = await fetch(`${stack.gateway.url}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toContain("text/plain");
    const text = await response.text();
    expect(text).toMatch(/^gateway_operations_total\{operation="TwoPages",outcome="ok"\} [2-9]/m);
    expect(text).toMatch(/^gateway_operation_duration_seconds_count\{operation="TwoPages"\} [2-9]/m);
    expect(text).toMatch(/^gateway_upstream_requests_total\{endpoint="listHolders",method="GET",status="200"\} \d+/m);
    expect(text).toMatch(/^gateway_upstream_request_duration_seconds_bucket\{le="0.1",endpoint="getCustomer",status="200"\} \d+/m);
    expect(text).toMatch(/^gateway_errors_total\{code="NOT_FOUND"\} 1$/m);
    // Aliases a and b read the same page: the second read is a dedupe hit, as are its repeated customers.
    expect(text).toMatch(/^gateway_dataloader_dedupe_hits_total\{loader="holderPages"\} [2-9]/m);
    expect(text).toMatch(/^gateway_dataloader_dedupe_hits_total\{loader="customers"\} [1-9]/m);
    expect(text).toMatch(/^process_resident_memory_bytes \d+/m);
  });

  test("client-chosen operation names cannot blow up metric labels", async () => {
    await graphql(stack.gateway.graphqlUrl, `query ${"N".repeat(80)} { referralMember(memberId: "WELCOME-REF") { id } }`);
    const text = await (await fetch(`${stack.gateway.url}/metrics`)).text();
    expect(text).toContain('gateway_operations_total{operation="invalid",outcome="ok"} 1');
    expect(text).not.toContain("N".repeat(80));
  });

  test("an unusable caller request id is replaced, not trusted", async () => {
    const result = await graphql(
      stack.gateway.graphqlUrl,
      `
        {
          referralMember(memberId: "WELCOME-REF") {
            id
          }
        }
      `,
      undefined,
      {
        "x-request-id": "bad id\twith spaces",
      },
    );
    expect(result.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe("readiness with bad credentials", () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ gateway: { credentials: { appId: "wrong", appToken: "wrong" } } });
  });
  afterAll(() => stack.stop());

  test("GET /readyz is 503 and says the upstream refused the credentials", async () => {
    const response = await fetch(`${stack.gateway.url}/readyz`);
    expect(response.status).toBe(503);
    expect(await response.json()).toMatchObject({ ready: false, checks: { upstream: "unauthenticated" } });
  });
});

describe("readiness with the upstream down", () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ env: { VOUCHERIFY_TIMEOUT_MS: "300" } });
    await stack.emulator.stop();
  });
  afterAll(() => stack.gateway.stop());

  test("GET /readyz is 503 unreachable", async () => {
    const response = await fetch(`${stack.gateway.url}/readyz`);
    expect(response.status).toBe(503);
    expect(await response.json()).toMatchObject({ ready: false, checks: { upstream: "unreachable" } });
  });
});
