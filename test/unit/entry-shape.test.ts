import { entryShape } from "../../src/shared-state/entry-shape.js";
import type { IsoDateTime } from "../../src/voucherify/domain.js";
import { CUSTOMER_ENTRY, HOLDER_PAGE_ENTRY } from "../../src/voucherify/record-shapes.js";

// The declared shape of a cached record is its entries' format (a change of shape changes it) and the check an entry
// read back from Redis must pass before it is used.

interface Thing {
  id: string;
  at: IsoDateTime;
  kind: "a" | "b";
  count: number;
  note: string | null;
  tags: string[];
  extra: Record<string, unknown> | null;
}

const THING_DECLARATION = {
  record: {
    id: "string",
    at: "instant",
    kind: { oneOf: ["a", "b"] },
    count: "number",
    note: { nullable: "string" },
    tags: { list: "string" },
    extra: { nullable: "object" },
  },
} as const;

const THING = entryShape<Thing>("thing", THING_DECLARATION);

const stored = () =>
  JSON.parse(JSON.stringify({ id: "t1", at: new Date(0), kind: "a", count: 2, note: null, tags: ["x"], extra: { k: [1] } })) as unknown;

describe("entry shapes", () => {
  test("a record read back as stored: instants stay their ISO text, everything as it was", () => {
    expect(THING.decode(stored())).toEqual({
      id: "t1",
      at: "1970-01-01T00:00:00.000Z",
      kind: "a",
      count: 2,
      note: null,
      tags: ["x"],
      extra: { k: [1] },
    });
  });

  test.each([
    ["a missing field", (value: Record<string, unknown>) => delete value.id],
    ["a string where a number is declared", (value: Record<string, unknown>) => (value.count = "2")],
    ["a date that is not one", (value: Record<string, unknown>) => (value.at = "yesterday")],
    ["an instant of another form", (value: Record<string, unknown>) => (value.at = "1970-01-01T00:00:00Z")],
    ["an instant that names no day", (value: Record<string, unknown>) => (value.at = "2024-02-30T00:00:00.000Z")],
    ["a value outside an enum", (value: Record<string, unknown>) => (value.kind = "c")],
    ["null where it is not allowed", (value: Record<string, unknown>) => (value.tags = null)],
    ["a list holding another type", (value: Record<string, unknown>) => (value.tags = [1])],
    ["an array where an object is declared", (value: Record<string, unknown>) => (value.extra = [])],
  ])("%s: not a record of the shape (a miss)", (_what, spoil) => {
    const value = stored() as Record<string, unknown>;
    spoil(value);
    expect(THING.decode(value)).toBeUndefined();
  });

  test("not an object at all: a miss", () => {
    for (const value of [null, 1, "text", [], true]) expect(THING.decode(value)).toBeUndefined();
  });

  test("the format names the kind and hashes the declaration: any change of shape changes it", () => {
    expect(THING.format).toMatch(/^thing\.[A-Za-z0-9_-]{10}$/);
    const renamed = entryShape<Omit<Thing, "count"> & { total: number }>("thing", {
      record: { ...THING_DECLARATION_WITHOUT_COUNT, total: "number" },
    });
    const narrowed = entryShape<Omit<Thing, "kind"> & { kind: "a" }>("thing", {
      record: { ...THING_DECLARATION_WITHOUT_KIND, kind: { oneOf: ["a"] } },
    });
    expect(new Set([THING.format, renamed.format, narrowed.format]).size).toBe(3);
    // The same declaration, the same format: two builds with equal records read each other's entries.
    expect(entryShape<Thing>("thing", THING_DECLARATION).format).toBe(THING.format);
  });

  test("the records the cache keeps have formats of their own", () => {
    expect(HOLDER_PAGE_ENTRY.format).toMatch(/^page\./);
    expect(CUSTOMER_ENTRY.format).toMatch(/^customer\./);
    expect(HOLDER_PAGE_ENTRY.decode({ holders: [], total: 0, hasMore: false, nextStartingAfter: null })).toEqual({
      holders: [],
      total: 0,
      hasMore: false,
      nextStartingAfter: null,
    });
    expect(CUSTOMER_ENTRY.decode({ id: "c", sourceId: null, name: 3, email: null, phone: null })).toBeUndefined();
  });

  test("sizeOf counts strings at two bytes a character, and more for more", () => {
    const small = THING.sizeOf(THING.decode(stored())!);
    const larger = THING.decode(stored())!;
    larger.tags = ["x".repeat(1000)];
    expect(THING.sizeOf(larger) - small).toBe(999 * 2);
  });
});

const { count: _count, ...THING_DECLARATION_WITHOUT_COUNT } = THING_DECLARATION.record;
const { kind: _kind, ...THING_DECLARATION_WITHOUT_KIND } = THING_DECLARATION.record;
