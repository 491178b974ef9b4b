import { runSoak } from "../load/soak.js";
import { findOsBinary } from "../support/os-binary.js";

// The soak's correctness checks against two replicas (compiled gateways, each its own process; `npm test` builds
// first) sharing one real Redis, cache on with its default TTLs: operations alternate between the replicas, so
// most reads follow a write made through the other one. Memory is judged by the standalone soak, not here.
const redisServer = findOsBinary("redis-server", { debianPackage: "redis-server" });

redisServer.describe("soak: two replicas on one Redis", () => {
  test("1,000 mixed operations: no 5xx, no errors, every remaining holder listed exactly once through each replica", async () => {
    const report = await runSoak({
      operations: 1000,
      concurrency: 16,
      deadlineMs: 80_000,
      maxRssGrowthMiB: Infinity,
      replicasOnRedis: { redisServerBinary: redisServer.path!, replicas: 2 },
    });
    expect(report.problems).toEqual([]);
    expect(report.replicas).toBe(2);
    expect(report.http5xx).toBe(0);
    expect(report.graphqlErrors).toBe(0);
    expect(report.writes.added).toBeGreaterThan(0);
    expect(report.writes.removed).toBeGreaterThan(0);
  }, 90_000);
});
