import { BodyBudget, SMALL_BODY_BYTES } from "../../src/http/body-budget.js";

// The arithmetic of the shared body budget: each caller's share, and the part only small bodies may use.
// The same rules over real sockets: test/security/slow-clients.test.ts and test/security/body-flood.test.ts.

const MiB = 1024 * 1024;

describe("shares of the 32 MiB default", () => {
  test("a caller holds at most an eighth (4 MiB); others still get the rest", () => {
    const budget = new BodyBudget(32 * MiB);
    expect(budget.callerShare).toBe(4 * MiB);
    const held = Array.from({ length: 5 }, () => budget.open("sub:mallory"));
    expect(held.map((body) => body.growTo(MiB))).toEqual([true, true, true, true, false]);
    expect(budget.bytesHeldBy("sub:mallory")).toBe(4 * MiB);
    expect(budget.open("sub:alice").growTo(MiB)).toBe(true);
    expect(budget.bytesInUse).toBe(5 * MiB);
  });

  test("large bodies together never take the last eighth; small bodies still fit there", () => {
    const budget = new BodyBudget(32 * MiB);
    expect(budget.smallBodyReserve).toBe(4 * MiB);
    // Seven callers fill their shares with large bodies: 28 MiB, all the large bodies may hold.
    for (let caller = 0; caller < 7; caller++) {
      for (let body = 0; body < 4; body++) expect(budget.open(`sub:${caller}`).growTo(MiB)).toBe(true);
    }
    expect(budget.open("sub:eighth").growTo(SMALL_BODY_BYTES)).toBe(false);
    const small = budget.open("sub:eighth");
    expect(small.growTo(SMALL_BODY_BYTES - 1)).toBe(true);
    expect(budget.bytesInUse).toBe(28 * MiB + SMALL_BODY_BYTES - 1);
  });

  test("a body without Content-Length turns large as it grows past 64 KiB, and is refused then if large bodies are full", () => {
    const budget = new BodyBudget(32 * MiB);
    for (let caller = 0; caller < 7; caller++) expect(budget.open(`sub:${caller}`).growTo(4 * MiB)).toBe(true);
    const chunked = budget.open("sub:chunked");
    expect(chunked.growTo(16 * 1024)).toBe(true);
    expect(chunked.growTo(SMALL_BODY_BYTES - 1)).toBe(true);
    expect(chunked.growTo(SMALL_BODY_BYTES)).toBe(false);
    // Refused growth changes nothing: what it held is still counted, and released in full.
    expect(chunked.bytes).toBe(SMALL_BODY_BYTES - 1);
    chunked.release();
    expect(budget.bytesInUse).toBe(28 * MiB);
    expect(budget.bytesHeldBy("sub:chunked")).toBe(0);
  });

  test("released bodies give their bytes back to the caller's share and to the large part", () => {
    const budget = new BodyBudget(32 * MiB);
    const bodies = Array.from({ length: 4 }, () => budget.open("sub:a"));
    for (const body of bodies) body.growTo(MiB);
    expect(budget.open("sub:a").growTo(1)).toBe(false);
    bodies[0].release();
    bodies[0].release(); // twice is harmless
    expect(budget.bytesHeldBy("sub:a")).toBe(3 * MiB);
    expect(budget.open("sub:a").growTo(MiB)).toBe(true);
  });
});

describe("small budgets", () => {
  test("a caller's share is at least 2 MiB (two of the largest bodies), never more than the whole", () => {
    expect(new BodyBudget(8 * MiB).callerShare).toBe(2 * MiB);
    expect(new BodyBudget(64 * 1024).callerShare).toBe(64 * 1024);
    expect(new BodyBudget(1024 * MiB).callerShare).toBe(128 * MiB);
  });

  test("the whole budget still bounds every caller together", () => {
    const budget = new BodyBudget(65_536);
    expect(budget.open("address:a").growTo(40_000)).toBe(true);
    expect(budget.open("address:b").growTo(30_000)).toBe(false);
    expect(budget.open("address:b").growTo(25_536)).toBe(true);
  });
});
