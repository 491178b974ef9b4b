import { once } from "node:events";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Socket } from "node:net";
import { rawClient, within, write, type RawClient } from "../support/raw-client.js";
import { graphql, startStack, type Stack } from "../support/stack.js";
import { ALL_SCOPES, bearer, signToken, TEST_JWT_SECRET } from "../support/tokens.js";

// Real sockets against the real gateway, with limits shortened so each cut happens within a second. Every wait is
// bounded; Node's own defaults (60 s for headers, 300 s for a request) would fail each of these bounds, and so would
// Node's default check of those timeouts every 30 s (src/http/http-server.ts checks every second or sooner).

const HOLDERS = `{ referralMember(memberId: "WELCOME-REF") { holders { totalCount } } }`;
const CUT_WITHIN_MS = 5000;

/** The next request the gateway receives, with its response: its `close` is when the server is done with it. */
function nextRequest(stack: Stack): Promise<{ request: IncomingMessage; response: ServerResponse }> {
  return new Promise((resolve) => stack.gateway.server.once("request", (request, response) => resolve({ request, response })));
}

/** A GraphQL POST body of exactly `bytes` bytes (the query padded with spaces, which JSON ignores). */
function bodyOfSize(bytes: number): string {
  const body = JSON.stringify({ query: HOLDERS });
  return body.slice(0, -1) + " ".repeat(bytes - body.length) + "}";
}

function postHead(contentLength: number): string {
  return `POST /graphql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${contentLength}\r\n\r\n`;
}

describe("slow and stalled clients are cut", () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ env: { HTTP_HEADERS_TIMEOUT_MS: "300", HTTP_REQUEST_TIMEOUT_MS: "500" } });
  });
  afterAll(() => stack.stop());

  test("a client that sends its headers a byte at a time is answered 408 and closed", async () => {
    const client = await rawClient(stack.gateway.port);
    const head = "POST /graphql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nX-Padding: " + "a".repeat(10_000);
    let sent = 0;
    // The client's behaviour, not a synchronisation: one byte every 20 ms, so the headers never end in time.
    const dribble = setInterval(() => {
      if (sent < head.length && !client.socket.destroyed) client.socket.write(head[sent++]);
    }, 20);
    try {
      await within(CUT_WITHIN_MS, "server closing a slow-headers client", client.closed);
    } finally {
      clearInterval(dribble);
    }
    expect(sent).toBeLessThan(head.length);
    expect(client.received()).toMatch(/^HTTP\/1\.1 408 /);
  });

  test("a client that stalls mid-body is cut, and the bytes it pinned are released", async () => {
    const arrived = nextRequest(stack);
    const client = await rawClient(stack.gateway.port);
    await write(client.socket, postHead(100_000) + " ".repeat(50_000));
    const { response } = await within(CUT_WITHIN_MS, "request arriving", arrived);
    // The declared length is reserved against the shared body budget while the body is in transit.
    expect(stack.gateway.bodyBudget.bytesInUse).toBe(100_000);
    await within(CUT_WITHIN_MS, "server closing a stalled-body client", client.closed);
    if (!response.closed) await within(CUT_WITHIN_MS, "server side of the request closing", once(response, "close"));
    expect(client.received()).toMatch(/^HTTP\/1\.1 408 /);
    expect(stack.gateway.bodyBudget.bytesInUse).toBe(0);
    // The gateway is unharmed: the next request is answered.
    const after = await graphql(stack.gateway.graphqlUrl, HOLDERS);
    expect(after.data).toEqual({ referralMember: { holders: { totalCount: 26 } } });
  });

  test("the request timeout covers receiving a request, not answering it: a slow operation still answers", async () => {
    // The upstream takes three times the request timeout; the operation's own bound is OPERATION_TIMEOUT_MS (30 s).
    stack.emulator.injectFault({ latencyMs: 1500, times: 1 });
    const response = await graphql(stack.gateway.graphqlUrl, HOLDERS);
    expect(response.status).toBe(200);
    expect(response.data).toEqual({ referralMember: { holders: { totalCount: 26 } } });
  });
});

