import { Arg, Ctx, Directive, Mutation, Resolver } from "type-graphql";
import { requiresScope, Scope } from "../auth/scopes.js";
import type { GatewayContext } from "../request-context/gateway-context.js";
import { UpstreamCost, type FieldCost } from "../limits/field-cost.js";
import { AddHoldersInput } from "./add-holders.input.js";
import { AddHoldersPayload } from "./add-holders.payload.js";
import { RemoveHolderInput } from "./remove-holder.input.js";
import { RemoveHolderPayload } from "./remove-holder.payload.js";
import { UPSTREAM_MAX_HOLDERS_PER_CALL as MAX_HOLDERS_PER_CALL } from "../voucherify/domain.js";
import { checkAddHoldersInput, checkId, checkOptionalId } from "./check-input.js";
import { isJsonObject } from "../lib/json-object.js";

/** One POST; the payload's `holders` lists as many holders as the input gives (the most allowed, when unknown). */
const ADD_HOLDERS_COST: FieldCost = {
  calls: () => 1,
  fetches: (args) => {
    const { input } = args;
    const holders = isJsonObject(input) ? input.holders : undefined;
    return Array.isArray(holders) ? Math.min(holders.length, MAX_HOLDERS_PER_CALL) : MAX_HOLDERS_PER_CALL;
  },
};

@Resolver()
export class HolderMutationsResolver {
  @Directive(requiresScope(Scope.REFERRALS_WRITE))
  @UpstreamCost(ADD_HOLDERS_COST)
  @Mutation(() => AddHoldersPayload, {
    description: "Adds 1 to 100 referees to a referral code, all or nothing; customers are upserted by sourceId.",
  })
  async addHolders(
    @Arg("input", () => AddHoldersInput, { description: "The referral code and the referees to add." }) input: AddHoldersInput,
    @Ctx() context: GatewayContext,
  ): Promise<AddHoldersPayload> {
    checkAddHoldersInput(input);
    const member = { memberId: input.memberId, campaignId: input.campaignId ?? null };
    const holders = await context.voucherify.addHolders(member, input.holders, input.metadata).catch(async (error: unknown) => {
      // Even a failed POST may have been applied upstream (a lost reply): never serve reads cached before it.
      await context.loaders.afterWrite(member.memberId, { error });
      throw error;
    });
    // Before answering: the payload's `member` and the next read on any replica see this write.
    await context.loaders.afterWrite(member.memberId, holders);
    return { holders, member: { id: member.memberId, campaignId: member.campaignId } };
  }

  @Directive(requiresScope(Scope.REFERRALS_WRITE))
  @UpstreamCost({ calls: () => 1 })
  @Mutation(() => RemoveHolderPayload, { description: "Removes a referee from a referral code. The referrer cannot be removed." })
  async removeHolder(
    @Arg("input", () => RemoveHolderInput, { description: "The referral code and the holder to remove." }) input: RemoveHolderInput,
    @Ctx() context: GatewayContext,
  ): Promise<RemoveHolderPayload> {
    checkId(input.memberId, "memberId");
    checkId(input.holderId, "holderId");
    checkOptionalId(input.campaignId, "campaignId");
    const member = { memberId: input.memberId, campaignId: input.campaignId ?? null };
    await context.voucherify.removeHolder(member, input.holderId).catch(async (error: unknown) => {
      await context.loaders.afterWrite(member.memberId, { error });
      throw error;
    });
    await context.loaders.afterWrite(member.memberId, "removed");
    return { removedHolderId: input.holderId, member: { id: member.memberId, campaignId: member.campaignId } };
  }
}
