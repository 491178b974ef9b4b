import type { Caller } from "../auth/caller.js";
import type { Loaders, SharedReads } from "../voucherify/loaders.js";
import type { VoucherifyClient } from "../voucherify/client.js";
import type { UnsampledTrace } from "../observability/request-trace.js";

/** Built once per GraphQL request: who is calling, its upstream client (with that request's credentials), its loaders. */
export interface GatewayContext {
  caller: Caller;
  voucherify: VoucherifyClient;
  loaders: Loaders;
  requestId: string;
  /** This request's use of the shared cache: whose entries, no-cache or not, what its answer was built from. */
  reads: SharedReads;
  /** What became of this query's answer among the answers kept whole (src/plugins/kept-answers.ts); unset: not looked up. */
  keptAnswer?: "hit" | "miss" | "bypass";
  /** The request's trace ids when tracing is on and it is not sampled (its log lines name them); undefined otherwise. */
  trace?: UnsampledTrace;
}
