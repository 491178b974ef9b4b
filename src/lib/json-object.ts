/** A JSON object: what parsed bodies, variables and JSON scalars are checked to be before their fields are read. */
export type JsonObject = Record<string, unknown>;

/** True for an object that is neither null nor an array. */
export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
