import { decodeCursor, encodeCursor } from "../../src/referrals/holder-cursor.js";

const HOLDER = "rh_0e7213a6bc407b8639";

function rejection(run: () => unknown) {
  try {
    run();
  } catch (error) {
    return error as { message: string; extensions: Record<string, unknown> };
  }
  throw new Error("expected a rejection");
}

describe("encodeCursor / decodeCursor", () => {
  test("round-trips a holder id for the member it was issued for", () => {
    const cursor = encodeCursor("WELCOME-REF", HOLDER);
    expect(decodeCursor(cursor, "WELCOME-REF", "after")).toBe(HOLDER);
    expect(decodeCursor(cursor, "WELCOME-REF", "before")).toBe(HOLDER);
  });

  test("is opaque and URL-safe: base64url of a versioned text, no padding", () => {
    const cursor = encodeCursor("WELCOME-REF", HOLDER);
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(cursor).not.toContain(HOLDER);
    expect(Buffer.from(cursor, "base64url").toString("utf8")).toBe(`h1:${HOLDER}:WELCOME-REF`);
  });

  test("member ids with any characters round-trip (a colon included)", () => {
    for (const member of ["v_demoWelcomeRef000000000000000000", "CODE:WITH:COLONS", "kod-ż/ä"]) {
      expect(decodeCursor(encodeCursor(member, HOLDER), member, "after")).toBe(HOLDER);
    }
  });

  test.each([
    ["a cursor of another member", encodeCursor("OTHER-REF", HOLDER)],
    ["a cursor of a member whose id only starts the same", encodeCursor("WELCOME-REF-2", HOLDER)],
    ["empty", ""],
    ["not base64url", "abc+/="],
    ["a raw holder id", HOLDER],
    ["another version prefix", Buffer.from(`h2:${HOLDER}:WELCOME-REF`).toString("base64url")],
    ["no member part", Buffer.from(`h1:${HOLDER}`).toString("base64url")],
    ["an empty holder id", Buffer.from(`h1::WELCOME-REF`).toString("base64url")],
    ["a holder id with odd characters", Buffer.from(`h1:rh_1&x=1:WELCOME-REF`).toString("base64url")],
    ["far too long", "a".repeat(2000)],
  ])("rejects %s with BAD_USER_INPUT naming the argument", (_name, cursor) => {
    const error = rejection(() => decodeCursor(cursor, "WELCOME-REF", "before"));
    expect(error.extensions).toEqual({ code: "BAD_USER_INPUT", field: "before" });
    expect(error.message).toBe('Argument "before" is not a cursor of this member\'s holders connection.');
  });
});
