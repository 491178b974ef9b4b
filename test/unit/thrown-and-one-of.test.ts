import { readFile } from "node:fs/promises";
import { runInNewContext } from "node:vm";
import { isOneOf } from "../../src/lib/one-of.js";
import { messageOf, systemCodeOf } from "../../src/lib/thrown.js";

describe("isOneOf", () => {
  const ORDERS = ["id", "-id"] as const;

  test("is true for a listed value and false for anything else, strings of other case and other types included", () => {
    expect(isOneOf(ORDERS, "-id")).toBe(true);
    expect(["ID", "", null, undefined, 1, {}, ["id"]].map((value) => isOneOf(ORDERS, value))).toEqual([
      false,
      false,
      false,
      false,
      false,
      false,
      false,
    ]);
  });
});

describe("messageOf and systemCodeOf", () => {
  test("read an Error's message and a failed I/O call's code", async () => {
    const failure = await readFile("/nonexistent/file").catch((error: unknown) => error);
    expect(systemCodeOf(failure)).toBe("ENOENT");
    expect(messageOf(failure)).toMatch(/^ENOENT: no such file or directory/);
  });

  test("read an error made in another realm by its shape (instanceof Error is false there)", () => {
    const foreign: unknown = runInNewContext("Object.assign(new Error('from elsewhere'), { code: 'EEXIST' })");
    expect(foreign instanceof Error).toBe(false);
    expect(messageOf(foreign)).toBe("from elsewhere");
    expect(systemCodeOf(foreign)).toBe("EEXIST");
  });

  test("a thrown non-error is its text, with no code", () => {
    expect(messageOf("plain")).toBe("plain");
    expect(messageOf(42)).toBe("42");
    expect(systemCodeOf({ code: 7 })).toBeUndefined();
    expect(systemCodeOf(null)).toBeUndefined();
  });
});
