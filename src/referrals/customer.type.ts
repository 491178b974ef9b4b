import { Directive, Field, ID, ObjectType } from "type-graphql";

@Directive('@key(fields: "id")')
@ObjectType({ simpleResolvers: true, description: "A Voucherify customer. Fields other than id are fetched only when asked for." })
export class Customer {
  @Field(() => ID, { description: "Voucherify customer id (cust_...)." })
  id!: string;

  @Field(() => String, { nullable: true, description: "The customer's id in your own system." })
  sourceId?: string | null;

  @Field(() => String, { nullable: true, description: "Full name, as stored in Voucherify." })
  name?: string | null;

  @Field(() => String, { nullable: true, description: "Email address, as stored in Voucherify." })
  email?: string | null;

  @Field(() => String, { nullable: true, description: "Phone number, as stored in Voucherify." })
  phone?: string | null;
}
