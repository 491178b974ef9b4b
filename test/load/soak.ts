import { pathToFileURL } from "node:url";
import { SEED } from "../../src/emulator/seed.js";
import { print } from "graphql";
import { AddHoldersDocument, RemoveHolderDocument } from "../generated/operations.js";
import { onPath } from "../support/on-path.js";
import { inProcessGateway, replicasOnRedis, type SoakTarget } from "./soak-target.js";

/**
 * Load + soak: N mixed operations against the real gateway on the real emulator (loopback only, one process),
 * 90% reads of many shapes and 10% writes (addHolders / removeHolder). Then it checks what a client would:
 * no 5xx and no GraphQL error, every holder it added listed exactly once when paging the whole connection,
 * every holder it removed gone, and memory that did not run away.
 *
 * `npm run soak` runs the full size (SOAK_OPERATIONS, SOAK_CONCURRENCY to change it); test/load/soak.test.ts
 * runs the same function small in CI. SOAK_REDIS_REPLICAS=2 runs it against two gateway replicas (compiled, each
 * its own process) sharing one Redis the soak starts itself: operations alternate between them, and the whole
 * connection is paged through each; test/shared-state/soak-on-redis.test.ts runs that small.
 */

export interface SoakOptions {
  operations: number;
  concurrency: number;
  /** The whole run, verification included, must finish within this; it is a bound, not a measurement. */
  deadlineMs: number;
  /** Allowed RSS growth from after warm-up to the end, in MiB. */
  maxRssGrowthMiB: number;
  /** Share of operations that write (half add, half remove). */
  writeShare?: number;
  seed?: number;
  /** Gateway replicas on one Redis instead of one in-process gateway: redis-server's path and how many replicas. */
  replicasOnRedis?: { redisServerBinary: string; replicas: number };
  log?: (line: string) => void;
}

export interface SoakReport {
  operations: number;
  concurrency: number;
  writes: { added: number; removed: number };
  durationMs: number;
  opsPerSecond: number;
  latencyMs: { p50: number; p90: number; p99: number; max: number };
  http5xx: number;
  /**
   * Responses with GraphQL errors, every one of them. Pages above 100 holders racing concurrent removals are among
   * the operations (test/faults/chained-page-race.test.ts pins that race down): an error there fails the soak too.
   */
  graphqlErrors: number;
  firstErrors: string[];
  /** The gateway processes' RSS (summed over replicas); heap only for the in-process gateway. */
  rssMiB: { before: number; after: number; growth: number };
  heapUsedMiB: { before: number | null; after: number | null };
  replicas: number;
  /** Holders listed when paging the whole connection (through each replica: the same number, or a problem). */
  listedHolders: number;
  problems: string[];
}

const READS: Array<{ weight: number; query: string; variables?: Record<string, unknown> }> = [
  {
    weight: 30,
    query: `query($m: ID!) {
      referralMember(memberId: $m) { holders { totalCount pageInfo { hasNextPage endCursor } nodes { id holderRole } } }
    }`,
  },
  {
    weight: 15,
    query: `query($m: ID!) { referralMember(memberId: $m) { holders(first: 20) { edges { cursor node { id customerId createdAt } } } } }`,
  },
  {
    weight: 10,
    query: `query($m: ID!) { referralMember(memberId: $m) { holders(first: 10) { nodes { id customer { id email name } } } } }`,
  },
  {
    weight: 10,
    query: `query($m: ID!) {
      referralMember(memberId: $m) { holders(last: 5, order: ID_DESC) { pageInfo { hasPreviousPage } nodes { id } } }
    }`,
  },
  { weight: 10, query: `query($m: ID!) { referralMember(memberId: $m) { holders(first: 150) { totalCount nodes { id } } } }` },
  {
    weight: 10,
    query: `query($m: ID!) {
      referralMember(memberId: $m) { holders(first: 5, filter: { roles: [REFERRER] }) { totalCount nodes { holderRole } } }
    }`,
  },
  {
    weight: 10,
    query: `query {
      referralMember(memberId: "${SEED.otherCode}", campaignId: "${SEED.otherCampaignId}") { holders { totalCount nodes { id metadata } } }
    }`,
  },
  {
    weight: 5,
    query: `query($r: [_Any!]!) { _entities(representations: $r) { ... on Customer { id email } } }`,
    variables: { r: [{ __typename: "Customer", id: SEED.referrerCustomerId }] },
  },
];
// The writes are the shipped example operations (schema/operations), as a frontend would send them.
const ADD = print(AddHoldersDocument);
const REMOVE = print(RemoveHolderDocument);
const PAGE = `query($m: ID!, $after: String) {
  referralMember(memberId: $m) { holders(first: 500, after: $after) { totalCount pageInfo { hasNextPage endCursor } nodes { id } } }
}`;

