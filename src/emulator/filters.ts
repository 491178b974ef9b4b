import { invalidQuery } from "./errors.js";

/**
 * Turns Voucherify's deepObject `filters[...]` query parameters into a SQL condition over the holders table.
 *
 * Semantics chosen (the docs leave them open): several conditions on one field are ANDed (so `$after` + `$before`
 * is a range); `filters[junction]` (and | or, default and) combines the fields. Values are always bound
 * parameters and list operators use `json_each(?)`, so the SQL text depends only on which operators are used: the
 * store can cache one prepared statement per shape.
 */
export interface HolderWhere {
  sql: string; // "" when there is no filter
  params: unknown[];
}

type FieldKind = "string" | "role" | "date";
const FIELDS: Record<string, FieldKind> = { id: "string", customer_id: "string", holder_role: "role", created_at: "date" };
const ROLES = new Set(["OWNER", "REFERRER", "REFEREE"]);
const LIST_OPS = new Set(["$in", "$not_in"]);
const STRING_OPS = new Set(["$in", "$not_in", "$is", "$is_not", "$has_value", "$is_unknown", "$starts_with", "$ends_with"]);
const DATE_OPS = new Set(["$after", "$before", "$has_value", "$is_unknown", "$more_than", "$less_than"]);
const DAY_MS = 86_400_000;

/** field -> operator -> values (list operators may repeat; scalar ones must not). */
type Parsed = Map<string, Map<string, string[]>>;

export const EMPTY_WHERE: HolderWhere = { sql: "", params: [] };

export function parseHolderFilters(params: URLSearchParams, now: () => number = Date.now): HolderWhere {
  const parsed: Parsed = new Map();
  let junction = "and";
  for (const [key, value] of params) {
    if (!key.startsWith("filters")) continue;
    const path = splitBrackets(key);
    if (path[0] === "junction" && path.length === 1) {
      const lowered = value.toLowerCase();
      if (lowered !== "and" && lowered !== "or") throw invalidQuery(`filters[junction] must be "and" or "or", got "${value}"`);
      junction = lowered;
      continue;
    }
    const [field, conditions, op, index, ...rest] = path;
    const kind = field === undefined ? undefined : FIELDS[field];
    if (!kind) throw invalidQuery(`Unknown filter field "${key}"; allowed: ${Object.keys(FIELDS).join(", ")}, junction`);
    if (conditions !== "conditions" || op === undefined || rest.length > 0) {
      throw invalidQuery(`Malformed filter "${key}"; expected filters[${field}][conditions][$operator]`);
    }
    const allowed = kind === "date" ? DATE_OPS : STRING_OPS;
    if (!allowed.has(op)) throw invalidQuery(`Unknown operator ${op} for filters[${field}]; allowed: ${[...allowed].join(", ")}`);
    if (index !== undefined && !(LIST_OPS.has(op) && /^\d*$/.test(index))) {
      throw invalidQuery(`Filter "${key}": ${op} takes a single value, not a list`);
    }
    let ops = parsed.get(field);
    if (!ops) parsed.set(field, (ops = new Map<string, string[]>()));
    const values = ops.get(op) ?? [];
    if (values.length > 0 && !LIST_OPS.has(op)) throw invalidQuery(`Filter filters[${field}][conditions][${op}] is given twice`);
    values.push(value);
    ops.set(op, values);
  }
  if (parsed.size === 0) return EMPTY_WHERE;

  const clauses: string[] = [];
  const bound: unknown[] = [];
  for (const [field, ops] of parsed) {
    const fieldClauses: string[] = [];
    for (const [op, values] of ops) fieldClauses.push(condition(field, FIELDS[field], op, values, bound, now));
    clauses.push(fieldClauses.length === 1 ? fieldClauses[0] : `(${fieldClauses.join(" AND ")})`);
  }
  return { sql: clauses.length === 1 ? clauses[0] : `(${clauses.join(junction === "or" ? " OR " : " AND ")})`, params: bound };
}

/** `filters[a][b][$c][0]` -> ["a", "b", "$c", "0"]; anything that is not `filters` + bracket groups is rejected. */
function splitBrackets(key: string): string[] {
  const match = /^filters((?:\[[^[\]]*\])+)$/.exec(key);
  if (!match) throw invalidQuery(`Malformed filter parameter "${key}"; expected filters[field][conditions][$operator]`);
  return match[1].slice(1, -1).split("][");
}

function condition(field: string, kind: FieldKind, op: string, values: string[], bound: unknown[], now: () => number): string {
  // Holder columns are NOT NULL: "has a value" is always true, "unknown" never.
  if (op === "$has_value") return "1";
  if (op === "$is_unknown") return "0";
  const label = `filters[${field}][conditions][${op}]`;
  if (kind === "date") {
    if (op === "$more_than" || op === "$less_than") {
      if (!/^\d+$/.test(values[0])) throw invalidQuery(`${label} must be a whole number of days`);
      bound.push(new Date(now() - Number(values[0]) * DAY_MS).toISOString());
      return op === "$more_than" ? `${field} < ?` : `${field} > ?`;
    }
    const at = Date.parse(values[0]);
    if (Number.isNaN(at)) throw invalidQuery(`${label} must be an ISO 8601 date-time, got "${values[0]}"`);
    // created_at is stored as toISOString() text, so normalising the bound value makes string order = time order.
    bound.push(new Date(at).toISOString());
    return op === "$after" ? `${field} > ?` : `${field} < ?`;
  }
  if (kind === "role") {
    for (const role of values)
      if (!ROLES.has(role)) throw invalidQuery(`${label}: unknown holder role "${role}"; allowed: ${[...ROLES].join(", ")}`);
  }
  switch (op) {
    case "$in":
    case "$not_in":
      bound.push(JSON.stringify(values));
      return `${field} ${op === "$in" ? "IN" : "NOT IN"} (SELECT value FROM json_each(?))`;
    case "$is":
      bound.push(values[0]);
      return `${field} = ?`;
    case "$is_not":
      bound.push(values[0]);
      return `${field} <> ?`;
    case "$starts_with":
    case "$ends_with":
      if (values[0] === "") return "1";
      bound.push(values[0], values[0]);
      return op === "$starts_with" ? `substr(${field}, 1, length(?)) = ?` : `substr(${field}, -length(?)) = ?`;
    default:
      throw invalidQuery(`Unsupported operator ${op}`);
  }
}
