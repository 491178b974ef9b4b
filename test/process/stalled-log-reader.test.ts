import { jest } from "@jest/globals";
import type { ChildProcessWithoutNullStreams } from "node:child_process";
import { startEmulator, type EmulatorHandle } from "../../src/emulator/emulator.js";
import { SHUTDOWN_GRACE_MS } from "../../src/server.js";
import { startGatewayProcess } from "../support/gateway-process.js";
import { eventually } from "../support/replica-probes.js";
import { upstreamEnv } from "../support/process-env.js";

// The gateway's stdout into a pipe nobody reads (a stuck log shipper). Logging must never take the service down:
// every request is answered, lines that cannot be written are dropped and counted, SIGTERM still drains and exits
// within the drain's deadline, a second signal exits at once, and once the reader reads again a line says how many
// lines were lost. The built entry point, as operators run it (`npm test` builds first).

const HOLDERS = '{ referralMember(memberId: "WELCOME-REF") { holders(first: 3) { totalCount } } }';
/** The smallest buffer the setting allows, so the pipe and the buffer fill after a couple of thousand lines. */
const LOG_MAX_BUFFERED_BYTES = String(64 * 1024);
jest.setTimeout(180_000);

let upstream: EmulatorHandle;
beforeAll(async () => {
  upstream = await startEmulator();
});
afterAll(() => upstream?.stop());

/** Every gateway started here; one a failed test left running is killed after it. */
const started: StalledGateway[] = [];
afterEach(async () => {
  for (const gateway of started.splice(0)) {
    if (gateway.child.exitCode === null && gateway.child.signalCode === null) gateway.child.kill("SIGKILL");
    await gateway.exited;
  }
});

interface StalledGateway {
  child: ChildProcessWithoutNullStreams;
  url: string;
  /** stdout from the start until the reader stopped, and whatever it reads after resume(). */
  stdout(): string;
  /** The reader reads again. */
  resume(): void;
  exited: Promise<number | null>;
}

/** The gateway with every log line at info; its stdout read until the banner is out, then never again (until resume()). */
async function startWithStalledReader(): Promise<StalledGateway> {
  const { child, url, stdout, exited } = await startGatewayProcess({
    LOG_LEVEL: "info",
    LOG_MAX_BUFFERED_BYTES,
    // Every query reaches the upstream (none is answered from the cache), so that one can be held there.
    CACHE_HOLDERS_TTL_MS: "0",
    // This suite is about the log reader: a busy machine (the upstream runs in jest's process) must not time calls out.
    VOUCHERIFY_TIMEOUT_MS: "60000",
    OPERATION_TIMEOUT_MS: "60000",
    ...upstreamEnv(upstream),
  });
  // Nobody reads any more: Node stops taking from the pipe once its own small buffer is full, and the pipe fills.
  child.stdout.pause();
  const gateway = { child, url, stdout, resume: () => child.stdout.resume(), exited };
  started.push(gateway);
  return gateway;
}

async function query(url: string): Promise<number> {
  const response = await fetch(`${url}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ query: HOLDERS }),
  });
  const body = (await response.json()) as { data?: unknown };
  expect(body).toEqual({ data: { referralMember: { holders: { totalCount: 26 } } } });
  return response.status;
}

/** `count` queries, 16 at a time; resolves with how many were answered 200. */
async function queries(url: string, count: number): Promise<number> {
  let next = 0;
  let answered = 0;
  const worker = async () => {
    while (next < count) {
      next += 1;
      if ((await query(url)) === 200) answered += 1;
    }
  };
  await Promise.all(Array.from({ length: 16 }, worker));
  return answered;
}

async function droppedLines(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  return Number(/^gateway_log_lines_dropped_total (\d+)$/m.exec(text)?.[1]);
}

/** Queries in rounds of 200 until the log lines they make no longer fit (the pipe and the buffer are full). */
async function untilLinesAreDropped(url: string): Promise<void> {
  for (let round = 0; (await droppedLines(url)) === 0; round++) {
    if (round === 100) throw new Error("20,000 queries and no log line dropped: the reader is not stalled");
    expect(await queries(url, 200)).toBe(200);
  }
}

/** Whether the process exits within `ms`; the process is killed if not, so that no test leaves it behind. */
async function exitsWithin(gateway: StalledGateway, ms: number): Promise<number | null | "still running"> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<"still running">((resolve) => (timer = setTimeout(() => resolve("still running"), ms)));
  const outcome = await Promise.race([gateway.exited, late]);
  clearTimeout(timer);
  if (outcome === "still running") {
    gateway.child.kill("SIGKILL");
    await gateway.exited;
  }
  return outcome;
}

test("nobody reads the logs: 2,000 requests all answered, lines dropped and counted, SIGTERM exits within the drain deadline", async () => {
  const gateway = await startWithStalledReader();
  expect(await queries(gateway.url, 2000)).toBe(2000);
  // More until the pipe and the buffer are surely full: lines are being dropped, and requests still answered.
  await untilLinesAreDropped(gateway.url);
  expect(await queries(gateway.url, 200)).toBe(200);
  gateway.child.kill("SIGTERM");
  expect(await exitsWithin(gateway, SHUTDOWN_GRACE_MS)).toBe(0);
});

test("a second signal exits at once, even while the drain waits for a request and nobody reads the logs", async () => {
  const gateway = await startWithStalledReader();
  await untilLinesAreDropped(gateway.url);
  let release!: () => void;
  let arrived!: () => void;
  const upstreamReached = new Promise<void>((resolve) => (arrived = resolve));
  upstream.injectFault({
    holdUntil: new Promise<void>((resolve) => (release = resolve)),
    times: 1,
    match: (request) => {
      const isList = request.path.endsWith("/holders");
      if (isList) arrived();
      return isList;
    },
  });
  const held = fetch(`${gateway.url}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ query: HOLDERS }),
  }).then(
    (response) => `answered ${response.status}`,
    () => "no answer",
  );
  await upstreamReached;
  gateway.child.kill("SIGTERM");
  // Draining: the listener is closed (new connections refused) while the held request waits for its answer.
  await eventually(() =>
    fetch(`${gateway.url}/healthz`).then(
      () => false,
      () => true,
    ),
  );
  gateway.child.kill("SIGTERM");
  const exit = await exitsWithin(gateway, SHUTDOWN_GRACE_MS);
  release();
  expect(exit).toBe(1);
  // The held request's connection went with the process: it was never answered (the drain was skipped).
  expect(await held).toBe("no answer");
});

test("once the reader reads again, a line says how many lines were dropped; on SIGTERM the drain's own lines are all written", async () => {
  const gateway = await startWithStalledReader();
  await untilLinesAreDropped(gateway.url);
  const dropped = await droppedLines(gateway.url);
  gateway.resume();
  await eventually(async () => gateway.stdout().includes("log lines were dropped while stdout's reader was not reading"));
  const report = gateway
    .stdout()
    .split("\n")
    .filter((line) => line.includes('"droppedLines"'))
    .map((line) => JSON.parse(line) as { level: number; droppedLines: number });
  expect(report).toEqual([expect.objectContaining({ level: 40, droppedLines: dropped })]);

  gateway.child.kill("SIGTERM");
  expect(await exitsWithin(gateway, SHUTDOWN_GRACE_MS)).toBe(0);
  const last = gateway.stdout().trim().split("\n").slice(-2);
  expect(last.map((line) => (JSON.parse(line) as { msg: string }).msg)).toEqual(["shutting down", "stopped"]);
});
