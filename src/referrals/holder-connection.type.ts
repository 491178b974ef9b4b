import { ConnectionType } from "../relay/connection.type.js";
import { ReferralHolder } from "./referral-holder.type.js";

export const HolderConnection = ConnectionType("Holder", ReferralHolder);
export type HolderConnection = InstanceType<typeof HolderConnection>;
