// A UTF-16 high surrogate not followed by a low one, or a low one not preceded by a high one.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Nesting of variable values; this schema's deepest input (input > holders[] > metadata > ...) is far below it. */
export const MAX_VARIABLE_DEPTH = 32;

export interface VariableProblem {
  path: string;
  problem: string;
}

/**
 * The first thing in the variables no input of this schema can hold, or null:
 * - a string that is not well-formed Unicode (a lone surrogate, which JSON's `\uD800` escape can carry): it cannot
 *   be put in an upstream URL (`encodeURIComponent` throws) or stored faithfully;
 * - nesting deeper than MAX_VARIABLE_DEPTH, which would otherwise reach recursive scalar parsers (JSONObject).
 * Checked before execution, so neither fails deep inside a resolver.
 */
export function findVariableProblem(value: unknown, path = "variables", depth = 0): VariableProblem | null {
  if (typeof value === "string")
    return LONE_SURROGATE.test(value) ? { path, problem: "is not well-formed Unicode (lone surrogate)" } : null;
  if (value === null || typeof value !== "object") return null;
  if (depth >= MAX_VARIABLE_DEPTH) return { path, problem: `is nested deeper than ${MAX_VARIABLE_DEPTH} levels` };
  const entries: [string, unknown][] = Array.isArray(value)
    ? value.map((item, i) => [`${path}[${i}]`, item])
    : Object.entries(value).map(([key, item]) => [`${path}.${key}`, item]);
  for (const [itemPath, item] of entries) {
    if (LONE_SURROGATE.test(itemPath)) return { path, problem: "has a key that is not well-formed Unicode (lone surrogate)" };
    const found = findVariableProblem(item, itemPath, depth + 1);
    if (found) return found;
  }
  return null;
}
