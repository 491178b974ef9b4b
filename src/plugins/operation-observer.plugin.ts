import type { ApolloServerPlugin } from "@apollo/server";
import type { GatewayContext } from "../request-context/gateway-context.js";
import type { OperationObserver } from "../operation/operation-observer.js";
import { isJsonObject } from "../lib/json-object.js";

/** Apollo Server's adapter for the OperationObserver: one observation per response it sends. */
export function operationObserverPlugin(observer: OperationObserver): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart() {
      const startedAt = performance.now();
      return {
        async willSendResponse({ request, response, contextValue, operationName, operation }) {
          const persistedQuery: unknown = request.extensions?.persistedQuery;
          const persisted = isJsonObject(persistedQuery) ? persistedQuery.sha256Hash : undefined;
          observer.observe({
            startedAt,
            operationName: operationName ?? null,
            operationType: operation?.operation ?? null,
            documentId: typeof persisted === "string" ? persisted : null,
            status: response.http.status ?? 200,
            errors: response.body.kind === "single" ? response.body.singleResult.errors : undefined,
            context: contextValue,
          });
        },
      };
    },
  };
}
