/**
 * JSON text of a parsed JSON value with every object's keys in sorted order: two values that differ only in the order
 * of their keys (`{"a":1,"b":2}` and `{"b":2,"a":1}`) have the same text. For keys of caches, never for answers.
 */
export function canonicalJson(value: unknown): string {
  if (typeof value !== "object" || value === null) return JSON.stringify(value) ?? "null";
  if (Array.isArray(value)) {
    let text = "[";
    for (let i = 0; i < value.length; i++) text += (i === 0 ? "" : ",") + canonicalJson(value[i]);
    return `${text}]`;
  }
  const names = Object.keys(value).sort();
  let text = "{";
  for (let i = 0; i < names.length; i++) {
    const name = names[i];
    text += `${i === 0 ? "" : ","}${JSON.stringify(name)}:${canonicalJson((value as Record<string, unknown>)[name])}`;
  }
  return `${text}}`;
}
