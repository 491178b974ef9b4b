import { jest } from "@jest/globals";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { SEED } from "../../src/emulator/seed.js";
import { startEmulator, type EmulatorHandle } from "../../src/emulator/emulator.js";
import { dashboardQueries, type PanelQuery } from "../support/grafana-dashboard.js";
import { findOsBinary } from "../support/os-binary.js";
import { startPrometheus, type PrometheusServer } from "../support/prometheus-server.js";
import { startRedisServer, type RedisServer } from "../support/redis-server.js";
import { startGatewayProcess, type GatewayProcess } from "../support/gateway-process.js";
import { graphql } from "../support/stack.js";
import { upstreamEnv } from "../support/process-env.js";

// The dashboard and the alert rules against the real thing: Debian's Prometheus scrapes two gateway replicas (one
// real Redis, the emulator upstream) every second through a short mixed load; then every panel's query, as Grafana
// would send it, must return data, and Prometheus must have loaded and evaluated every alert rule.
const prometheus = findOsBinary("prometheus", { debianPackage: "prometheus" });
const redisServer = findOsBinary("redis-server", { debianPackage: "redis-server" });

const DASHBOARD = "deploy/grafana/referrals-gateway.json";
const RULES = resolve("deploy/prometheus/referrals-gateway.rules.yml");
const JOB = "referrals-gateway";
// The least budget the gateway accepts: that of its most expensive allowed operation (GRAPHQL_MAX_COST).
const CALLER_BUDGET = 110;

const PAGE = `query ReferralHolders($memberId: ID!) {
  referralMember(memberId: $memberId) { holders(first: 5) { totalCount nodes { id } } }
}`;
// Two aliases of one page: the second is answered by the request's DataLoader (a dedupe hit).
const TWICE = `query TwoAliases($memberId: ID!) {
  a: referralMember(memberId: $memberId) { holders(first: 5) { totalCount } }
  b: referralMember(memberId: $memberId) { holders(first: 5) { totalCount } }
}`;
// About 100 estimated upstream calls (a page of 100 holders, each customer's name): the budget pays for one at most.
const COSTLY = `query CostlyPage($memberId: ID!) {
  referralMember(memberId: $memberId) { holders(first: 100) { nodes { customer { name } } } }
}`;

const scrapeConfig = (targets: string[]) => `
global:
  scrape_interval: 1s
  evaluation_interval: 1s
rule_files:
  - ${JSON.stringify(RULES)}
scrape_configs:
  - job_name: ${JOB}
    metrics_path: /metrics
    static_configs:
      - targets: ${JSON.stringify(targets)}
`;

interface VectorSample {
  metric: Record<string, string>;
  value: [number, string];
}

/** Polls until `probe` holds (Prometheus scrapes and evaluates on its own schedule: there is no event to wait on). */
async function eventually(probe: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > until) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

