import { RateLimitGuard } from "../../src/shared-state/rate-limit-guard.js";

describe("RateLimitGuard", () => {
  let now = 1_000_000;
  const guard = new RateLimitGuard(() => now);

  test("blocks one set of credentials until Retry-After has passed, and no other", () => {
    guard.block("tenant-a", 7);
    expect(guard.secondsLeft("tenant-a")).toBe(7);
    expect(guard.secondsLeft("tenant-b")).toBe(0);
    now += 6_500;
    expect(guard.secondsLeft("tenant-a")).toBe(1);
    now += 500;
    expect(guard.secondsLeft("tenant-a")).toBe(0);
  });

  test("a shorter Retry-After never shortens a longer block", () => {
    guard.block("tenant-c", 30);
    guard.block("tenant-c", 2);
    expect(guard.secondsLeft("tenant-c")).toBe(30);
  });
});
