import type { ApolloServerPlugin } from "@apollo/server";
import type { GatewayContext } from "../request-context/gateway-context.js";
import { traceAdmission } from "../observability/admission-span.js";

/**
 * The admission plugin with each operation's didResolveOperation run inside an admission span
 * (src/observability/admission-span.ts). A wrapper, so the admission rules stay in one place and untouched.
 */
export function withAdmissionTracing(plugin: ApolloServerPlugin<GatewayContext>): ApolloServerPlugin<GatewayContext> {
  const requestDidStart = plugin.requestDidStart?.bind(plugin);
  if (!requestDidStart) return plugin;
  return {
    ...plugin,
    async requestDidStart(requestContext) {
      const listener = await requestDidStart(requestContext);
      const hook = listener?.didResolveOperation?.bind(listener);
      if (!listener || !hook) return listener;
      return { ...listener, didResolveOperation: (context) => traceAdmission(context.contextValue.caller, () => hook(context)) };
    },
  };
}