/** A small seeded PRNG (mulberry32): the same seed gives the same operation mix. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const mib = (bytes: number) => Math.round((bytes / 1024 / 1024) * 10) / 10;
const mibOrNull = (bytes: number | null) => (bytes === null ? null : mib(bytes));
const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;

interface OutcomeError {
  message: string;
  path?: unknown[];
  extensions?: { code?: string; upstream?: { key?: string; details?: string } };
}

interface Outcome {
  status: number;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- a response's data is untyped JSON; the checks read its shape
  body: { data?: any; errors?: OutcomeError[] };
}

async function post(url: string, query: string, variables: Record<string, unknown> | undefined): Promise<Outcome> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ query, variables }),
  });
  const text = await response.text();
  let body: Outcome["body"];
  try {
    body = JSON.parse(text) as Outcome["body"];
  } catch {
    body = { errors: [{ message: `not JSON: ${text.slice(0, 200)}` }] };
  }
  return { status: response.status, body };
}

export async function runSoak(options: SoakOptions): Promise<SoakReport> {
  const log = options.log ?? (() => {});
  const writeShare = options.writeShare ?? 0.1;
  const next = random(options.seed ?? 20_260_101);
  const started = performance.now();
  const deadline = started + options.deadlineMs;
  const shared = options.replicasOnRedis;
  const target: SoakTarget = shared ? await replicasOnRedis(shared.redisServerBinary, shared.replicas) : await inProcessGateway();
  const urls = target.graphqlUrls;
  let turn = 0;
  const nextUrl = () => urls[turn++ % urls.length];
  // Loopback only: this must never become a load test of someone else's machine.
  const remote = urls.find((url) => !/^http:\/\/(127\.0\.0\.1|\[::1\]|localhost):\d+\//.test(url));
  if (remote || !target.emulatorUrl.startsWith("http://127.0.0.1:")) {
    await target.stop();
    throw new Error(`soak runs on loopback only; got ${remote ?? target.emulatorUrl}`);
  }
  const problems: string[] = [];
  const firstErrors: string[] = [];
  const latencies: number[] = [];
  let http5xx = 0;
  let graphqlErrors = 0;
  let serial = 0;
  const live: string[] = []; // added by us, not yet being removed
  const added = new Set<string>();
  const removed = new Set<string>();
  const totalWeight = READS.reduce((sum, read) => sum + read.weight, 0);

  const record = (outcome: Outcome, what: string) => {
    if (outcome.status >= 500) http5xx++;
    if (outcome.body.errors?.length) {
      graphqlErrors++;
      if (firstErrors.length < 5) firstErrors.push(`${what}: ${outcome.status} ${JSON.stringify(outcome.body.errors[0])}`);
    }
  };

  const operation = async (): Promise<void> => {
    const roll = next();
    const t0 = performance.now();
    if (roll < writeShare / 2 || (roll < writeShare && live.length === 0)) {
      const count = 1 + Math.floor(next() * 3);
      const holders = Array.from({ length: count }, () => ({
        sourceId: `soak-${process.pid}-${++serial}`,
        email: `soak${serial}@example.com`,
      }));
      const outcome = await post(nextUrl(), ADD, { input: { memberId: SEED.code, holders } });
      latencies.push(performance.now() - t0);
      record(outcome, "addHolders");
      for (const holder of outcome.body.data?.addHolders?.holders ?? []) {
        added.add(holder.id);
        live.push(holder.id);
      }
    } else if (roll < writeShare) {
      // Taken out of `live` before the call: no two workers ever remove the same holder.
      const holderId = live.splice(Math.floor(next() * live.length), 1)[0];
      const outcome = await post(nextUrl(), REMOVE, { input: { memberId: SEED.code, holderId } });
      latencies.push(performance.now() - t0);
      record(outcome, "removeHolder");
      if (outcome.body.data?.removeHolder?.removedHolderId === holderId) removed.add(holderId);
    } else {
      let pick = next() * totalWeight;
      const read = READS.find((r) => (pick -= r.weight) < 0) ?? READS[0];
      const outcome = await post(nextUrl(), read.query, read.variables ?? { m: SEED.code });
      latencies.push(performance.now() - t0);
      record(outcome, "read");
    }
  };

  const run = async (count: number) => {
    let issued = 0;
    const worker = async () => {
      while (issued < count) {
        if (performance.now() > deadline) throw new Error(`deadline of ${options.deadlineMs} ms passed after ${issued} operations`);
        issued++;
        await operation();
      }
    };
    await Promise.all(Array.from({ length: Math.min(options.concurrency, count) }, worker));
  };

  try {
    // Warm-up (JIT, sockets, SQLite caches) before the memory baseline; not counted in the figures.
    await run(Math.min(500, Math.ceil(options.operations / 10)));
    latencies.length = 0;
    http5xx = 0;
    graphqlErrors = 0;
    const before = target.memory();
    log(`warm; running ${options.operations} operations at concurrency ${options.concurrency}`);

    const loadStarted = performance.now();
    await run(options.operations);
    const durationMs = performance.now() - loadStarted;
    const after = target.memory();

    // Verification: page the whole connection as a client would, through every replica (the cache included).
    const expected = SEED.refereeCount + 1 + added.size - removed.size;
    let listedHolders = -1;
    for (const [replica, url] of urls.entries()) {
      const through = urls.length > 1 ? `through replica ${replica + 1}: ` : "";
      const listed = new Map<string, number>();
      let after_: string | null = null;
      let totalCount = -1;
      for (let page = 0; page < 1000; page++) {
        const outcome = await post(url, PAGE, { m: SEED.code, after: after_ });
        if (outcome.body.errors) {
          problems.push(`${through}paging failed: ${JSON.stringify(outcome.body.errors[0])}`);
          break;
        }
        const holders = outcome.body.data.referralMember.holders;
        totalCount = holders.totalCount;
        for (const node of holders.nodes as Array<{ id: string }>) listed.set(node.id, (listed.get(node.id) ?? 0) + 1);
        if (!holders.pageInfo.hasNextPage) break;
        after_ = holders.pageInfo.endCursor;
      }
      const problemsBefore = problems.length;
      for (const id of added) {
        const times = listed.get(id) ?? 0;
        if (removed.has(id) ? times !== 0 : times !== 1) {
          problems.push(`${through}holder ${id} (${removed.has(id) ? "removed" : "added"}) listed ${times} times`);
        }
        if (problems.length - problemsBefore > 20) break;
      }
      for (const [id, times] of listed) if (times !== 1) problems.push(`${through}holder ${id} listed ${times} times`);
      if (totalCount !== listed.size) problems.push(`${through}totalCount ${totalCount} but ${listed.size} holders listed`);
      if (listed.size !== expected) problems.push(`${through}expected ${expected} holders, listed ${listed.size}`);
      if (listedHolders !== -1 && listed.size !== listedHolders)
        problems.push(`${through}${listed.size} holders, another replica listed ${listedHolders}`);
      listedHolders = listed.size;
    }
    if (http5xx > 0) problems.push(`${http5xx} responses were 5xx`);
    if (graphqlErrors > 0) problems.push(`${graphqlErrors} responses had GraphQL errors, first: ${firstErrors[0]}`);
    const growth = mib(after.rssBytes - before.rssBytes);
    if (growth > options.maxRssGrowthMiB) problems.push(`RSS grew ${growth} MiB (bound ${options.maxRssGrowthMiB} MiB)`);
    if (performance.now() > deadline) problems.push(`finished after the ${options.deadlineMs} ms deadline`);

    const sorted = [...latencies].sort((a, b) => a - b);
    const round = (ms: number) => Math.round(ms * 100) / 100;
    return {
      operations: options.operations,
      concurrency: options.concurrency,
      writes: { added: added.size, removed: removed.size },
      durationMs: Math.round(durationMs),
      opsPerSecond: Math.round(options.operations / (durationMs / 1000)),
      latencyMs: {
        p50: round(percentile(sorted, 50)),
        p90: round(percentile(sorted, 90)),
        p99: round(percentile(sorted, 99)),
        max: round(sorted.at(-1) ?? 0),
      },
      http5xx,
      graphqlErrors,
      firstErrors,
      rssMiB: { before: mib(before.rssBytes), after: mib(after.rssBytes), growth },
      heapUsedMiB: { before: mibOrNull(before.heapUsedBytes), after: mibOrNull(after.heapUsedBytes) },
      replicas: urls.length,
      listedHolders,
      problems,
    };
  } finally {
    await target.stop();
  }
}

async function main(): Promise<void> {
  const number = (name: string, fallback: number) => {
    const value = Number(process.env[name] ?? fallback);
    if (!Number.isInteger(value) || value <= 0) throw new Error(`${name} must be a positive whole number`);
    return value;
  };
  const replicas = Number(process.env.SOAK_REDIS_REPLICAS ?? 0);
  if (!Number.isInteger(replicas) || replicas < 0)
    throw new Error("SOAK_REDIS_REPLICAS must be a whole number (0: one in-process gateway)");
  const redisServerBinary = replicas > 0 ? onPath("redis-server") : null;
  if (replicas > 0 && !redisServerBinary)
    throw new Error("SOAK_REDIS_REPLICAS needs redis-server on PATH (Debian: apt-get install -y redis-server)");
  const report = await runSoak({
    operations: number("SOAK_OPERATIONS", 20_000),
    concurrency: number("SOAK_CONCURRENCY", 50),
    deadlineMs: number("SOAK_DEADLINE_MS", 10 * 60_000),
    maxRssGrowthMiB: number("SOAK_MAX_RSS_GROWTH_MIB", 150),
    replicasOnRedis: redisServerBinary ? { redisServerBinary, replicas } : undefined,
    log: (line) => console.error(line),
  });
  console.log(JSON.stringify(report, null, 2));
  if (report.problems.length > 0) {
    console.error(`soak FAILED:\n  ${report.problems.join("\n  ")}`);
    process.exitCode = 1;
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