prometheus.describe("the dashboard and alerts on a real Prometheus", () => {
  redisServer.describe("two replicas on one Redis, scraped every second", () => {
    let redis: RedisServer;
    let emulator: EmulatorHandle;
    let replicas: GatewayProcess[];
    let server: PrometheusServer;
    jest.setTimeout(90_000);

    const query = (expr: string) => server.api<{ result: VectorSample[] }>("query", { query: expr }).then((data) => data.result);
    /** The sum of a PromQL expression's samples right now (0 when it has none). */
    const total = async (expr: string) => (await query(expr)).reduce((sum, sample) => sum + Number(sample.value[1]), 0);

    beforeAll(async () => {
      redis = await startRedisServer(redisServer.path!);
      emulator = await startEmulator({ dbFile: ":memory:", port: 0 });
      const env = {
        ...upstreamEnv(emulator),
        REDIS_URL: redis.url,
        REDIS_TIMEOUT_MS: "1000",
        CACHE_HOLDERS_TTL_MS: "60000",
        VOUCHERIFY_QUOTA_PER_MINUTE: "100000",
        CALLER_BUDGET_PER_MINUTE: String(CALLER_BUDGET),
      };
      replicas = await Promise.all([0, 1].map(() => startGatewayProcess(env)));
      const targets = replicas.map((replica) => new URL(replica.url).host);
      server = await startPrometheus(prometheus.path!, scrapeConfig(targets));
      await drive();
    });
    afterAll(async () => {
      await server?.stop();
      await Promise.all((replicas ?? []).map((replica) => replica.stop()));
      await emulator?.stop();
      await redis?.stop();
    });

    /** A short mixed load: cache misses and hits, client errors, an upstream 5xx and 429, a budget refusal. */
    async function drive(): Promise<void> {
      const [a, b] = replicas;
      for (const replica of replicas) expect((await fetch(`${replica.url}/readyz`)).status).toBe(200);
      // Reads of one page through both replicas: the first misses, the rest hit the shared cache.
      for (let i = 0; i < 10; i++)
        expect((await graphql(replicas[i % 2].graphqlUrl, PAGE, { memberId: SEED.code })).errors).toBeUndefined();
      expect((await graphql(a.graphqlUrl, TWICE, { memberId: SEED.code })).errors).toBeUndefined();
      const notFound = await graphql(a.graphqlUrl, PAGE, { memberId: "NO-SUCH-CODE" });
      expect(notFound.errors?.[0].extensions?.code).toBe("NOT_FOUND");
      const badInput = await graphql(b.graphqlUrl, PAGE, { memberId: "" });
      expect(badInput.errors?.[0].extensions?.code).toBe("BAD_USER_INPUT");
      // Voucherify fails: a 500 on every attempt, then a 429 whose retry time outlasts the test (so the shared
      // back-off still holds on a slow machine; the budget refusal below is decided before any upstream call).
      emulator.injectFault({ status: 500, body: "{}", match: (request) => request.path.includes("FAULT-500") });
      const upstreamError = await graphql(a.graphqlUrl, PAGE, { memberId: "FAULT-500" });
      expect(upstreamError.errors?.[0].extensions?.code).toBe("UPSTREAM_ERROR");
      emulator.injectFault({ status: 429, body: "{}", headers: { "retry-after": "60" }, times: 1 });
      const rateLimited = await graphql(b.graphqlUrl, PAGE, { memberId: SEED.otherCode });
      expect(rateLimited.errors?.[0].extensions?.code).toBe("RATE_LIMITED");
      // Within the retry time the other replica refuses too, without calling Voucherify (the shared back-off).
      const heldBack = await graphql(a.graphqlUrl, PAGE, { memberId: SEED.otherCode }, { "cache-control": "no-cache" });
      expect(heldBack.errors?.[0].extensions?.code).toBe("RATE_LIMITED");
      emulator.clearFaults();
      const costly = [
        await graphql(b.graphqlUrl, COSTLY, { memberId: SEED.code }),
        await graphql(a.graphqlUrl, COSTLY, { memberId: SEED.code }),
      ];
      expect(costly[1].errors?.[0].message).toMatch(/spent its budget/);
    }

    test("every panel's query returns at least one series", async () => {
      const queries = dashboardQueries(DASHBOARD, { rateInterval: "10s", allValue: ".*" });
      expect(queries.length).toBeGreaterThanOrEqual(20);
      let empty: PanelQuery[] = queries;
      await eventually(async () => {
        const results = await Promise.all(empty.map(async (panelQuery) => ({ panelQuery, series: (await query(panelQuery.expr)).length })));
        empty = results.filter((result) => result.series === 0).map((result) => result.panelQuery);
        return empty.length === 0;
      }, 30_000);
      expect(empty.map(({ panel, refId }) => `${panel} (${refId})`)).toEqual([]);
    });

    test("Prometheus scraped both replicas (as OpenMetrics, its default) and saw the load's events", async () => {
      const targets = await server.api<{ activeTargets: Array<{ health: string; lastError: string; labels: Record<string, string> }> }>(
        "targets",
      );
      expect(targets.activeTargets.map((target) => [target.labels.job, target.health, target.lastError])).toEqual([
        [JOB, "up", ""],
        [JOB, "up", ""],
      ]);
      const seen = {
        hits: 'gateway_cache_lookups_total{cache="holders",result="hit"}',
        dedupe: 'gateway_dataloader_dedupe_hits_total{loader="holderPages"}',
        notFound: 'gateway_errors_total{code="NOT_FOUND"}',
        badInput: 'gateway_errors_total{code="BAD_USER_INPUT"}',
        upstreamError: 'gateway_errors_total{code="UPSTREAM_ERROR"}',
        upstream500: 'gateway_upstream_requests_total{status="500"}',
        upstream429: 'gateway_upstream_requests_total{status="429"}',
        backoff: 'gateway_upstream_refusals_total{reason="backoff"}',
        budgetRefusals: "gateway_caller_budget_refusals_total",
        ready: "gateway_ready",
      };
      const counts: Record<string, number> = {};
      await eventually(async () => {
        for (const [name, expr] of Object.entries(seen)) counts[name] = await total(expr);
        return Object.values(counts).every((count) => count > 0);
      }, 15_000);
      expect(Object.entries(counts).filter(([, count]) => count === 0)).toEqual([]);
      expect(counts.ready).toBe(2);
      // OpenMetrics names a counter's family without `_total` (text format 0.0.4 keeps it): Prometheus asked for
      // OpenMetrics and the gateway answered it.
      const metadata = await server.api<Record<string, Array<{ type: string }>>>("metadata", { metric: "gateway_operations" });
      expect(metadata.gateway_operations?.[0]?.type).toBe("counter");
      expect(await total(`count(gateway_upstream_quota_per_minute == 100000)`)).toBe(2);
    });

    test("the alert rules are loaded and evaluate without errors against the gateway's series", async () => {
      const names = [...readFileSync(RULES, "utf8").matchAll(/^\s+- alert: (\S+)$/gm)].map((match) => match[1]);
      type Rule = { name: string; type: string; health: string; lastError?: string; lastEvaluation: string };
      let rules: Rule[] = [];
      await eventually(async () => {
        const data = await server.api<{ groups: Array<{ name: string; rules: Rule[] }> }>("rules");
        rules = data.groups.flatMap((group) => group.rules);
        return rules.length === names.length && rules.every((rule) => rule.health === "ok");
      }, 15_000);
      expect(rules.map((rule) => [rule.name, rule.type, rule.health, rule.lastError ?? ""])).toEqual(
        names.map((name) => [name, "alerting", "ok", ""]),
      );
    });
  });
});
