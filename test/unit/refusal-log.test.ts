import { jest } from "@jest/globals";
import { RefusalLog } from "../../src/observability/refusal-log.js";
import { captureLogs } from "../support/log-capture.js";

// A flood of refusals costs one line per class per window, and the count of the rest is never lost.

beforeEach(() => jest.useFakeTimers());
afterEach(() => jest.useRealTimers());

const unauthenticated = { status: 401, code: "UNAUTHENTICATED", reason: "The token has expired." };
const forbidden = { status: 403, code: "FORBIDDEN" };

test("the first refusal of a class is logged at once, the next ones in its window are counted into one closing line", () => {
  const { logger, lines } = captureLogs("info");
  const log = new RefusalLog(logger, 1000);
  for (let i = 0; i < 5; i++) log.refused(unauthenticated);
  log.refused(forbidden);
  expect(lines().map(({ level, msg, status, code, reason }) => ({ level, msg, status, code, reason }))).toEqual([
    { level: 40, msg: "request refused", status: 401, code: "UNAUTHENTICATED", reason: "The token has expired." },
    { level: 40, msg: "request refused", status: 403, code: "FORBIDDEN", reason: undefined },
  ]);
  jest.advanceTimersByTime(1000);
  expect(lines().slice(2)).toEqual([
    expect.objectContaining({
      level: 40,
      msg: "4 more requests refused with 401 UNAUTHENTICATED in 1 s",
      refused: 4,
      latestReason: "The token has expired.",
    }),
  ]);
  log.close();
});

test("refusals that keep coming: one line per window; after a quiet window the next refusal is logged at once", () => {
  const { logger, lines } = captureLogs("info");
  const log = new RefusalLog(logger, 1000);
  log.refused(unauthenticated);
  for (let window = 0; window < 3; window++) {
    for (let i = 0; i < 10; i++) log.refused(unauthenticated);
    jest.advanceTimersByTime(1000);
  }
  expect(lines().map((line) => line.refused ?? line.msg)).toEqual(["request refused", 10, 10, 10]);
  jest.advanceTimersByTime(1000); // a window without refusals: no line
  expect(lines()).toHaveLength(4);
  log.refused(unauthenticated);
  expect(lines().at(-1)).toMatchObject({ msg: "request refused" });
  log.close();
});

test("with warn lines off (LOG_LEVEL=error), nothing is logged and no timer is left", () => {
  const { logger, lines } = captureLogs("error");
  const log = new RefusalLog(logger, 1000);
  log.refused(unauthenticated);
  expect(jest.getTimerCount()).toBe(0);
  expect(lines()).toEqual([]);
});
