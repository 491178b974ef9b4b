import type { ApolloServerPlugin } from "@apollo/server";
import type { GatewayContext } from "../request-context/gateway-context.js";
import type { Logger } from "../observability/logger.js";
import { logUnexpectedErrors, maskUnexpectedErrors } from "../operation/error-masking.js";

/**
 * Unexpected errors (bugs, not the error table) are logged in full with the request id, and, when `mask` is on,
 * reach the client only as a stable message plus that id as `correlationId`.
 */
export function errorMaskingPlugin(options: { mask: boolean; logger: Logger }): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart() {
      return {
        async didEncounterErrors({ errors, contextValue }) {
          logUnexpectedErrors(errors, contextValue?.requestId, options.logger);
        },
        async willSendResponse({ response, contextValue }) {
          if (!options.mask || response.body.kind !== "single") return;
          const result = response.body.singleResult;
          if (result.errors) result.errors = maskUnexpectedErrors(result.errors, contextValue?.requestId);
        },
      };
    },
  };
}
