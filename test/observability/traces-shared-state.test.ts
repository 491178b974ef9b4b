import { createHash } from "node:crypto";
import { SEED } from "../../src/emulator/seed.js";
import { startEmulator, type EmulatorHandle } from "../../src/emulator/emulator.js";
import { findOsBinary } from "../support/os-binary.js";
import { startRedisServer, type RedisServer } from "../support/redis-server.js";
import { startGatewayProcess, type GatewayProcess } from "../support/gateway-process.js";
import { SpanKind, startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from "./otlp-receiver.js";
import { upstreamEnv } from "../support/process-env.js";

// The shared cache's spans (a real redis-server), and a persisted query's document id on its operation span.
const redisServer = findOsBinary("redis-server", { debianPackage: "redis-server" });

const QUERY = `query SharedPage { referralMember(memberId: "${SEED.code}") { holders(first: 2) { totalCount } } }`;
const HASH = createHash("sha256").update(QUERY).digest("hex");

async function post(replica: GatewayProcess, body: unknown, headers: Record<string, string> = {}): Promise<unknown> {
  const response = await fetch(replica.graphqlUrl, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
  });
  return response.json();
}

redisServer.describe("traces with the cache in Redis", () => {
  let emulator: EmulatorHandle;
  let receiver: OtlpReceiver;
  let redis: RedisServer;
  let replica: GatewayProcess;
  const answers: unknown[] = [];

  beforeAll(async () => {
    emulator = await startEmulator({ dbFile: ":memory:" });
    receiver = await startOtlpReceiver();
    redis = await startRedisServer(redisServer.path!);
    replica = await startGatewayProcess({
      ...upstreamEnv(emulator),
      AUTH_DISABLED: "true",
      REDIS_URL: redis.url,
      // The machine running the tests is busy: a generous timeout, so only a real outage degrades the cache.
      REDIS_TIMEOUT_MS: "1000",
      CACHE_HOLDERS_TTL_MS: "60000",
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
    });
    // A miss (and the page stored), a hit, then a read that skips the cache. The first registers the document as an
    // automatic persisted query (document and hash); the others send its hash only.
    const persisted = { extensions: { persistedQuery: { version: 1, sha256Hash: HASH } } };
    answers.push(await post(replica, { query: QUERY, ...persisted }));
    answers.push(await post(replica, persisted));
    answers.push(await post(replica, persisted, { "cache-control": "no-cache" }));
    await replica.stop();
  });

  afterAll(async () => {
    await replica?.stop();
    await redis?.stop();
    await receiver?.close();
    await emulator?.stop();
  });

  const operations = () => receiver.spans.filter((span) => span.name === "query SharedPage");
  const below = (parent: ReceivedSpan) => receiver.spans.filter((span) => span.parentSpanId === parent.spanId);
  /** Every span under `parent`, at any depth (the answers' lookup is a step of the admission, under its span). */
  const within = (parent: ReceivedSpan): ReceivedSpan[] => below(parent).flatMap((child) => [child, ...within(child)]);

  test("the reads answered alike (sanity)", () => {
    const page = { data: { referralMember: { holders: { totalCount: SEED.refereeCount + 1 } } } };
    expect(answers).toEqual([page, page, page]);
    expect(operations()).toHaveLength(3);
  });

  test("cache lookups name the shared store and what they found: miss, hit, bypass; Redis calls are their children", () => {
    const found = (name: string) =>
      operations().map((operation) =>
        within(operation)
          .filter((span) => span.name === name)
          .map((span) => [span.attributes["referrals.cache.store"], span.attributes["referrals.cache.result"]]),
      );
    // The answer kept whole by the first read serves the second, which reads no page; no-cache skips both.
    expect(found("cache answers")).toEqual([[["redis", "miss"]], [["redis", "hit"]], []]);
    expect(found("cache holders")).toEqual([[["redis", "miss"]], [], [["redis", "bypass"]]]);
    const lookups = operations().flatMap((operation) => within(operation).filter((span) => span.name.startsWith("cache ")));
    for (const lookup of lookups) {
      const commands = below(lookup);
      expect(commands.map((span) => span.name)).toContain(lookup.name === "cache answers" ? "EVALSHA readAnswer" : "EVALSHA readPage");
      for (const command of commands) {
        expect(command.kind).toBe(SpanKind.CLIENT);
        expect(command.attributes).toMatchObject({ "db.system.name": "redis", "db.operation.name": command.name });
      }
    }
    // Only the miss and the bypass went upstream.
    expect(operations().map((operation) => operation.attributes["referrals.upstream.calls"])).toEqual([1, 0, 1]);
  });

  test("an operation sent by its persisted-query hash has it as graphql.document.id", () => {
    expect(operations().map((operation) => operation.attributes["graphql.document.id"])).toEqual([HASH, HASH, HASH]);
  });

  test("no cache key, tenant or member id in any exported byte", () => {
    const raw = Buffer.concat(receiver.requests.map((request) => request.body));
    for (const value of [SEED.code, SEED.voucherId, emulator.appId])
      expect({ value, found: raw.includes(value) }).toEqual({ value, found: false });
    // Keys start "rg:"; three bytes could occur by chance in a binary id, so the decoded strings are searched.
    expect(JSON.stringify(receiver.spans)).not.toContain("rg:");
  });
});
