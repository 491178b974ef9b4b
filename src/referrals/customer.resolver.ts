import { Ctx, FieldResolver, Resolver, Root } from "type-graphql";
import type { GatewayContext } from "../request-context/gateway-context.js";
import { UpstreamCost, type FieldCost } from "../limits/field-cost.js";
import { Customer } from "./customer.type.js";

type CustomerField = "sourceId" | "name" | "email" | "phone";

/** Every field here is served by one read of the customer: selecting any of them costs that read once per customer. */
const CUSTOMER_READ: FieldCost = { sharedRead: "customer" };

/**
 * Customer fields (declared, with their descriptions, in customer.type.ts) come from `GET /v1/customers/{id}`
 * through the per-request loader: one call per distinct customer per operation. A failed read nulls only these
 * fields and puts the error at their path.
 */
@Resolver(() => Customer)
export class CustomerResolver {
  private async field(customer: Customer, field: CustomerField, context: GatewayContext): Promise<string | null> {
    if (customer[field] !== undefined) return customer[field] ?? null;
    const loaded = await context.loaders.customers.load(customer.id);
    return loaded[field] ?? null;
  }

  @UpstreamCost(CUSTOMER_READ)
  @FieldResolver()
  sourceId(@Root() customer: Customer, @Ctx() context: GatewayContext): Promise<string | null> {
    return this.field(customer, "sourceId", context);
  }

  @UpstreamCost(CUSTOMER_READ)
  @FieldResolver()
  name(@Root() customer: Customer, @Ctx() context: GatewayContext): Promise<string | null> {
    return this.field(customer, "name", context);
  }

  @UpstreamCost(CUSTOMER_READ)
  @FieldResolver()
  email(@Root() customer: Customer, @Ctx() context: GatewayContext): Promise<string | null> {
    return this.field(customer, "email", context);
  }

  @UpstreamCost(CUSTOMER_READ)
  @FieldResolver()
  phone(@Root() customer: Customer, @Ctx() context: GatewayContext): Promise<string | null> {
    return this.field(customer, "phone", context);
  }
}
