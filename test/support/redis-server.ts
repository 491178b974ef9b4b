import { once } from "node:events";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { launch } from "./child-process.js";

export interface RedisServer {
  url: string;
  port: number;
  pid: number;
  /** Stops the server (by its pid) and waits for it to exit. */
  stop(): Promise<void>;
}

/** A port nobody listens on right now (the OS picks it). */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/**
 * A real Redis (Debian's redis-server) of the test's own: a free port, no persistence, a temporary folder. Pass
 * `port` to bring a stopped server back on the same address, `args` for more options (`--replicaof`, ...).
 */
export async function startRedisServer(binary: string, port?: number, args: string[] = []): Promise<RedisServer> {
  const chosen = port ?? (await freePort());
  const dir = mkdtempSync(join(tmpdir(), "gateway-redis-"));
  const server = await spawnUntilReady(
    binary,
    ["--port", String(chosen), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir, ...args],
    /Ready to accept connections/,
    dir,
  );
  return { url: `redis://127.0.0.1:${chosen}/0`, port: chosen, ...server };
}

/**
 * Starts `binary` and resolves once its standard output shows `ready`. Stopping is a SIGKILL by its pid (these
 * servers keep nothing worth a clean shutdown), then the removal of `dir`, its own folder.
 */
export async function spawnUntilReady(
  binary: string,
  args: string[],
  ready: RegExp,
  dir: string,
): Promise<{ pid: number; stop(): Promise<void> }> {
  const server = launch(binary, args);
  await server.waitFor(ready);
  return {
    pid: server.pid,
    async stop() {
      await server.stop("SIGKILL");
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
