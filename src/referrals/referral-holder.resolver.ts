import { FieldResolver, Resolver, Root } from "type-graphql";
import { Customer } from "./customer.type.js";
import { ReferralHolder } from "./referral-holder.type.js";

@Resolver(() => ReferralHolder)
export class ReferralHolderResolver {
  // Only the id is known here; Customer's own resolvers fetch the rest if (and only if) it is selected.
  @FieldResolver(() => Customer, {
    description: "The customer who holds the code; fields other than id cost one upstream read per customer.",
  })
  customer(@Root() holder: ReferralHolder): Customer {
    return { id: holder.customerId };
  }
}
