import { Field, ID, InputType } from "type-graphql";
import { atMost } from "./input-limits.js";

@InputType({ description: "Input of removeHolder: the referral code and the holder assignment to remove." })
export class RemoveHolderInput {
  @Field(() => ID, { description: `Referral code or its voucher id. ${atMost("id")}` }) memberId!: string;
  @Field(() => ID, { nullable: true, description: `Campaign of the referral code; not empty when given. ${atMost("id")}` })
  campaignId?: string | null;
  @Field(() => ID, { description: `The holder assignment to remove (rh_...). The referrer cannot be removed. ${atMost("id")}` })
  holderId!: string;
}
