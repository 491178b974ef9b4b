import { Expiring, FixedDelayExpiry } from "../../src/lib/fixed-delay-expiry.js";

class Entry extends Expiring {
  constructor(readonly name: string) {
    super();
  }
}

/** A list whose expiries are reported as they happen, and a way to wait for the next `count` of them. */
function watched(delayMs: number, now?: () => number) {
  const expired: string[] = [];
  let waiting: { count: number; resolve: () => void } | null = null;
  const list = new FixedDelayExpiry<Entry>(
    delayMs,
    (entry) => {
      expired.push(entry.name);
      if (waiting && expired.length >= waiting.count) waiting.resolve();
    },
    now,
  );
  const expiredCount = (count: number) =>
    new Promise<void>((resolve) => {
      if (expired.length >= count) resolve();
      else waiting = { count, resolve };
    });
  return { list, expired, expiredCount };
}

describe("FixedDelayExpiry: entries of one delay under one timer", () => {
  test("entries expire in the order they were added, once each, and leave the list", async () => {
    const { list, expired, expiredCount } = watched(5);
    const [a, b, c] = ["a", "b", "c"].map((name) => new Entry(name));
    list.add(a);
    list.add(b);
    list.add(c);
    expect(list.size).toBe(3);
    await expiredCount(3);
    expect(expired).toEqual(["a", "b", "c"]);
    expect(list.size).toBe(0);
  });

  test("a removed entry never expires, wherever it was in the list; the others still do", async () => {
    const { list, expired, expiredCount } = watched(5);
    const entries = ["first", "middle", "last", "kept"].map((name) => new Entry(name));
    for (const entry of entries) list.add(entry);
    list.remove(entries[0]);
    list.remove(entries[1]);
    list.remove(entries[2]);
    list.remove(entries[2]); // twice: nothing happens
    expect(list.size).toBe(1);
    await expiredCount(1);
    expect(expired).toEqual(["kept"]);
  });

  test("an entry added after the timer was armed waits its own full delay", async () => {
    let clock = 0;
    const { list, expired, expiredCount } = watched(10, () => clock);
    list.add(new Entry("early"));
    clock = 5;
    list.add(new Entry("late"));
    // The timer fires after about 10 ms of real time; by this clock only "early" is due then.
    clock = 10;
    await expiredCount(1);
    expect(expired).toEqual(["early"]);
    expect(list.size).toBe(1);
    clock = 15;
    await expiredCount(2);
    expect(expired).toEqual(["early", "late"]);
  });

  test("a timer that fires before the oldest entry is due waits again instead of expiring it early", async () => {
    // Clock reads: the add, then the first firing (the clock has not moved: nothing is due), then the second firing.
    let reads = 0;
    const { list, expired, expiredCount } = watched(5, () => (reads++ < 2 ? 0 : 5));
    list.add(new Entry("a"));
    await expiredCount(1);
    expect(expired).toEqual(["a"]);
    expect(reads).toBe(3);
  });

  test("an entry is in one list at a time", () => {
    const { list } = watched(1000);
    const entry = new Entry("x");
    list.add(entry);
    expect(() => list.add(entry)).toThrow(TypeError);
    list.remove(entry);
    expect(() => list.add(entry)).not.toThrow();
    list.remove(entry);
  });
});
