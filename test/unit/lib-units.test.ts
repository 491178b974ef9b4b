import { bodyTooLarge } from "../../src/errors/graphql-errors.js";
import { formatBytes } from "../../src/lib/byte-size.js";
import { secondsToWait } from "../../src/lib/wait-seconds.js";
import { releaseNow } from "../../src/lib/release-buffer.js";
import { MAX_REQUEST_BODY_BYTES } from "../../src/limits/operation-limits.js";

describe("secondsToWait: a wait in milliseconds as the whole seconds a client is told", () => {
  test.each([
    [1, 1],
    [999, 1],
    [1000, 1],
    [1001, 2],
    [59_500, 60],
    // Never zero: a zero would invite an immediate retry.
    [0, 1],
    [-5, 1],
  ])("%d ms: %d s", (milliseconds, seconds) => {
    expect(secondsToWait(milliseconds)).toBe(seconds);
  });
});

describe("formatBytes: a size in the largest binary unit that holds it whole", () => {
  test.each([
    [1024 * 1024, "1 MiB"],
    [32 * 1024 * 1024, "32 MiB"],
    [16 * 1024, "16 KiB"],
    [1536 * 1024, "1536 KiB"],
    [2 * 1024 ** 3, "2 GiB"],
    [1000, "1000 bytes"],
    [0, "0 bytes"],
  ])("%d: %s", (bytes, words) => {
    expect(formatBytes(bytes)).toBe(words);
  });

  test("the 413 message says the limit it is given, not a size written beside it", () => {
    expect(bodyTooLarge(MAX_REQUEST_BODY_BYTES).message).toBe(
      `Request body is larger than the gateway accepts (${formatBytes(MAX_REQUEST_BODY_BYTES)}).`,
    );
    expect(bodyTooLarge(2 * 1024 * 1024).message).toContain("(2 MiB)");
    expect(bodyTooLarge(100_000).message).toContain("(100000 bytes)");
    expect(bodyTooLarge(100_000).extensions).toMatchObject({ code: "BAD_REQUEST", http: { status: 413 } });
  });
});

describe("releaseNow: a dropped buffer's memory freed before the collector's next pass", () => {
  const canTransfer = typeof (ArrayBuffer.prototype as { transfer?: unknown }).transfer === "function";

  test("a buffer that spans its whole ArrayBuffer is emptied where the runtime can transfer (Node 22+), else left", () => {
    const owned = Buffer.allocUnsafeSlow(64 * 1024).fill(1);
    releaseNow(owned);
    expect(owned.length).toBe(canTransfer ? 0 : 64 * 1024);
  });

  test("a slice of Node's shared pool, or of a larger buffer, is never touched: its neighbours would read as empty", () => {
    const pooled = Buffer.from("holder");
    const neighbour = Buffer.from("another");
    const whole = Buffer.alloc(1024, 2);
    const part = whole.subarray(0, 512);
    releaseNow(pooled);
    releaseNow(part);
    expect([pooled.toString(), neighbour.toString(), part.length, whole.length]).toEqual(["holder", "another", 512, 1024]);
  });
});
