import { resolve } from "node:path";
import { startGatewayProcess } from "../support/gateway-process.js";
import { ALL_SCOPES, bearer, signToken, TEST_JWT_SECRET } from "../support/tokens.js";
import { countBy, openPartialBodies, percentile, timedQueries, type TimedQueries } from "./body-flood.js";

/**
 * How much memory slow clients can pin in the gateway, for how long, and what they cost everyone else. One caller
 * (a valid token) opens SOCKETS clients that each send the headers of a POST /graphql with Content-Length =
 * BODY_BYTES, then BODY_BYTES - 1 bytes of body, and stall; ANONYMOUS_SOCKETS clients without a token do the same.
 * Meanwhile another caller's queries are timed, and compared with the same queries on the idle gateway. The gateway
 * runs in its own process (the built entry point, production, HS256 tokens, the embedded in-memory emulator), so its
 * RSS is its own.
 *
 *   npm run build:tools && node dist/test/load/partial-bodies.js [path/to/dist/src/main.js]
 *
 * Reports the gateway's RSS and external (Buffer) memory before, while pinned, and after the gateway let the sockets
 * go; how the clients were answered; how long the sockets stayed open; and the other caller's p50/p99 idle and under
 * the flood. A measurement, not a test: nothing fails (test/security/body-flood.test.ts asserts the behaviour).
 * Env: SOCKETS (200), ANONYMOUS_SOCKETS (200), BODY_BYTES (1 MiB), QUERIES (200, at 4 at a time), MAX_WAIT_MS (how
 * long to wait for the gateway to cut them; 400000), and any gateway variable (HTTP_*), passed through.
 */

const SOCKETS = Number(process.env.SOCKETS ?? 200);
const ANONYMOUS_SOCKETS = Number(process.env.ANONYMOUS_SOCKETS ?? 200);
const BODY_BYTES = Number(process.env.BODY_BYTES ?? 1024 * 1024);
const QUERIES = Number(process.env.QUERIES ?? 200);
const MAX_WAIT_MS = Number(process.env.MAX_WAIT_MS ?? 400_000);
const METRICS_TOKEN = "partial-bodies-metrics-token";
const mib = (bytes: number) => Math.round((bytes / 1024 / 1024) * 10) / 10;
const ms = (value: number) => Math.round(value * 10) / 10;

const latency = (queries: TimedQueries) => ({
  p50Ms: ms(percentile(queries.latenciesMs, 0.5)),
  p99Ms: ms(percentile(queries.latenciesMs, 0.99)),
  statuses: countBy(queries.statuses.map(String)),
  wrongAnswers: queries.wrongAnswers,
});

async function main(): Promise<void> {
  const mainPath = resolve(process.argv[2] ?? "dist/src/main.js");
  const passedThrough = Object.fromEntries(Object.entries(process.env).filter(([name]) => name.startsWith("HTTP_")));
  const gateway = await startGatewayProcess(
    // The caller budget is off: the timed caller sends more queries a minute than its default budget allows.
    { ...passedThrough, NODE_ENV: "production", AUTH_JWT_SECRET: TEST_JWT_SECRET, METRICS_TOKEN, CALLER_BUDGET_PER_MINUTE: "0" },
    { main: mainPath },
  );
  const graphqlUrl = `${gateway.url}/graphql`;
  /** The gateway's own view of its Buffer memory (prom-client's default metric). */
  const externalBytes = async () => {
    const text = await (await fetch(`${gateway.url}/metrics`, { headers: bearer(METRICS_TOKEN) })).text();
    return Number(/^nodejs_external_memory_bytes (\S+)$/m.exec(text)?.[1] ?? NaN);
  };
  try {
    const alice = bearer(await signToken({ sub: "alice", scope: "referrals:read" }));
    const mallory = bearer(await signToken({ sub: "mallory", scope: ALL_SCOPES }));
    await timedQueries(graphqlUrl, alice, 20);
    const idle = await timedQueries(graphqlUrl, alice, QUERIES);
    const before = { rss: gateway.rssBytes(), external: await externalBytes() };
    const body = Buffer.alloc(BODY_BYTES - 1, 0x20);
    let peakRss = before.rss;
    const sampler = setInterval(() => (peakRss = Math.max(peakRss, gateway.rssBytes())), 20);
    const started = Date.now();
    const [whileOpening, attackers, anonymous] = await Promise.all([
      timedQueries(graphqlUrl, alice, QUERIES),
      openPartialBodies(gateway.port, SOCKETS, body, mallory),
      openPartialBodies(gateway.port, ANONYMOUS_SOCKETS, body),
    ]);
    const sentMs = Date.now() - started;
    const whileHeld = await timedQueries(graphqlUrl, alice, QUERIES);
    clearInterval(sampler);
    const pinned = { rss: peakRss, external: await externalBytes() };
    const clients = [...attackers, ...anonymous];
    const openAfterSend = clients.filter((c) => c.closedAt === null).length;
    const deadline = Date.now() + MAX_WAIT_MS;
    while (clients.some((c) => c.closedAt === null) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 250));
    const stillOpen = clients.filter((c) => c.closedAt === null).length;
    const lastClose = Math.max(...clients.map((c) => c.closedAt ?? Date.now()));
    await new Promise((r) => setTimeout(r, 1000));
    const after = { rss: gateway.rssBytes(), external: await externalBytes() };
    clients.forEach((c) => c.socket.destroy());
    const flood = [...whileOpening.latenciesMs, ...whileHeld.latenciesMs];
    const report = {
      gateway: mainPath,
      sockets: { authenticated: SOCKETS, anonymous: ANONYMOUS_SOCKETS },
      bodyBytesEach: BODY_BYTES - 1,
      sentInMs: sentMs,
      rssMiB: { before: mib(before.rss), pinned: mib(pinned.rss), delta: mib(pinned.rss - before.rss), afterRelease: mib(after.rss) },
      externalMiB: { before: mib(before.external), pinned: mib(pinned.external), afterRelease: mib(after.external) },
      socketsOpenAfterSend: openAfterSend,
      socketsStillOpenAtEnd: stillOpen,
      pinnedForSeconds: Math.round((lastClose - started) / 100) / 10,
      answers: {
        authenticated: countBy(attackers.map((c) => c.status)),
        // "none": reset by the kernel before the answer was read (the gateway closed with the body unread).
        anonymous: countBy(anonymous.map((c) => c.status)),
      },
      otherCallersQueries: {
        idle: latency(idle),
        whileOpening: latency(whileOpening),
        whileHeld: latency(whileHeld),
        p99UnderFloodOverIdle: ms(percentile(flood, 0.99) / percentile(idle.latenciesMs, 0.99)),
      },
    };
    console.log(JSON.stringify(report, null, 2));
  } finally {
    await gateway.stop("SIGKILL");
  }
}

await main();
