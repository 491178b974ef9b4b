import { readFileSync } from "node:fs";
import { upstreamGraphQLError } from "../../src/errors/graphql-errors.js";
import { codeForStatus, describeUpstreamError } from "../../src/voucherify/error-mapping.js";
import {
  UpstreamBodyError,
  UpstreamNetworkError,
  UpstreamStatusError,
  UpstreamTimeoutError,
  type UpstreamError,
} from "../../src/voucherify/upstream-errors.js";

// The typed upstream failures, through the one ladder (describeUpstreamError) and the one GraphQL builder.
const toGraphQL = (error: UpstreamError) => upstreamGraphQLError(describeUpstreamError(error), error);
const errorFromResponse = (status: number, body: string, retryAfterSeconds?: number) =>
  toGraphQL(new UpstreamStatusError(status, body, retryAfterSeconds));
const timeoutError = () => toGraphQL(new UpstreamTimeoutError());
const transportError = (code: string | undefined) => toGraphQL(new UpstreamNetworkError(code));
const invalidResponseError = (status: number, problem: string) => toGraphQL(new UpstreamBodyError(status, problem));

const example = (name: string) => readFileSync(new URL(`../fixtures/voucherify/examples/${name}`, import.meta.url), "utf8");

describe("codeForStatus: the one status-to-code table", () => {
  test.each([
    [400, "BAD_USER_INPUT"],
    [422, "BAD_USER_INPUT"],
    [401, "UNAUTHENTICATED"],
    [403, "FORBIDDEN"],
    [404, "NOT_FOUND"],
    [409, "CONFLICT"],
    [429, "RATE_LIMITED"],
    [405, "UPSTREAM_ERROR"],
    [413, "UPSTREAM_ERROR"],
    [500, "UPSTREAM_ERROR"],
    [502, "UPSTREAM_ERROR"],
    [503, "UPSTREAM_ERROR"],
    [504, "UPSTREAM_ERROR"],
  ])("%i -> %s", (status, code) => {
    expect(codeForStatus(status)).toBe(code);
  });
});

describe("errorFromResponse", () => {
  test.each([
    [
      "remove-holder.response.403.removing-the-referrer.json",
      403,
      "FORBIDDEN",
      { status: 403, key: "forbidden", requestId: "v-0f1ab7abf6d2a9d353", details: "You can not remove Referrer assignment" },
    ],
    [
      "add-holders.response.409.customer-already-assigned.json",
      409,
      "CONFLICT",
      { status: 409, key: "holder_assignement_duplication", requestId: "v-0f19ae50d750ae886b" },
    ],
    ["error.401-unauthorized.json", 401, "UNAUTHENTICATED", { status: 401, key: "unauthorized" }],
    ["add-holders.response.400.voucher-not-published-yet.json", 400, "BAD_USER_INPUT", undefined],
    ["remove-holder.response.404.redeemable-holder-not-found.json", 404, "NOT_FOUND", undefined],
  ])("real example %s", (file, status, code, upstream) => {
    const body = JSON.parse(example(file)) as { message: string; key?: string; request_id?: string };
    const error = errorFromResponse(status, JSON.stringify(body));
    expect(error.extensions.code).toBe(code);
    expect(error.message).toBe(body.message);
    const expected = upstream ?? {
      status,
      ...(body.key ? { key: body.key } : {}),
      ...(body.request_id ? { requestId: body.request_id } : {}),
    };
    expect(error.extensions.upstream).toMatchObject(expected);
    // Only the documented fields: nothing else of the body is passed on, and no undefined keys are left in.
    expect(
      Object.keys(error.extensions.upstream as object).every((k) =>
        ["status", "key", "requestId", "details", "resourceType", "resourceId"].includes(k),
      ),
    ).toBe(true);
    expect(Object.values(error.extensions.upstream as object)).not.toContain(undefined);
  });

  test("an HTML body gives the generic message and leaks nothing of the body", () => {
    const html = "<html><head><title>502</title></head><body>nginx at 10.0.0.7 secret</body></html>";
    const error = errorFromResponse(502, html);
    expect(error.message).toBe("Voucherify answered with an error.");
    expect(error.extensions).toEqual({ code: "UPSTREAM_ERROR", upstream: { status: 502 } });
    expect(JSON.stringify(error.toJSON())).not.toMatch(/nginx|10\.0\.0\.7|secret|html/);
  });

  test.each([
    ["empty", ""],
    ["a JSON array", "[1,2]"],
    ["JSON null", "null"],
    ["a JSON string", '"boom"'],
  ])("a body that is %s gives the generic message of its status", (_name, body) => {
    expect(errorFromResponse(404, body).message).toBe("Voucherify could not find the resource.");
    expect(errorFromResponse(404, body).extensions.upstream).toEqual({ status: 404 });
  });

  test("fields of the wrong type are dropped, long ones bounded", () => {
    const error = errorFromResponse(400, JSON.stringify({ code: 400, key: 42, message: "m".repeat(5000), details: { nested: true } }));
    expect(error.extensions.upstream).toEqual({ status: 400 });
    expect(error.message).toHaveLength(500);
  });

  test("429 carries retryAfterSeconds (default 1)", () => {
    expect(errorFromResponse(429, example("error.429-client-side-rate-limit.json"), 30).extensions).toEqual({
      code: "RATE_LIMITED",
      upstream: { status: 429 },
      retryAfterSeconds: 30,
    });
    expect(errorFromResponse(429, "").extensions.retryAfterSeconds).toBe(1);
    expect(errorFromResponse(500, "", 30).extensions.retryAfterSeconds).toBeUndefined();
  });

  test("timeouts, transport failures and unexpected bodies", () => {
    expect(timeoutError().extensions).toEqual({ code: "UPSTREAM_TIMEOUT", upstream: { status: null } });
    expect(transportError("ECONNRESET").extensions).toEqual({ code: "UPSTREAM_ERROR", upstream: { status: null, key: "ECONNRESET" } });
    expect(transportError(undefined).extensions).toEqual({ code: "UPSTREAM_ERROR", upstream: { status: null } });
    expect(invalidResponseError(200, "not JSON").extensions).toEqual({ code: "UPSTREAM_ERROR", upstream: { status: 200 } });
  });
});
