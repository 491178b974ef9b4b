import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { connect, type Socket } from "node:net";
import { resolve } from "node:path";

/**
 * How much memory slow clients can pin in the gateway, and for how long: SOCKETS clients each send the headers of
 * a POST /graphql with Content-Length = BODY_BYTES, then BODY_BYTES - 1 bytes of body, and stall. The gateway runs
 * in its own process (the built entry point, on the embedded in-memory emulator), so its RSS is its own.
 *
 *   npm run build:tools && node dist/test/load/partial-bodies.js [path/to/dist/src/main.js]
 *
 * Reports the gateway's RSS and external (Buffer) memory before, while pinned, and after the gateway let the sockets
 * go; how the clients were answered; and how long the sockets stayed open. A measurement, not a test: nothing fails.
 * Env: SOCKETS (200), BODY_BYTES (1 MiB), MAX_WAIT_MS (how long to wait for the gateway to cut them; 400000), and
 * any gateway variable (HTTP_*), passed through.
 */

const SOCKETS = Number(process.env.SOCKETS ?? 200);
const BODY_BYTES = Number(process.env.BODY_BYTES ?? 1024 * 1024);
const MAX_WAIT_MS = Number(process.env.MAX_WAIT_MS ?? 400_000);
const mib = (bytes: number) => Math.round((bytes / 1024 / 1024) * 10) / 10;

interface Gateway {
  pid: number;
  port: number;
  stop(): void;
}

async function startGateway(main: string): Promise<Gateway> {
  const child = spawn(process.execPath, [main], {
    env: { ...process.env, PORT: "0", LOG_LEVEL: "warn", EMULATOR_DB: ":memory:", NODE_ENV: "production", AUTH_DISABLED: "true" },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const port = await new Promise<number>((resolvePort, reject) => {
    let out = "";
    const timer = setTimeout(() => reject(new Error(`gateway did not start within 30 s:\n${out}`)), 30_000);
    child.stdout.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      const match = /ready at http:\/\/[^:]+:(\d+)\//.exec(out);
      if (match) {
        clearTimeout(timer);
        resolvePort(Number(match[1]));
      }
    });
    child.once("exit", (code) => reject(new Error(`gateway exited (${code}):\n${out}`)));
  });
  return { pid: child.pid!, port, stop: () => child.kill("SIGKILL") };
}

function rssBytes(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return match ? Number(match[1]) * 1024 : NaN;
}

/** The gateway's own view of its Buffer memory (prom-client's default metric). */
async function externalBytes(port: number): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const match = /^nodejs_external_memory_bytes (\S+)$/m.exec(text);
  return match ? Number(match[1]) : NaN;
}

async function warmUp(port: number): Promise<void> {
  for (let i = 0; i < 20; i++) {
    await fetch(`http://127.0.0.1:${port}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ query: `{ referralMember(memberId: "WELCOME-REF") { holders { totalCount } } }` }),
    }).then((response) => response.text());
  }
}

interface Client {
  socket: Socket;
  status: string;
  closedAt: number | null;
}

function openClient(port: number, body: Buffer): Promise<Client> {
  return new Promise((resolveClient) => {
    const socket = connect(port, "127.0.0.1");
    const client: Client = { socket, status: "none", closedAt: null };
    socket.on("data", (chunk: Buffer) => {
      if (client.status === "none") client.status = /^HTTP\/1\.1 (\d+)/.exec(chunk.toString("latin1"))?.[1] ?? "other";
    });
    socket.on("error", () => {});
    socket.on("close", () => {
      client.closedAt = Date.now();
      resolveClient(client);
    });
    socket.on("connect", () => {
      const head = `POST /graphql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${BODY_BYTES}\r\n\r\n`;
      socket.write(head);
      // Resolves once the body is handed to the kernel (or the socket is gone): the bytes are then the server's.
      socket.write(body, () => resolveClient(client));
    });
  });
}

async function main(): Promise<void> {
  const mainPath = resolve(process.argv[2] ?? "dist/src/main.js");
  const gateway = await startGateway(mainPath);
  try {
    await warmUp(gateway.port);
    global.gc?.();
    const before = { rss: rssBytes(gateway.pid), external: await externalBytes(gateway.port) };
    const body = Buffer.alloc(BODY_BYTES - 1, 0x20);
    const started = Date.now();
    const clients = await Promise.all(Array.from({ length: SOCKETS }, () => openClient(gateway.port, body)));
    const sentMs = Date.now() - started;
    // Let the gateway read what the kernel buffers hold; then sample for a second and keep the peak.
    let peakRss = 0;
    for (let i = 0; i < 10; i++) {
      peakRss = Math.max(peakRss, rssBytes(gateway.pid));
      await new Promise((r) => setTimeout(r, 100));
    }
    const pinned = { rss: peakRss, external: await externalBytes(gateway.port) };
    const openAfterSend = clients.filter((c) => c.closedAt === null).length;
    const deadline = Date.now() + MAX_WAIT_MS;
    while (clients.some((c) => c.closedAt === null) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 250));
    const stillOpen = clients.filter((c) => c.closedAt === null).length;
    const lastClose = Math.max(...clients.map((c) => c.closedAt ?? Date.now()));
    global.gc?.();
    await new Promise((r) => setTimeout(r, 1000));
    const after = { rss: rssBytes(gateway.pid), external: await externalBytes(gateway.port) };
    const statuses: Record<string, number> = {};
    for (const client of clients) statuses[client.status] = (statuses[client.status] ?? 0) + 1;
    clients.forEach((c) => c.socket.destroy());
    const report = {
      gateway: mainPath,
      sockets: SOCKETS,
      bodyBytesEach: BODY_BYTES - 1,
      sentInMs: sentMs,
      rssMiB: { before: mib(before.rss), pinned: mib(pinned.rss), delta: mib(pinned.rss - before.rss), afterRelease: mib(after.rss) },
      externalMiB: { before: mib(before.external), pinned: mib(pinned.external), afterRelease: mib(after.external) },
      socketsOpenAfterSend: openAfterSend,
      socketsStillOpenAtEnd: stillOpen,
      pinnedForSeconds: Math.round((lastClose - started) / 100) / 10,
      answers: statuses,
    };
    console.log(JSON.stringify(report, null, 2));
  } finally {
    gateway.stop();
  }
}

await main();
