import { jest } from "@jest/globals";
import { once } from "node:events";
import { existsSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { Redis } from "ioredis";
import { loadConfig } from "../../src/config.js";
import { startGateway } from "../../src/server.js";
import { launch } from "../support/child-process.js";
import { captureLogs } from "../support/log-capture.js";
import { findOsBinary } from "../support/os-binary.js";
import { eventually } from "../support/replica-probes.js";
import { startRedisServer, type RedisServer } from "../support/redis-server.js";

// A start that fails halfway (METRICS_PORT in use: Redis, the upstream pool, Apollo and the main listener are
// already up) must close what it opened: otherwise a supervisor's retry loop leaks a Redis connection per attempt.
const redisServer = findOsBinary("redis-server", { debianPackage: "redis-server" });
const SERVER = "dist/src/server.js";

/** A port held by another listener for the test's duration. */
async function occupiedPort(): Promise<{ port: number; server: Server }> {
  const server = createServer();
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  return { port: (server.address() as { port: number }).port, server };
}

/** Clients connected to the Redis server, the asking one included. */
async function clientCount(redis: Redis): Promise<number> {
  const list = (await redis.call("CLIENT", "LIST")) as string;
  return list.trim().split("\n").length;
}

redisServer.describe("a start that fails on METRICS_PORT in use", () => {
  let redis: RedisServer;
  let counter: Redis;
  let taken: { port: number; server: Server };
  jest.setTimeout(60_000);

  beforeAll(async () => {
    redis = await startRedisServer(redisServer.path!);
    counter = new Redis(redis.url);
    taken = await occupiedPort();
  });
  afterAll(async () => {
    counter?.disconnect();
    await new Promise((resolve) => taken?.server.close(resolve));
    await redis?.stop();
  });

  const env = () => ({
    PORT: "0",
    HOST: "127.0.0.1",
    METRICS_PORT: String(taken.port),
    REDIS_URL: redis.url,
    LOG_LEVEL: "silent",
  });

  test("rejects with an error naming METRICS_PORT, and closes its Redis connection", async () => {
    expect(await clientCount(counter)).toBe(1);
    const { logger } = captureLogs("silent");
    const start = startGateway({
      config: loadConfig(env()),
      upstreamUrl: "http://127.0.0.1:9/",
      credentials: { appId: "app", appToken: "token" },
      logger,
    });
    await expect(start).rejects.toThrow(new RegExp(`^METRICS_PORT ${taken.port} on 127\\.0\\.0\\.1: .*EADDRINUSE`));
    // The gateway's connection had reached Redis (it was ready before the metrics listener was tried).
    await eventually(async () => (await clientCount(counter)) === 1);
  });

  test("a process whose start failed exits by itself: nothing it opened keeps it alive", async () => {
    if (!existsSync(SERVER)) throw new Error(`${SERVER} is missing: run \`npm run build\` first (npm test does).`);
    // No process.exit anywhere: the process ends only when no socket, timer or pool is left open.
    const script = `
      import { loadConfig } from "./dist/src/config.js";
      import { startGateway } from "./dist/src/server.js";
      try {
        await startGateway({ config: loadConfig(process.env), upstreamUrl: "http://127.0.0.1:9/", credentials: { appId: "a", appToken: "t" } });
        console.log("started");
      } catch (error) {
        console.log("refused: " + error.message);
      }`;
    const child = launch(process.execPath, ["--input-type=module", "-e", script], { env: env() });
    try {
      expect(await child.exited).toBe(0);
      expect(child.stdout()).toContain(`refused: METRICS_PORT ${taken.port}`);
    } finally {
      child.kill();
    }
  });
});
