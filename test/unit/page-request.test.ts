import { decodeCursor, encodeCursor } from "../../src/referrals/holder-cursor.js";
import { MAX_PAGE_SIZE } from "../../src/limits/operation-limits.js";
import { DEFAULT_PAGE_SIZE, toPageRequest, type ConnectionArgs } from "../../src/relay/page-request.js";

const MEMBER = "WELCOME-REF";
const cursor = (holderId: string) => encodeCursor(MEMBER, holderId);
const decode = (value: string, argument: "after" | "before") => decodeCursor(value, MEMBER, argument);

function rejection(args: ConnectionArgs) {
  try {
    toPageRequest(args, decode);
  } catch (error) {
    return error as { message: string; extensions: Record<string, unknown> };
  }
  throw new Error("expected a rejection");
}

describe("toPageRequest", () => {
  test.each<[string, ConnectionArgs, ReturnType<typeof toPageRequest>]>([
    ["nothing: forward, default size", {}, { direction: "forward", size: DEFAULT_PAGE_SIZE, cursorId: null }],
    [
      "explicit nulls are absent",
      { first: null, after: null, last: null, before: null },
      { direction: "forward", size: 10, cursorId: null },
    ],
    ["first", { first: 7 }, { direction: "forward", size: 7, cursorId: null }],
    ["first: 0", { first: 0 }, { direction: "forward", size: 0, cursorId: null }],
    ["first: 500", { first: MAX_PAGE_SIZE }, { direction: "forward", size: 500, cursorId: null }],
    ["first + after", { first: 3, after: cursor("rh_a") }, { direction: "forward", size: 3, cursorId: "rh_a" }],
    ["after alone: default size", { after: cursor("rh_a") }, { direction: "forward", size: 10, cursorId: "rh_a" }],
    ["last", { last: 4 }, { direction: "backward", size: 4, cursorId: null }],
    ["last + before", { last: 4, before: cursor("rh_b") }, { direction: "backward", size: 4, cursorId: "rh_b" }],
    ["before alone: backward, default size", { before: cursor("rh_b") }, { direction: "backward", size: 10, cursorId: "rh_b" }],
  ])("%s", (_name, args, expected) => {
    expect(toPageRequest(args, decode)).toEqual(expected);
  });

  test.each<[string, ConnectionArgs, string, RegExp]>([
    ["first and last", { first: 1, last: 1 }, "last", /either "first" or "last"/],
    ["first: -1", { first: -1 }, "first", /between 0 and 500; got -1/],
    ["first: 501", { first: 501 }, "first", /between 0 and 500; got 501/],
    ["first: 1.5", { first: 1.5 }, "first", /got 1.5/],
    ["last: -1", { last: -1 }, "last", /between 0 and 500/],
    ["last: 501", { last: 501 }, "last", /between 0 and 500/],
    ["after with last", { last: 2, after: cursor("rh_a") }, "after", /"after" goes with "first"/],
    ["after with before", { after: cursor("rh_a"), before: cursor("rh_b") }, "after", /"after" goes with "first"/],
    ["before with first", { first: 2, before: cursor("rh_b") }, "before", /"before" goes with "last"/],
    ["a malformed after", { first: 2, after: "%%%" }, "after", /"after" is not a cursor/],
    ["a malformed before", { last: 2, before: "x" }, "before", /"before" is not a cursor/],
    ["another member's cursor", { first: 2, after: encodeCursor("OTHER-REF", "rh_a") }, "after", /"after" is not a cursor/],
  ])("rejects %s", (_name, args, field, message) => {
    const error = rejection(args);
    expect(error.extensions).toEqual({ code: "BAD_USER_INPUT", field });
    expect(error.message).toMatch(message);
  });
});
