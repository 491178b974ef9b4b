import { Directive, Field, ID, ObjectType } from "type-graphql";

@Directive('@key(fields: "id")')
@ObjectType({ simpleResolvers: true, description: "A Voucherify customer. Fields other than id are fetched only when asked for." })
export class Customer {
  @Field(() => ID)
  id!: string;

  @Field(() => String, { nullable: true, description: "The customer's id in your own system." })
  sourceId?: string | null;

  @Field(() => String, { nullable: true })
  name?: string | null;

  @Field(() => String, { nullable: true })
  email?: string | null;

  @Field(() => String, { nullable: true })
  phone?: string | null;
}
