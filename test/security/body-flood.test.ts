import { closedCount, countBy, openPartialBodies, timedQueries } from "../load/body-flood.js";
import { startGatewayProcess, type GatewayProcess } from "../support/gateway-process.js";
import { within } from "../support/raw-client.js";
import { ALL_SCOPES, bearer, signToken, TEST_JWT_SECRET } from "../support/tokens.js";

// Issue 18's flood, with real sockets against the built gateway in a process of its own (production, HS256 caller
// tokens, default limits: a 32 MiB body budget, 4 MiB per caller, a 30 s request timeout). One authenticated caller
// opens 200 sockets that each send 1 MiB minus one byte of body and wait; 200 anonymous sockets do the same. Another
// caller's queries must all be answered, and the gateway's memory must stay bounded. Latency is the bench's job
// (`node dist/test/load/partial-bodies.js` reports p50/p99): nothing here is timed.

const MiB = 1024 * 1024;
const SOCKETS = 200;
/**
 * What the gateway's JavaScript holds in buffers once the flood has settled, over idle, both after full garbage
 * collections: exactly the 4 held bodies here (4.0 MiB), 28.0 MiB when one caller could fill the shared budget alone
 * (no per-caller share), 200 MiB without a budget. Deterministic: live bytes, not the collector's lag.
 */
const HELD_BOUND_MIB = 8;
/**
 * The flood's peak resident memory over idle: 27-40 MiB on Node 20, 60-72 MiB on Node 24 (sockets, parsers, the 4 held
 * bodies, and the collector's lag over the body pieces of refused clients closed with their bodies unread: Node 24 lets
 * them wait, 51 MiB of them flat while the flood is held, and a full collection frees them). Keeping the refused bodies
 * would pass 200 MiB; what is held once the flood is over is HELD_BOUND_MIB's to catch, a peak being too noisy to tell 4
 * held bodies from 28.
 */
const RSS_BOUND_MIB = 90;
const BODY = Buffer.alloc(MiB - 1, 0x20);

let gateway: GatewayProcess;
beforeAll(async () => {
  gateway = await startGatewayProcess({ NODE_ENV: "production", AUTH_JWT_SECRET: TEST_JWT_SECRET }, { memoryProbe: true });
});
afterAll(() => gateway?.stop("SIGKILL"));

test("200 stalled 1 MiB bodies of one caller and 200 anonymous ones: every query of another caller answers 200", async () => {
  const graphqlUrl = `${gateway.url}/graphql`;
  const alice = bearer(await signToken({ sub: "alice", scope: "referrals:read" }));
  const mallory = bearer(await signToken({ sub: "mallory", scope: ALL_SCOPES }));
  const warmUp = await timedQueries(graphqlUrl, alice, 20);
  expect(warmUp.statuses).toEqual(Array(20).fill(200));

  const idle = await gateway.memoryAfterGc();
  const idleRss = gateway.rssBytes();
  let peakRss = idleRss;
  // A measurement, not a synchronisation: the highest resident memory seen while the flood is on.
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, gateway.rssBytes())), 20);
  try {
    const [whileOpening, attackers, anonymous] = await Promise.all([
      timedQueries(graphqlUrl, alice, 100),
      openPartialBodies(gateway.port, SOCKETS, BODY, mallory),
      openPartialBodies(gateway.port, SOCKETS, BODY),
    ]);
    // Anonymous clients are answered 401 from their headers and closed; they never hold body memory.
    await within(15_000, "every anonymous client closed", closedCount(anonymous, SOCKETS));
    // The caller's share (4 MiB) holds four of its bodies; the other 196 are refused 503 and closed.
    await within(15_000, "196 of the caller's clients closed", closedCount(attackers, SOCKETS - 4));
    const whileHeld = await timedQueries(graphqlUrl, alice, 100);
    // Once the flood is over, the 4 held bodies are all the gateway holds of it.
    const settled = await gateway.memoryAfterGc();
    expect((settled.arrayBuffers - idle.arrayBuffers) / MiB).toBeLessThan(HELD_BOUND_MIB);

    expect(whileOpening.statuses).toEqual(Array(100).fill(200));
    expect(whileHeld.statuses).toEqual(Array(100).fill(200));
    expect(whileOpening.wrongAnswers + whileHeld.wrongAnswers).toBe(0);
    // Each anonymous client was closed by the gateway long before the request timeout (30 s), having been answered
    // 401 or nothing at all: the gateway reads and drops the rest of a refused body before closing for 16 connections
    // at once (src/http/lingering-close.ts); past them it closes with the body unread, and the kernel then resets the
    // connection, which can discard the answer before the client reads it (RFC 9112, 9.6).
    const anonymousAnswers = countBy(anonymous.map((client) => client.status));
    expect(Object.keys(anonymousAnswers).filter((status) => status !== "401" && status !== "none")).toEqual([]);
    expect(anonymousAnswers["401"]).toBeGreaterThan(0);
    // Still held once the queries are done: they were answered beside the held bodies, not after them.
    const held = attackers.filter((client) => client.closedAt === null);
    expect(held).toHaveLength(4);
    expect(held.map((client) => client.status)).toEqual(["none", "none", "none", "none"]);
    const refusedAnswers = countBy(attackers.filter((client) => client.closedAt !== null).map((client) => client.status));
    expect(Object.keys(refusedAnswers).filter((status) => status !== "503" && status !== "none")).toEqual([]);
  } finally {
    clearInterval(sampler);
  }
  expect((peakRss - idleRss) / MiB).toBeLessThan(RSS_BOUND_MIB);
}, 90_000);
