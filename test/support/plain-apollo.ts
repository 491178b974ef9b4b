import { ApolloServer } from "@apollo/server";
import { startStandaloneServer } from "@apollo/server/standalone";
import { Authenticator } from "../../src/auth/authenticator.js";
import type { Config } from "../../src/config.js";
import { compiledExecutionGateway } from "../../src/execution/compiled-execution.js";
import { SHIPPED_OPERATION_NAMES } from "../../src/documents/shipped-documents.generated.js";
import { buildGatewaySchema } from "../../src/graphql/schema.js";
import { requestIdFrom } from "../../src/http/request-id.js";
import { createLogger } from "../../src/observability/logger.js";
import { GatewayMetrics } from "../../src/observability/metrics.js";
import { OperationAdmission } from "../../src/plugins/operation-admission.js";
import { OperationObserver } from "../../src/plugins/operation-observer.plugin.js";
import { KeptAnswers } from "../../src/plugins/kept-answers.js";
import { createContextFactory, UpstreamAdmissions } from "../../src/request-context/context-factory.js";
import type { GatewayContext } from "../../src/request-context/gateway-context.js";
import { apolloServerOptions } from "../../src/server.js";
import { createSharedState } from "../../src/shared-state/shared-state.js";
import { UpstreamTransport, type Credentials } from "../../src/voucherify/transport.js";

export interface PlainApollo {
  /** Its GraphQL endpoint. */
  url: string;
  stop(): Promise<void>;
}

/**
 * A plain Apollo Server: the gateway's schema, Apollo options (src/server.ts's apolloServerOptions) and per-request
 * context (the same authentication, in front of the same upstream), served by Apollo's own HTTP integration
 * (startStandaloneServer). Nothing of the gateway's HTTP edge: no trusted documents, no fast path, no refusal before the
 * body, no body budget. What the gateway answers itself is compared with what this answers.
 */
export async function startPlainApollo(config: Config, upstream: { url: string; credentials: Credentials }): Promise<PlainApollo> {
  const logger = createLogger("silent");
  const metrics = new GatewayMetrics({ operationLabels: { known: SHIPPED_OPERATION_NAMES } });
  const schema = await buildGatewaySchema();
  const transport = new UpstreamTransport({ baseUrl: upstream.url, timeoutMs: config.voucherify.timeoutMs, retryBaseDelayMs: 5 });
  const shared = await createSharedState(config.sharedState, {
    callerBudgetPerMinute: config.auth.callerBudgetPerMinute,
    logger,
    metrics,
    answerFormat: KeptAnswers.formatOf(schema),
  });
  const admissions = new UpstreamAdmissions(shared, upstream.url, upstream.credentials);
  const authenticator = new Authenticator(config.auth, config.production);
  const admission = new OperationAdmission({ schema, maxCost: config.maxOperationCost, budget: shared.budget });
  const observer = new OperationObserver({ logger, metrics });
  const apollo = new ApolloServer<GatewayContext>(
    apolloServerOptions(config, { execution: compiledExecutionGateway(schema), admission, observer, logger }),
  );
  const context = createContextFactory({ config, credentials: upstream.credentials, authenticator, transport, shared, admissions });
  const { url } = await startStandaloneServer(apollo, {
    listen: { port: 0, host: "127.0.0.1" },
    context: ({ req, res }) => context(req, res, requestIdFrom(req.headers["x-request-id"]), false, undefined),
  });
  return {
    url,
    async stop() {
      await apollo.stop();
      await shared.close();
      transport.close();
    },
  };
}
