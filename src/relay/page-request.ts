import { badUserInput } from "../errors/graphql-errors.js";
import { MAX_PAGE_SIZE } from "../limits/operation-limits.js";

/** `first` when neither `first` nor `last` is given. */
export const DEFAULT_PAGE_SIZE = 10;

export interface ConnectionArgs {
  first?: number | null;
  after?: string | null;
  last?: number | null;
  before?: string | null;
}

/** What a connection page asks for, once validated: `size` items going `forward` after or `backward` before an item. */
export interface PageRequest {
  direction: "forward" | "backward";
  size: number;
  /** The item `after` (forward) or `before` (backward) names, as the connection's cursor decoder returned it. */
  cursorId: string | null;
}

/** Turns a connection's cursor into the id of the item it names, or throws BAD_USER_INPUT naming the argument. */
export type CursorDecoder = (cursor: string, argument: "after" | "before") => string;

function checkSize(value: number, argument: "first" | "last"): number {
  if (!Number.isInteger(value) || value < 0 || value > MAX_PAGE_SIZE) {
    throw badUserInput(`Argument "${argument}" must be between 0 and ${MAX_PAGE_SIZE}; got ${value}.`, argument);
  }
  return value;
}

/** The page size toPageRequest would use, or null when it would refuse the size (for the cost estimate). */
export function pageSizeOf(args: { first?: unknown; last?: unknown }): number | null {
  const given = args.first ?? args.last;
  if (given === undefined || given === null) return DEFAULT_PAGE_SIZE;
  if (typeof given !== "number" || !Number.isInteger(given) || given < 0 || given > MAX_PAGE_SIZE) return null;
  return given;
}

/** Validates Relay arguments before any upstream call. */
export function toPageRequest(args: ConnectionArgs, decodeCursor: CursorDecoder): PageRequest {
  const { first, after, last, before } = args;
  const hasFirst = first !== undefined && first !== null;
  const hasLast = last !== undefined && last !== null;
  const hasAfter = after !== undefined && after !== null;
  const hasBefore = before !== undefined && before !== null;
  if (hasFirst && hasLast) {
    throw badUserInput('Pass either "first" or "last", not both.', "last");
  }
  if (hasLast || (hasBefore && !hasFirst)) {
    if (hasAfter) throw badUserInput('"after" goes with "first"; page backwards with "last" and "before".', "after");
    return {
      direction: "backward",
      size: hasLast ? checkSize(last, "last") : DEFAULT_PAGE_SIZE,
      cursorId: hasBefore ? decodeCursor(before, "before") : null,
    };
  }
  if (hasBefore) throw badUserInput('"before" goes with "last"; page forwards with "first" and "after".', "before");
  return {
    direction: "forward",
    size: hasFirst ? checkSize(first, "first") : DEFAULT_PAGE_SIZE,
    cursorId: hasAfter ? decodeCursor(after, "after") : null,
  };
}
