import { retryAfterSeconds } from "../../src/voucherify/retry-after.js";

const NOW = Date.parse("2026-03-01T12:00:00.000Z");

describe("retryAfterSeconds", () => {
  test.each<[string, Record<string, string | string[] | undefined>, number]>([
    ["Retry-After in seconds", { "retry-after": "30" }, 30],
    ["fractional seconds round up", { "retry-after": "2.1" }, 3],
    ["zero becomes 1 (never invite an immediate retry)", { "retry-after": "0" }, 1],
    ["Retry-After as an HTTP date", { "retry-after": "Sun, 01 Mar 2026 12:00:45 GMT" }, 45],
    ["an HTTP date in the past becomes 1", { "retry-after": "Sun, 01 Mar 2026 11:00:00 GMT" }, 1],
    ["X-Rate-Limit-Retry in Unix seconds", { "x-rate-limit-retry": String(NOW / 1000 + 20) }, 20],
    ["Retry-After wins over X-Rate-Limit-Retry", { "retry-after": "5", "x-rate-limit-retry": String(NOW / 1000 + 20) }, 5],
    [
      "an unreadable Retry-After falls back to X-Rate-Limit-Retry",
      { "retry-after": "soon", "x-rate-limit-retry": String(NOW / 1000 + 9) },
      9,
    ],
    ["a repeated header: the first value", { "retry-after": ["4", "8"] }, 4],
    ["nothing usable: 1", {}, 1],
    ["garbage everywhere: 1", { "retry-after": "soon", "x-rate-limit-retry": "later" }, 1],
  ])("%s", (_name, headers, expected) => {
    expect(retryAfterSeconds(headers, NOW)).toBe(expected);
  });
});

describe("retryAfterSeconds refuses loose readings", () => {
  test.each<[string, Record<string, string>, number]>([
    [
      "an empty Retry-After is not 0 seconds: X-Rate-Limit-Retry decides",
      { "retry-after": "", "x-rate-limit-retry": String(NOW / 1000 + 12) },
      12,
    ],
    ["a negative number is not a date", { "retry-after": "-3", "x-rate-limit-retry": String(NOW / 1000 + 6) }, 6],
    ["words with digits are not a date", { "retry-after": "abc 12" }, 1],
    ["an absurd wait is capped at an hour", { "retry-after": "86400" }, 3600],
  ])("%s", (_name, headers, expected) => {
    expect(retryAfterSeconds(headers, NOW)).toBe(expected);
  });
});
