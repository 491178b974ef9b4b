/**
 * The first value of an HTTP header as node:http gives it (a string, an array for a repeated header, or undefined).
 * Below http/ and voucherify/ alike: both read headers, and http/ already looks down at the data source.
 */
export function firstHeaderValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
