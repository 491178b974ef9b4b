import { runSoak } from "./soak.js";

// The soak in CI size: the same workload and checks as `npm run soak`, ~1,500 operations at concurrency 20.
test("1,500 mixed operations: no 5xx, no errors, every write visible exactly once, bounded memory", async () => {
  const report = await runSoak({ operations: 1500, concurrency: 20, deadlineMs: 50_000, maxRssGrowthMiB: 150 });
  expect(report.problems).toEqual([]);
  expect(report.http5xx).toBe(0);
  expect(report.graphqlErrors).toBe(0);
  expect(report.writes.added).toBeGreaterThan(0);
  expect(report.writes.removed).toBeGreaterThan(0);
}, 60_000);
