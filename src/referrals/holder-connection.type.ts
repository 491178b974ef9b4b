import { ConnectionType } from "../relay/connection.type.js";
import { ReferralHolder } from "./referral-holder.type.js";

export const HolderConnection = ConnectionType("Holder", ReferralHolder, {
  totalCount: "How many holders match the filter, over all pages.",
});
export type HolderConnection = InstanceType<typeof HolderConnection>;
