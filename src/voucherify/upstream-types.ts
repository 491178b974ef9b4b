// Upstream (snake_case) shapes, taken from the generated OpenAPI types so they are never written twice.
// Only the data source and the emulator may import this module: GraphQL types never see these shapes.
import type { components } from "./upstream.generated.js";

type Schemas = components["schemas"];

export type UpstreamHolder = Schemas["RedeemableHolder"];
export type UpstreamHolderList = Schemas["RedeemableHoldersList"];
export type UpstreamAddHoldersBody = Schemas["ReferralsMembersHoldersCreateInBulkRequestBody"];
export type UpstreamAddHoldersResponse = Schemas["ReferralsMembersHoldersCreateInBulkResponseBody"];
export type UpstreamCustomerInput = Schemas["Customer"];
export type UpstreamError = Schemas["Error"];
export type UpstreamFilters = Schemas["ParameterFiltersListReferralsRedeemableHolders"];
export type UpstreamOrder = Schemas["ParameterOrderListRedeemables"];
export type UpstreamHolderRole = UpstreamHolder["holder_role"];

/**
 * `GET /v1/customers/{id}` is outside the referral-holders extract; its body is the spec's Customer plus the
 * server-set fields every Voucherify customer object carries.
 */
export type UpstreamCustomer = UpstreamCustomerInput & {
  id: string;
  object: "customer";
  created_at?: string;
};
