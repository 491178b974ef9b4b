/**
 * Whether `value` is one of `values`, as a type guard: a string read from outside (a setting, a stored record, an
 * upstream body, a command line) is then typed as one of the literals, without a cast.
 */
export function isOneOf<const T>(values: readonly T[], value: unknown): value is T {
  return values.some((candidate) => candidate === value);
}