describe("the connection cap", () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ env: { HTTP_MAX_CONNECTIONS: "2" } });
  });
  afterAll(() => stack.stop());

  test("closes connections over the cap unanswered; once one frees, requests are served again", async () => {
    const serverSockets: Socket[] = [];
    const onConnection = (socket: Socket) => serverSockets.push(socket);
    stack.gateway.server.on("connection", onConnection);
    // Two clients hold the two slots, mid-headers.
    const holders = [await rawClient(stack.gateway.port), await rawClient(stack.gateway.port)];
    for (const holder of holders) await write(holder.socket, "GET /healthz HTTP/1.1\r\n");
    stack.gateway.server.off("connection", onConnection);
    expect(serverSockets).toHaveLength(2);

    const dropped = new Promise((resolve) => stack.gateway.server.once("drop", resolve));
    const extra = await rawClient(stack.gateway.port);
    await within(CUT_WITHIN_MS, "server dropping the extra connection", dropped);
    await within(CUT_WITHIN_MS, "extra connection closing", extra.closed);
    expect(extra.received()).toBe("");

    const freed = new Promise((resolve) => serverSockets[0].once("close", resolve));
    holders[0].socket.destroy();
    await within(CUT_WITHIN_MS, "server seeing a slot free", freed);
    const served = await graphql(stack.gateway.graphqlUrl, HOLDERS);
    expect(served.data).toEqual({ referralMember: { holders: { totalCount: 26 } } });
    holders[1].socket.destroy();
  });
});

describe("the shared cap on request bodies in transit", () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ env: { HTTP_MAX_BUFFERED_BODY_BYTES: "65536" } });
  });
  afterAll(() => stack.stop());

  test("over the cap: 503 SERVICE_UNAVAILABLE with connection: close, no upstream call; normal again once freed", async () => {
    const arrived = nextRequest(stack);
    const stalled = await rawClient(stack.gateway.port);
    await write(stalled.socket, postHead(40_000) + " ".repeat(1000));
    const { response: stalledResponse } = await within(CUT_WITHIN_MS, "stalled request arriving", arrived);
    expect(stack.gateway.bodyBudget.bytesInUse).toBe(40_000);

    const body = bodyOfSize(30_000);
    const upstreamBefore = stack.emulator.requests.length;
    const refused = await fetch(stack.gateway.graphqlUrl, { method: "POST", headers: { "content-type": "application/json" }, body });
    expect(refused.status).toBe(503);
    expect(refused.headers.get("connection")).toBe("close");
    expect(refused.headers.get("retry-after")).toBe("1");
    expect(await refused.json()).toEqual({
      errors: [
        {
          message: "The gateway is receiving too many request bodies at once; retry shortly.",
          extensions: { code: "SERVICE_UNAVAILABLE", retryAfterSeconds: 1 },
        },
      ],
    });
    expect(stack.emulator.requests.length).toBe(upstreamBefore);
    expect(stack.gateway.bodyBudget.bytesInUse).toBe(40_000);

    stalled.socket.destroy();
    if (!stalledResponse.closed) await within(CUT_WITHIN_MS, "server side of the stalled request closing", once(stalledResponse, "close"));
    expect(stack.gateway.bodyBudget.bytesInUse).toBe(0);
    const accepted = await fetch(stack.gateway.graphqlUrl, { method: "POST", headers: { "content-type": "application/json" }, body });
    expect(accepted.status).toBe(200);
    expect(await accepted.json()).toEqual({ data: { referralMember: { holders: { totalCount: 26 } } } });
    expect(stack.gateway.bodyBudget.bytesInUse).toBe(0);
  });

  test("a chunked body (no Content-Length) is counted as it arrives and refused when it would pass the cap", async () => {
    const arrived = nextRequest(stack);
    const stalled = await rawClient(stack.gateway.port);
    await write(stalled.socket, postHead(60_000));
    const { response: stalledResponse } = await within(CUT_WITHIN_MS, "stalled request arriving", arrived);

    const chunked = await rawClient(stack.gateway.port);
    const head = "POST /graphql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n";
    const chunk = " ".repeat(10_000);
    await write(chunked.socket, `${head}${chunk.length.toString(16)}\r\n${chunk}\r\n`);
    await within(CUT_WITHIN_MS, "chunked client closed after its 503", chunked.closed);
    expect(chunked.received()).toMatch(/^HTTP\/1\.1 503 [^]*"code":"SERVICE_UNAVAILABLE"/);
    expect(stack.gateway.bodyBudget.bytesInUse).toBe(60_000);

    stalled.socket.destroy();
    if (!stalledResponse.closed) await within(CUT_WITHIN_MS, "server side of the stalled request closing", once(stalledResponse, "close"));
    expect(stack.gateway.bodyBudget.bytesInUse).toBe(0);
  });
});

