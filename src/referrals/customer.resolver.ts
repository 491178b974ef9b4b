import { Ctx, FieldResolver, Resolver, Root } from "type-graphql";
import type { GatewayContext } from "../context.js";
import { rethrowAsGraphQLError } from "../voucherify/error-mapping.js";
import { Customer } from "./customer.type.js";

type CustomerField = "sourceId" | "name" | "email" | "phone";

/**
 * Customer fields come from `GET /v1/customers/{id}` through the per-request loader: one call per distinct
 * customer per operation. A failed read nulls only these fields and puts the error at their path.
 */
@Resolver(() => Customer)
export class CustomerResolver {
  private async field(customer: Customer, field: CustomerField, context: GatewayContext): Promise<string | null> {
    if (customer[field] !== undefined) return customer[field] ?? null;
    const loaded = await context.loaders.customers.load(customer.id).catch(rethrowAsGraphQLError);
    return loaded[field] ?? null;
  }

  @FieldResolver(() => String, { nullable: true, description: "The customer's id in your own system." })
  sourceId(@Root() customer: Customer, @Ctx() context: GatewayContext) {
    return this.field(customer, "sourceId", context);
  }

  @FieldResolver(() => String, { nullable: true })
  name(@Root() customer: Customer, @Ctx() context: GatewayContext) {
    return this.field(customer, "name", context);
  }

  @FieldResolver(() => String, { nullable: true })
  email(@Root() customer: Customer, @Ctx() context: GatewayContext) {
    return this.field(customer, "email", context);
  }

  @FieldResolver(() => String, { nullable: true })
  phone(@Root() customer: Customer, @Ctx() context: GatewayContext) {
    return this.field(customer, "phone", context);
  }
}
