// Upstream (snake_case) shapes, taken from the generated OpenAPI types so they are never written twice.
// Only the data source and the emulator may import this module: GraphQL types never see these shapes.
import type { components } from "./upstream.generated.js";

type Schemas = components["schemas"];

export type UpstreamHolder = Schemas["RedeemableHolder"];
export type UpstreamHolderList = Schemas["RedeemableHoldersList"];
export type UpstreamCustomerInput = Schemas["Customer"];
/** Voucherify's error body (not the data source's UpstreamError class, upstream-errors.ts). */
export type UpstreamErrorBody = Schemas["Error"];
export type UpstreamOrder = Schemas["ParameterOrderListRedeemables"];

/**
 * `GET /v1/customers/{id}` is outside the referral-holders extract; its body is the spec's Customer plus the
 * server-set fields every Voucherify customer object carries.
 */
export type UpstreamCustomer = UpstreamCustomerInput & {
  id: string;
  object: "customer";
  created_at?: string;
};
