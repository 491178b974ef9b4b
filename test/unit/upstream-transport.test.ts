import http from "node:http";
import type { AddressInfo } from "node:net";
import { gzipSync } from "node:zlib";
import { UpstreamTransport, type UpstreamRequest } from "../../src/voucherify/transport.js";
import { MAX_UPSTREAM_BODY_BYTES } from "../../src/voucherify/upstream-exchange.js";
import {
  UpstreamError,
  UpstreamNetworkError,
  UpstreamRateLimitedError,
  UpstreamTimeoutError,
} from "../../src/voucherify/upstream-errors.js";
import { OperationScope } from "../../src/voucherify/operation-scope.js";
import { VoucherifyClient } from "../../src/voucherify/client.js";
import { SharedUpstreamGate } from "../../src/shared-state/upstream-gate.js";

// A real HTTP server that misbehaves in ways the emulator does not need to: compression, huge and cut bodies, a
// 429 that arrives while other calls wait for a connection.
let server: http.Server;
let baseUrl: string;
const received: string[] = [];
let releaseHeld: (() => void) | null = null;
let heldArrived: (() => void) | null = null;

beforeAll(async () => {
  server = http.createServer((request, response) => {
    received.push(`${request.method} ${request.url}`);
    if (request.url === "/api/gzip") {
      response.writeHead(200, { "content-type": "application/json", "content-encoding": "gzip" });
      response.end(gzipSync(JSON.stringify({ ok: true, path: request.url })));
    } else if (request.url === "/api/huge") {
      response.writeHead(200, { "content-type": "application/json" });
      const chunk = Buffer.alloc(1024 * 1024, "x");
      for (let i = 0; i <= MAX_UPSTREAM_BODY_BYTES / chunk.length; i++) response.write(chunk);
      response.end();
    } else if (request.url === "/api/cut") {
      response.writeHead(200, { "content-type": "application/json", "content-length": "100" });
      response.write('{"data": [');
      setImmediate(() => response.socket?.destroy());
    } else if (request.url?.includes("held-429")) {
      releaseHeld = () => response.writeHead(429, { "retry-after": "9" }).end("{}");
      heldArrived?.();
    } else {
      response.writeHead(200, { "content-type": "application/json" }).end("{}");
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

const credentials = { appId: "app", appToken: "token" };
const call = (path: string, extra: Partial<UpstreamRequest> = {}): UpstreamRequest => ({
  method: "GET",
  path,
  endpoint: "test",
  credentials,
  ...extra,
});

function transport(maxConcurrency = 4): UpstreamTransport {
  return new UpstreamTransport({ baseUrl, timeoutMs: 5000, maxConcurrency, retryBaseDelayMs: 1 });
}

test("the base URL's path prefixes every request, and gzip bodies are decoded", async () => {
  const upstream = transport();
  try {
    const response = await upstream.request(call("gzip"));
    expect(JSON.parse(response.body)).toEqual({ ok: true, path: "/api/gzip" });
  } finally {
    upstream.close();
  }
});

test("a body over the cap is refused instead of buffered, as a typed network error (not retried)", async () => {
  const upstream = transport();
  received.length = 0;
  try {
    const error = await upstream.request(call("huge")).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UpstreamNetworkError);
    expect(error).toMatchObject({ code: "EBODYTOOLARGE", status: null });
    expect((error as Error).cause).toBeDefined();
    expect(received).toEqual(["GET /api/huge"]);
  } finally {
    upstream.close();
  }
});

test("a body cut short by a closed socket is a reset, retried for a GET, 3 attempts at most", async () => {
  const upstream = transport();
  received.length = 0;
  try {
    await expect(upstream.request(call("cut"))).rejects.toMatchObject({ name: "UpstreamNetworkError", code: "ECONNRESET" });
    expect(received).toHaveLength(3);
    expect(upstream.inFlight).toBe(0);
  } finally {
    upstream.close();
  }
});

test("a body that cannot be serialised is a bug, not an upstream failure: thrown as it is, nothing sent", async () => {
  const upstream = transport();
  received.length = 0;
  try {
    const error = await upstream.request(call("ok", { method: "POST", json: { amount: 1n } })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TypeError);
    expect(error).not.toBeInstanceOf(UpstreamError);
    expect(received).toHaveLength(0);
  } finally {
    upstream.close();
  }
});

test("a 429 stops the calls that were waiting for a connection: the gate refuses them, they never leave the gateway", async () => {
  const upstream = transport(1);
  // Wired as the gateway wires them: the client records the 429 in the gate, the transport asks the gate before sending.
  const gate = new SharedUpstreamGate({ quotaPerMinute: null }, null, null);
  const client = new VoucherifyClient(upstream, credentials, { admission: { gate, tenant: "tenant" } });
  const list = (memberId: string) => client.listHolders({ memberId, limit: 1, order: "id" }).catch((e: unknown) => e);
  received.length = 0;
  try {
    const arrived = new Promise<void>((resolve) => (heldArrived = resolve));
    const first = list("held-429");
    await arrived;
    // The only connection is busy: these two were admitted by the gate and wait in undici's queue.
    const queued = [list("ok"), list("ok")];
    releaseHeld!();
    expect(await first).toMatchObject({ status: 429, retryAfterSeconds: 9 });
    for (const error of await Promise.all(queued)) {
      expect(error).toBeInstanceOf(UpstreamRateLimitedError);
      expect(error).toMatchObject({ reason: "backoff", status: 429 });
    }
    expect(received).toHaveLength(1);
    expect(gate.heldBack("tenant")).toMatchObject({ reason: "backoff" });
  } finally {
    upstream.close();
  }
});

test("beforeSend is asked when a queued call reaches a connection: its refusal ends the call unsent", async () => {
  const upstream = transport(1);
  let refuse = false;
  const refusal = new UpstreamRateLimitedError("backoff", 5);
  received.length = 0;
  try {
    const arrived = new Promise<void>((resolve) => (heldArrived = resolve));
    const first = upstream.request(call("held-429")).catch((e: unknown) => e);
    await arrived;
    const queued = upstream.request(call("ok", { beforeSend: () => (refuse ? refusal : undefined) })).catch((e: unknown) => e);
    // Admitted when it was asked for; refused by the time a connection is free.
    refuse = true;
    releaseHeld!();
    expect(await first).toMatchObject({ status: 429, retryAfterSeconds: 9 });
    expect(await queued).toBe(refusal);
    expect(received).toEqual(["GET /api/held-429"]);
  } finally {
    upstream.close();
  }
});

test("the time budget covers the wait for a connection: a queued call ends at its budget, unsent, as UPSTREAM_TIMEOUT", async () => {
  // One connection, held by a call the server never answers in time; the second call waits for that connection.
  const upstream = new UpstreamTransport({ baseUrl, timeoutMs: 300, maxConcurrency: 1, retryBaseDelayMs: 1 });
  received.length = 0;
  try {
    const arrived = new Promise<void>((resolve) => (heldArrived = resolve));
    // Both asked for in the same turn, so their budgets end at the same tick of the transport's one budget timer: had
    // the queued call been asked for later, the held call's abort would free the connection before the queued call's
    // own budget ends, and it would be sent (rightly: its budget was not spent).
    const held = upstream.request(call("held-429")).catch((e: unknown) => e);
    const queuedCall = upstream.request(call("ok")).catch((e: unknown) => e);
    await arrived;
    const queued = await queuedCall;
    expect(queued).toBeInstanceOf(UpstreamTimeoutError);
    expect(await held).toBeInstanceOf(UpstreamTimeoutError);
    expect(received).toEqual(["GET /api/held-429"]);
    expect(upstream.inFlight).toBe(0);
  } finally {
    releaseHeld?.();
    upstream.close();
  }
});

test("an operation that expires ends its calls in flight at once, long before their own budget", async () => {
  const upstream = transport();
  const scope = new OperationScope();
  received.length = 0;
  try {
    const arrived = new Promise<void>((resolve) => (heldArrived = resolve));
    const held = upstream.request(call("held-429", { scope })).catch((e: unknown) => e);
    await arrived;
    scope.expire();
    expect(await held).toBeInstanceOf(UpstreamTimeoutError);
    // Over: no new call goes out.
    expect(await upstream.request(call("ok", { scope })).catch((e: unknown) => e)).toBeInstanceOf(UpstreamTimeoutError);
    expect(received).toEqual(["GET /api/held-429"]);
  } finally {
    releaseHeld?.();
    upstream.close();
  }
});