/** A raw HTTP answer split into its status, headers (names lower-cased) and JSON body. */
function parseAnswer(text: string): { status: number; headers: Map<string, string>; body: unknown } {
  const [head, ...rest] = text.split("\r\n\r\n");
  const [statusLine, ...lines] = head.split("\r\n");
  const headers = new Map(lines.map((line) => [line.slice(0, line.indexOf(":")).toLowerCase(), line.slice(line.indexOf(":") + 1).trim()]));
  return { status: Number(statusLine.split(" ")[1]), headers, body: JSON.parse(rest.join("\r\n\r\n")) };
}

/** Resolves once the gateway has received `count` more requests (their headers, that is). */
function requestsArriving(stack: Stack, count: number): Promise<void> {
  return new Promise((resolve) => {
    let seen = 0;
    const onRequest = () => {
      if (++seen < count) return;
      stack.gateway.server.off("request", onRequest);
      resolve();
    };
    stack.gateway.server.on("request", onRequest);
  });
}

const MiB = 1024 * 1024;

describe("who is calling is known before the body: per-caller shares of the body budget (production, auth on)", () => {
  let stack: Stack;
  let alice: Record<string, string>;
  beforeAll(async () => {
    // The request timeout is long here: whatever is cut below is cut by the gateway's own decisions, not by it.
    stack = await startStack({ env: { NODE_ENV: "production", AUTH_JWT_SECRET: TEST_JWT_SECRET, HTTP_REQUEST_TIMEOUT_MS: "60000" } });
    alice = bearer(await signToken({ sub: "alice", scope: ALL_SCOPES }));
  });
  afterAll(() => stack.stop());
  afterEach(() => expect(stack.gateway.bodyBudget.bytesInUse).toBe(0));

  /** Clients that each send the headers of a 1 MiB POST and nothing of its body; resolves once all have arrived. */
  async function holdBodies(count: number, headers: Record<string, string>, bytes = MiB) {
    const arrived = requestsArriving(stack, count);
    const extra = Object.entries(headers).map(([name, value]) => `${name}: ${value}\r\n`);
    const clients = await Promise.all(Array.from({ length: count }, () => rawClient(stack.gateway.port)));
    for (const client of clients) await write(client.socket, postHead(bytes).replace("\r\n\r\n", `\r\n${extra.join("")}\r\n`));
    await within(CUT_WITHIN_MS, `${count} requests arriving`, arrived);
    return clients;
  }

  async function release(clients: RawClient[]) {
    for (const client of clients) client.socket.destroy();
    await Promise.all(clients.map((client) => within(CUT_WITHIN_MS, "client closing", client.closed)));
    // The server side lets go when it sees the close; the next request is answered after that.
    await within(CUT_WITHIN_MS, "budget released", waitForBudget(stack, 0));
  }

  test("an unauthenticated POST is answered 401 at once, unread, and closed: the same answer as a whole anonymous request", async () => {
    const whole = await fetch(stack.gateway.graphqlUrl, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ query: HOLDERS }),
    });
    const expected = {
      status: whole.status,
      body: await whole.json(),
      challenge: whole.headers.get("www-authenticate"),
      type: whole.headers.get("content-type"),
      cacheControl: whole.headers.get("cache-control"),
    };
    expect(expected.status).toBe(401);

    const [anonymous] = await holdBodies(1, {});
    await write(anonymous.socket, " ".repeat(1000));
    // Closed by the gateway long before the request timeout (60 s), with 1 MiB minus 1,000 bytes never sent.
    await within(CUT_WITHIN_MS, "gateway closing the anonymous client", anonymous.closed);
    const answer = parseAnswer(anonymous.received());
    expect(answer.status).toBe(401);
    expect(answer.headers.get("connection")).toBe("close");
    expect(answer.headers.get("www-authenticate")).toBe(expected.challenge);
    expect(answer.headers.get("content-type")).toBe(expected.type);
    expect(answer.headers.get("cache-control")).toBe(expected.cacheControl);
    expect(answer.body).toEqual(expected.body);
    expect(stack.gateway.bodyBudget.bytesInUse).toBe(0);
  });

  test("a bad token is refused the same way; an authenticated body counts against its caller's share", async () => {
    const [forged] = await holdBodies(1, bearer("not.a.jwt"));
    await within(CUT_WITHIN_MS, "gateway closing the forged client", forged.closed);
    expect(parseAnswer(forged.received()).status).toBe(401);

    const held = await holdBodies(1, alice);
    await within(CUT_WITHIN_MS, "alice's body reserved", waitForBudget(stack, MiB, "sub:alice"));
    await release(held);
  });

  test("one caller holds at most its share (4 MiB); its next body is refused 503 while another caller is served", async () => {
    const mallory = bearer(await signToken({ sub: "mallory", scope: ALL_SCOPES }));
    const held = await holdBodies(4, mallory);
    await within(CUT_WITHIN_MS, "mallory's bodies reserved", waitForBudget(stack, 4 * MiB, "sub:mallory"));

    const [refused] = await holdBodies(1, mallory);
    await within(CUT_WITHIN_MS, "gateway closing the refused client", refused.closed);
    const answer = parseAnswer(refused.received());
    expect(answer.status).toBe(503);
    expect(answer.headers.get("retry-after")).toBe("1");
    expect(answer.body).toEqual({
      errors: [
        {
          message: "The gateway is receiving too many request bodies at once; retry shortly.",
          extensions: { code: "SERVICE_UNAVAILABLE", retryAfterSeconds: 1 },
        },
      ],
    });

    const query = await graphql(stack.gateway.graphqlUrl, HOLDERS, undefined, alice);
    expect(query.status).toBe(200);
    expect(query.data).toEqual({ referralMember: { holders: { totalCount: 26 } } });
    const large = await holdBodies(1, alice);
    await within(CUT_WITHIN_MS, "alice's large body reserved", waitForBudget(stack, MiB, "sub:alice"));
    expect(stack.gateway.bodyBudget.bytesHeldBy("sub:mallory")).toBe(4 * MiB);
    await release([...held, ...large]);
  });

  test("large bodies of many callers never take the part kept for small ones: a query still answers", async () => {
    // Seven callers fill their shares: 28 MiB, all that large bodies may hold of the 32 MiB.
    const held: RawClient[] = [];
    for (let caller = 0; caller < 7; caller++) {
      held.push(...(await holdBodies(4, bearer(await signToken({ sub: `filler-${caller}`, scope: ALL_SCOPES })))));
    }
    await within(CUT_WITHIN_MS, "28 MiB reserved", waitForBudget(stack, 28 * MiB));
    const [refused] = await holdBodies(1, alice, 100_000);
    await within(CUT_WITHIN_MS, "gateway closing the large body", refused.closed);
    expect(parseAnswer(refused.received()).status).toBe(503);

    const query = await graphql(stack.gateway.graphqlUrl, HOLDERS, undefined, alice);
    expect(query.status).toBe(200);
    expect(query.data).toEqual({ referralMember: { holders: { totalCount: 26 } } });
    await release(held);
  });
});

/**
 * Resolves once the body budget holds `bytes` (all callers, or one): a body is reserved once its caller is verified,
 * a moment after its headers arrive, and let go when the server sees its client close.
 */
function waitForBudget(stack: Stack, bytes: number, caller?: string): Promise<void> {
  const budget = stack.gateway.bodyBudget;
  return new Promise((resolve) => {
    const check = () =>
      (caller === undefined ? budget.bytesInUse : budget.bytesHeldBy(caller)) === bytes ? resolve() : setImmediate(check);
    check();
  });
}
