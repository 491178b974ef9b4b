import { runSoak } from "./soak.js";

// The soak's correctness checks in CI size (~1,500 operations at concurrency 20). Memory is not judged here: a jest
// worker's RSS also holds other suites and the transpiled modules. `.ci/run` runs the standalone script in a fresh
// process (`npm run soak`, short form), where the RSS bound means something.
test("1,500 mixed operations: no 5xx, no errors, every write visible exactly once", async () => {
  const report = await runSoak({ operations: 1500, concurrency: 20, deadlineMs: 50_000, maxRssGrowthMiB: Infinity });
  expect(report.problems).toEqual([]);
  expect(report.http5xx).toBe(0);
  expect(report.graphqlErrors).toBe(0);
  expect(report.writes.added).toBeGreaterThan(0);
  expect(report.writes.removed).toBeGreaterThan(0);
}, 60_000);
