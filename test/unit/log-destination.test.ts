import { once } from "node:events";
import { mkdtempSync, rmSync } from "node:fs";
import { connect, createServer, type Server, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setImmediate as nextTurn } from "node:timers/promises";
import { LogDestination } from "../../src/observability/log-destination.js";

// The log destination over a real Unix socket (what stdout is when a process manager or a shell pipes it), whose
// reader stops reading, reads again, or goes away.

const LINE = `${JSON.stringify({ level: 30, msg: "x".repeat(1000) })}\n`;
const BOUND = 64 * 1024;

let dir: string;
let server: Server;
let reader: Socket;
let writer: Socket;
beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), "log-destination-"));
  server = createServer();
  server.listen(join(dir, "stdout.sock"));
  await once(server, "listening");
  const accepted = once(server, "connection");
  writer = connect(join(dir, "stdout.sock"));
  [reader] = (await accepted) as [Socket];
  reader.pause();
});
afterEach(async () => {
  writer.destroy();
  reader.destroy();
  await new Promise((resolve) => server.close(resolve));
  rmSync(dir, { recursive: true, force: true });
});

/** Logs a line per event-loop turn (as requests do) until one is dropped; how many were written before. */
async function logUntilDropped(destination: LogDestination): Promise<number> {
  let lines = 0;
  while (destination.dropped === 0) {
    if (lines > 100_000) throw new Error("100 MB logged and nothing dropped: the bound does not hold");
    destination.write(LINE);
    lines += 1;
    await nextTurn();
  }
  return lines;
}

test("a reader that stops: past the bound lines are dropped and counted, never waited for; memory stays bounded", async () => {
  const destination = new LogDestination(writer, BOUND);
  const written = await logUntilDropped(destination);
  expect(written).toBeGreaterThan(BOUND / LINE.length);
  for (let i = 0; i < 1000; i++) destination.write(LINE);
  expect(destination.dropped).toBe(1001);
  expect(writer.writableLength).toBeLessThanOrEqual(BOUND);
});

test("when the reader reads again, every line kept arrives and onResumed is told the count once", async () => {
  const destination = new LogDestination(writer, BOUND);
  const reports: number[] = [];
  destination.onResumed = (dropped) => reports.push(dropped);
  const written = await logUntilDropped(destination);
  for (let i = 0; i < 9; i++) destination.write(LINE);
  let received = 0;
  reader.on("data", (chunk: Buffer) => (received += chunk.length));
  reader.resume();
  await destination.flushWithin(60_000);
  expect(reports).toEqual([10]);
  writer.end();
  await once(reader, "end");
  expect(received).toBe((written - 1) * LINE.length);
});

test("flushWithin: resolves once the reader has everything, or after its time with a reader that does not read", async () => {
  const destination = new LogDestination(writer, BOUND);
  await logUntilDropped(destination);
  let timer: NodeJS.Timeout | undefined;
  const hung = new Promise((resolve) => (timer = setTimeout(resolve, 10_000, "hung")));
  const stalled = await Promise.race([destination.flushWithin(50).then(() => "gave up"), hung]);
  clearTimeout(timer);
  expect(stalled).toBe("gave up");
});

test("a reader that went away: no error reaches the process, lines are dropped and counted", async () => {
  const destination = new LogDestination(writer, BOUND);
  reader.destroy();
  destination.write(LINE);
  await destination.flushWithin(10_000);
  await once(writer, "close");
  destination.write(LINE);
  destination.write(LINE);
  expect(destination.dropped).toBeGreaterThanOrEqual(2);
  await destination.flushWithin(10_000);
});
