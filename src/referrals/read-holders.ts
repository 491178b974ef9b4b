import type { PageRequest } from "../relay/page-request.js";
import type { FetchedWindow } from "../relay/to-connection.js";
import type { MemberRef } from "../voucherify/client.js";
import type { HolderPageLoader } from "../voucherify/loaders.js";
import type { UpstreamOrder } from "../voucherify/upstream-types.js";
import { HolderOrder } from "./enums.js";
import type { HolderFilter } from "./holder-filter.input.js";
import type { ReferralHolder } from "./referral-holder.type.js";

/** The upstream's largest `limit`. */
export const UPSTREAM_PAGE_LIMIT = 100;

const UPSTREAM_ORDER: Record<HolderOrder, UpstreamOrder> = { [HolderOrder.ID_ASC]: "id", [HolderOrder.ID_DESC]: "-id" };
const REVERSED: Record<UpstreamOrder, UpstreamOrder> = { id: "-id", "-id": "id" };

/**
 * Reads one connection page upstream. Backward pages read the reversed order starting after the `before`
 * holder (the caller reverses them back); pages above the upstream limit chain upstream pages of 100.
 */
export async function readHolderWindow(
  loader: HolderPageLoader,
  member: MemberRef,
  order: HolderOrder,
  filter: HolderFilter | null | undefined,
  request: PageRequest,
): Promise<FetchedWindow<ReferralHolder>> {
  const forwardOrder = UPSTREAM_ORDER[order];
  const upstreamOrder = request.direction === "forward" ? forwardOrder : REVERSED[forwardOrder];
  const items: ReferralHolder[] = [];
  let startingAfterId = request.cursorHolderId;
  for (;;) {
    const wanted = request.size - items.length;
    // first: 0 still asks for one holder, because totalCount and hasNextPage come from the upstream.
    const limit = Math.min(UPSTREAM_PAGE_LIMIT, Math.max(1, wanted));
    const page = await loader.load({ ...member, limit, order: upstreamOrder, startingAfterId, filter });
    const taken = page.holders.slice(0, Math.max(0, wanted));
    items.push(...taken);
    const leftOnPage = page.holders.length > taken.length;
    if (items.length >= request.size || !page.hasMore || page.holders.length === 0) {
      return { items, total: page.total, hasMoreBeyond: leftOnPage || page.hasMore };
    }
    startingAfterId = page.nextStartingAfter;
  }
}
