import type { Caller } from "../auth/caller.js";
import type { Loaders } from "../voucherify/loaders.js";
import type { VoucherifyClient } from "../voucherify/client.js";

/** Built once per GraphQL request: who is calling, its upstream client (with that request's credentials), its loaders. */
export interface GatewayContext {
  caller: Caller;
  voucherify: VoucherifyClient;
  loaders: Loaders;
  requestId: string;
}
