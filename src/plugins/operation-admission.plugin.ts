import type { ApolloServerPlugin } from "@apollo/server";
import type { GatewayContext } from "../request-context/gateway-context.js";
import type { OperationAdmission } from "./operation-admission.js";

/**
 * Apollo Server's adapter for the admission (operation-admission.ts, where its order is documented): it runs in
 * didResolveOperation, after validation and before execution, as it needs the variables and the caller (Apollo
 * validates a document once and caches it, so these cannot be validation rules).
 */
export function operationAdmissionPlugin(admission: OperationAdmission): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ request, document, operation, contextValue }) {
          await admission.admit(document, operation ?? undefined, request.variables, contextValue.caller);
        },
      };
    },
  };
}
