import { Directive, Field, ID, ObjectType } from "type-graphql";
import { AUTHENTICATED, requiresScope, Scope } from "../auth/scopes.js";

@Directive('@key(fields: "id")')
@Directive(AUTHENTICATED)
@ObjectType({ simpleResolvers: true, description: "A Voucherify customer. Fields other than id are fetched only when asked for." })
export class Customer {
  @Field(() => ID, { description: "Voucherify customer id (cust_...)." })
  id!: string;

  @Directive(requiresScope(Scope.CUSTOMERS_READ))
  @Field(() => String, { nullable: true, description: "The customer's id in your own system." })
  sourceId?: string | null;

  @Directive(requiresScope(Scope.CUSTOMERS_READ))
  @Field(() => String, { nullable: true, description: "Full name, as stored in Voucherify." })
  name?: string | null;

  @Directive(requiresScope(Scope.CUSTOMERS_READ))
  @Field(() => String, { nullable: true, description: "Email address, as stored in Voucherify." })
  email?: string | null;

  @Directive(requiresScope(Scope.CUSTOMERS_READ))
  @Field(() => String, { nullable: true, description: "Phone number, as stored in Voucherify." })
  phone?: string | null;
}
