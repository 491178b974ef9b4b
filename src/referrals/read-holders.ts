import type { PageRequest } from "../relay/page-request.js";
import type { FetchedWindow } from "../relay/to-connection.js";
import type { MemberRef } from "../voucherify/client.js";
import { describeUpstreamError, upstreamDetails } from "../voucherify/error-mapping.js";
import type { HolderPageLoader } from "../voucherify/loaders.js";
import type { HolderPage } from "../voucherify/domain.js";
import { UpstreamStatusError } from "../voucherify/upstream-errors.js";
import { staleCursor } from "../errors/graphql-errors.js";
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
  let startingAfterId = request.cursorId;
  let resumes = 0;
  for (;;) {
    const wanted = request.size - items.length;
    // first: 0 still asks for one holder, because totalCount and hasNextPage come from the upstream.
    const limit = Math.min(UPSTREAM_PAGE_LIMIT, Math.max(1, wanted));
    let page: HolderPage;
    try {
      page = await loader.load({ ...member, limit, order: upstreamOrder, startingAfterId, filter });
    } catch (error) {
      if (!isRefusedStartingPoint(error)) throw error;
      if (items.length === 0) throw staleCursorError(error, request);
      if (resumes >= MAX_RESUMES) throw error;
      // The holder this read started after was removed since the previous upstream page: it is gone, so it leaves
      // the page too, and the read resumes after the holder before it.
      items.pop();
      resumes++;
      startingAfterId = items.at(-1)?.id ?? request.cursorId;
      continue;
    }
    const taken = page.holders.slice(0, Math.max(0, wanted));
    items.push(...taken);
    const leftOnPage = page.holders.length > taken.length;
    if (items.length >= request.size || !page.hasMore || page.holders.length === 0) {
      return { items, total: page.total, hasMoreBeyond: leftOnPage || page.hasMore };
    }
    startingAfterId = items.at(-1)!.id;
  }
}

/** Chained reads that may resume after their starting holder was removed, per page: beyond that, give up. */
const MAX_RESUMES = 3;

/**
 * A 400 that names `starting_after_id`: the holder a read starts after is unknown upstream (removed). The emulator
 * answers so; what Voucherify itself answers is not documented, so any other 400 is passed on unchanged.
 */
function isRefusedStartingPoint(error: unknown): error is UpstreamStatusError {
  return (
    error instanceof UpstreamStatusError && error.status === 400 && /starting_after_id/.test(upstreamDetails(400, error.body).details ?? "")
  );
}

/** The client's own cursor names a holder that is gone: say so, instead of the upstream's generic "invalid payload". */
function staleCursorError(error: UpstreamStatusError, request: PageRequest): Error {
  if (request.cursorId === null) return error;
  const argument = request.direction === "forward" ? "after" : "before";
  return staleCursor(argument, describeUpstreamError(error), error);
}
