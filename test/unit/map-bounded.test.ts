import { CUSTOMER_FETCH_CONCURRENCY, mapBounded } from "../../src/voucherify/loaders.js";

describe("mapBounded (the customer loader's fan-out)", () => {
  test("never runs more than `concurrency` tasks at once, and keeps results in input order", async () => {
    let running = 0;
    let peak = 0;
    const waiting: Array<() => void> = [];
    const task = (n: number) =>
      new Promise<number>((resolve) => {
        running++;
        peak = Math.max(peak, running);
        waiting.push(() => {
          running--;
          resolve(n * 10);
        });
      });
    const items = Array.from({ length: 27 }, (_, i) => i);
    const all = mapBounded(items, CUSTOMER_FETCH_CONCURRENCY, task);
    // Release tasks one at a time, each only after the workers have had a chance to start more.
    while (waiting.length > 0 || running > 0) {
      await new Promise((resolve) => setImmediate(resolve));
      waiting.shift()?.();
    }
    expect(await all).toEqual(items.map((n) => n * 10));
    expect(peak).toBe(CUSTOMER_FETCH_CONCURRENCY);
  });

  test("a failed task becomes that item's error; the others still resolve", async () => {
    const results = await mapBounded([1, 2, 3], 2, async (n) => {
      if (n === 2) throw new Error("customer 2 not found");
      return n;
    });
    expect(results[0]).toBe(1);
    expect(results[1]).toBeInstanceOf(Error);
    expect(results[2]).toBe(3);
  });
});
