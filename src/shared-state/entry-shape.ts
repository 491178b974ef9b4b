import { createHash } from "node:crypto";
import { isJsonObject } from "../lib/json-object.js";
import { isPrintedInstant } from "../lib/iso-instant.js";

/**
 * The declared shape of a record the shared cache keeps, checked against the record's TypeScript type (ShapeOf): a
 * field added, removed or retyped in the record no longer compiles until its declaration follows, and the
 * declaration is what the entries' format is hashed from. So two builds whose records differ write entries of
 * different formats, and neither misreads the other's during a rolling deploy on one Redis.
 */
export type FieldShape =
  | "string"
  | "number"
  | "boolean"
  /** An instant kept as its ISO text (`Date.prototype.toISOString`'s form) in the record and in the entry. */
  | "instant"
  /** Any JSON object (metadata): kept as it is. */
  | "object"
  | { readonly oneOf: readonly string[] }
  | { readonly nullable: FieldShape }
  | { readonly list: FieldShape }
  | { readonly record: { readonly [field: string]: FieldShape } };

/** The declaration a record type `T` must have (the brackets keep unions such as enums and booleans whole). */
export type ShapeOf<T> = null extends T
  ? { readonly nullable: ShapeOf<NonNullable<T>> }
  : [T] extends [{ readonly __isoDateTime: true }]
    ? "instant"
    : [T] extends [string]
      ? string extends T
        ? "string"
        : { readonly oneOf: readonly T[] }
      : [T] extends [number]
        ? "number"
        : [T] extends [boolean]
          ? "boolean"
          : [T] extends [readonly (infer E)[]]
            ? { readonly list: ShapeOf<E> }
            : [T] extends [object]
              ? string extends keyof T
                ? "object"
                : { readonly record: { readonly [K in keyof T]-?: ShapeOf<T[K]> } }
              : never;

/** How entries of one kind are written to and read from a store that keeps text (Redis), and sized in one that keeps objects. */
export interface EntryShape<T> {
  /** `<name>.<hash of the declaration>`: written before every entry, compared before it is parsed. */
  readonly format: string;
  /** The record from parsed JSON, or undefined when any value is of another type (then the entry is a miss). */
  decode(json: unknown): T | undefined;
  /** About how many bytes the record holds in memory (UTF-16 strings), for a store bounded by bytes; no allocation. */
  sizeOf(record: T): number;
}

const INVALID = Symbol("invalid");
type Decoder = (value: unknown) => unknown;
type Sizer = (value: unknown) => number;

/** Per value besides its strings: a rough cost of a slot, a number or a small object header in V8. */
const SLOT_BYTES = 16;

function decoder(shape: FieldShape): Decoder {
  if (shape === "string") return (value) => (typeof value === "string" ? value : INVALID);
  if (shape === "number") return (value) => (typeof value === "number" ? value : INVALID);
  if (shape === "boolean") return (value) => (typeof value === "boolean" ? value : INVALID);
  if (shape === "object") return (value) => (isJsonObject(value) ? value : INVALID);
  if (shape === "instant") return (value) => (typeof value === "string" && isPrintedInstant(value) ? value : INVALID);
  if ("oneOf" in shape) {
    const allowed = new Set(shape.oneOf);
    return (value) => (typeof value === "string" && allowed.has(value) ? value : INVALID);
  }
  if ("nullable" in shape) {
    const inner = decoder(shape.nullable);
    return (value) => (value === null ? null : inner(value));
  }
  if ("list" in shape) {
    const item = decoder(shape.list);
    return (value) => {
      if (!Array.isArray(value)) return INVALID;
      const list = value as unknown[];
      for (let i = 0; i < list.length; i++) {
        const decoded = item(list[i]);
        if (decoded === INVALID) return INVALID;
        list[i] = decoded;
      }
      return list;
    };
  }
  const fields = Object.entries(shape.record).map(([name, field]) => [name, decoder(field)] as const);
  // In place: the object is a fresh JSON.parse result nobody else holds; nothing is replaced today (a decoder that
  // returns another value than it was given would be).
  return (value) => {
    if (typeof value !== "object" || value === null || Array.isArray(value)) return INVALID;
    const record = value as Record<string, unknown>;
    for (const [name, decode] of fields) {
      const decoded = decode(record[name]);
      if (decoded === INVALID) return INVALID;
      if (decoded !== record[name]) record[name] = decoded;
    }
    return record;
  };
}

function sizer(shape: FieldShape): Sizer {
  if (typeof shape === "string") {
    switch (shape) {
      case "string":
      case "instant":
        return (value) => SLOT_BYTES + (value as string).length * 2;
      case "object":
        // A JSON object of unknown keys: its text length, counted once, when the entry is kept.
        return (value) => SLOT_BYTES + JSON.stringify(value).length * 2;
      default:
        return () => SLOT_BYTES;
    }
  }
  if ("oneOf" in shape) return () => SLOT_BYTES;
  if ("nullable" in shape) {
    const inner = sizer(shape.nullable);
    return (value) => (value === null ? SLOT_BYTES : inner(value));
  }
  if ("list" in shape) {
    const item = sizer(shape.list);
    return (value) => {
      let bytes = SLOT_BYTES;
      for (const element of value as unknown[]) bytes += item(element);
      return bytes;
    };
  }
  const fields = Object.entries(shape.record).map(([name, field]) => [name, sizer(field)] as const);
  return (value) => {
    let bytes = SLOT_BYTES;
    for (const [name, size] of fields) bytes += size((value as Record<string, unknown>)[name]);
    return bytes;
  };
}

/** The entries of records of type T, declared once (see ShapeOf). `name` says what they are in formats and logs. */
export function entryShape<T>(name: string, shape: ShapeOf<T>): EntryShape<T> {
  const declared = shape as FieldShape;
  const hash = createHash("sha256").update(JSON.stringify(declared)).digest("base64url").slice(0, 10);
  const decode = decoder(declared);
  const size = sizer(declared);
  return {
    format: `${name}.${hash}`,
    decode: (json) => {
      const decoded = decode(json);
      return decoded === INVALID ? undefined : (decoded as T);
    },
    sizeOf: (record) => size(record),
  };
}
