import type { HolderCriteria } from "./domain.js";

/**
 * Holder conditions -> Voucherify's deepObject query parameters, e.g.
 * `filters[holder_role][conditions][$in][0]=REFEREE&filters[junction]=and`.
 * Returned as [key, value] pairs in a stable order, so equal filters give equal query strings (and cache keys).
 */
export function encodeHolderFilter(filter: HolderCriteria | null | undefined): [string, string][] {
  if (!filter) return [];
  const pairs: [string, string][] = [];
  const list = (field: string, values: readonly string[] | null | undefined) => {
    values?.forEach((value, index) => pairs.push([`filters[${field}][conditions][$in][${index}]`, value]));
  };
  list("holder_role", filter.roles);
  list("customer_id", filter.customerIds);
  list("id", filter.holderIds);
  if (filter.createdAfter) pairs.push(["filters[created_at][conditions][$after]", filter.createdAfter.toISOString()]);
  if (filter.createdBefore) pairs.push(["filters[created_at][conditions][$before]", filter.createdBefore.toISOString()]);
  if (pairs.length > 0 && filter.junction) pairs.push(["filters[junction]", filter.junction.toLowerCase()]);
  return pairs;
}
