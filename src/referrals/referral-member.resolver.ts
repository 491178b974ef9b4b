import { Arg, Args, Ctx, Directive, FieldResolver, ID, Query, Resolver, Root } from "type-graphql";
import { requiresScope, Scope } from "../auth/scopes.js";
import type { GatewayContext } from "../request-context/gateway-context.js";
import { pageSizeOf, toPageRequest } from "../relay/page-request.js";
import { toConnection } from "../relay/to-connection.js";
import { UpstreamCost, type FieldCost } from "../limits/field-cost.js";
import { HolderOrder } from "./enums.js";
import { decodeCursor, encodeCursor } from "./holder-cursor.js";
import { HolderConnection } from "./holder-connection.type.js";
import { HoldersArgs } from "./holders.args.js";
import { readHolderWindow, UPSTREAM_PAGE_LIMIT } from "./read-holders.js";
import { ReferralMember } from "./referral-member.type.js";
import { atMost } from "./input-limits.js";
import { checkHolderFilter, checkId, checkOptionalId } from "./check-input.js";

/** A page above the upstream's 100 chains upstream pages; a size the resolver refuses never goes upstream. */
const HOLDER_PAGE_COST: FieldCost = {
  calls: (args) => {
    const size = pageSizeOf(args);
    return size === null ? null : Math.ceil(Math.max(1, size) / UPSTREAM_PAGE_LIMIT);
  },
  fetches: (args) => pageSizeOf(args) ?? 0,
};

@Resolver(() => ReferralMember)
export class ReferralMemberResolver {
  @Query(() => ReferralMember, {
    description: "A referral code's membership. Costs no upstream call until `holders` is selected.",
  })
  referralMember(
    @Arg("memberId", () => ID, { description: `Referral code (for example WELCOME-REF) or its voucher id (v_...). ${atMost("id")}` })
    memberId: string,
    @Arg("campaignId", () => ID, {
      nullable: true,
      description: `Reads through the campaign-scoped upstream path. Not empty when given. ${atMost("id")}`,
    })
    campaignId?: string | null,
  ): ReferralMember {
    return { id: checkId(memberId, "memberId"), campaignId: checkOptionalId(campaignId, "campaignId") };
  }

  @Directive(requiresScope(Scope.REFERRALS_READ))
  @UpstreamCost(HOLDER_PAGE_COST)
  // Nullable so that a failed read (an unknown code, an upstream fault) nulls only this member's holders, with the
  // error at its path: sibling aliases and the rest of a federated response stand.
  @FieldResolver(() => HolderConnection, {
    nullable: true,
    description:
      "Holders of the code, Relay-style: first/after forwards, last/before backwards, up to 500 per page. " +
      "Null, with an error at this path, when they cannot be read (for example an unknown code).",
  })
  async holders(
    @Root() member: ReferralMember,
    @Args(() => HoldersArgs) args: HoldersArgs,
    @Ctx() context: GatewayContext,
  ): Promise<HolderConnection> {
    const request = toPageRequest(args, (cursor, argument) => decodeCursor(cursor, member.id, argument));
    checkHolderFilter(args.filter);
    const window = await readHolderWindow(
      context.loaders.holderPages,
      { memberId: member.id, campaignId: member.campaignId },
      args.order ?? HolderOrder.ID_ASC,
      args.filter,
      request,
    );
    return toConnection(window, request, (holder) => encodeCursor(member.id, holder.id));
  }
}
