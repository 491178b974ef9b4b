import { badUserInput } from "../errors/graphql-errors.js";
import { MAX_LENGTH } from "./input-limits.js";

// Version prefix: a future cursor format can be told apart from this one, and anything else is rejected.
const PREFIX = "h1:";

/**
 * Cursors name the holder and the member they were issued for, so a cursor from another member's connection
 * is refused instead of silently paging someone else's list.
 */
export function encodeCursor(memberId: string, holderId: string): string {
  return Buffer.from(`${PREFIX}${holderId}:${memberId}`, "utf8").toString("base64url");
}

/** Returns the holder id, or throws BAD_USER_INPUT naming the argument. */
export function decodeCursor(cursor: string, memberId: string, argument: "after" | "before"): string {
  const invalid = () => badUserInput(`Argument "${argument}" is not a cursor of this member's holders connection.`, argument);
  if (cursor.length === 0 || cursor.length > MAX_LENGTH.cursor || !/^[A-Za-z0-9_-]+$/.test(cursor)) throw invalid();
  const text = Buffer.from(cursor, "base64url").toString("utf8");
  if (!text.startsWith(PREFIX)) throw invalid();
  const rest = text.slice(PREFIX.length);
  const separator = rest.indexOf(":");
  if (separator <= 0) throw invalid();
  const holderId = rest.slice(0, separator);
  if (rest.slice(separator + 1) !== memberId || !/^[A-Za-z0-9_-]+$/.test(holderId)) throw invalid();
  return holderId;
}
