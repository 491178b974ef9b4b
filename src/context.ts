import type { Loaders } from "./voucherify/loaders.js";
import type { VoucherifyClient } from "./voucherify/client.js";

/** Built once per GraphQL request: its upstream client (with that request's credentials) and its loaders. */
export interface GatewayContext {
  voucherify: VoucherifyClient;
  loaders: Loaders;
  requestId: string;
}
