import "reflect-metadata";
import type { Server } from "node:http";
import { ApolloServer, type ApolloServerOptions, type ApolloServerOptionsWithGateway } from "@apollo/server";
import {
  ApolloServerPluginCacheControlDisabled,
  ApolloServerPluginInlineTraceDisabled,
  ApolloServerPluginLandingPageDisabled,
} from "@apollo/server/plugin/disabled";
import { ApolloServerPluginInlineTrace } from "@apollo/server/plugin/inlineTrace";
import { ApolloServerPluginLandingPageLocalDefault } from "@apollo/server/plugin/landingPage/default";
import { startAppDeployments, type AppDeployments } from "./app-deployments/app-deployments.js";
import { Authenticator, routerRecognised } from "./auth/authenticator.js";
import type { Config } from "./config.js";
import type { GatewayContext } from "./request-context/gateway-context.js";
import { createContextFactory, TenantGates } from "./request-context/context-factory.js";
import { loadTrustedDocuments, TrustedDocumentsError } from "./documents/load-trusted-documents.js";
import { SHIPPED_OPERATION_NAMES } from "./documents/shipped-documents.generated.js";
import type { TrustedDocuments } from "./documents/trusted-document.js";
import { BodyBudget } from "./http/body-budget.js";
import { createCors } from "./http/cors.js";
import { HttpDrain } from "./http/drain.js";
import { DEFAULT_LINGERING_LIMITS, LingeringClose, type LingeringLimits } from "./http/lingering-close.js";
import { createGraphQLHandler } from "./http/graphql-handler.js";
import { createHttpServer } from "./http/http-server.js";
import { createMetricsEndpoint } from "./http/metrics-endpoint.js";
import { ReadinessProbe } from "./http/readiness.js";
import { gatewayRoutes, metricsRoutes } from "./http/routes.js";
import { SANDBOX_INITIAL_DOCUMENT, SANDBOX_INITIAL_VARIABLES } from "./graphql/landing-page.js";
import { createLogger, droppedLogLines, type Logger } from "./observability/logger.js";
import { GatewayMetrics } from "./observability/metrics.js";
import { RefusalLog } from "./observability/refusal-log.js";
import { observeUpstreamCalls } from "./observability/upstream-call-log.js";
import { startTracing } from "./observability/tracing.js";
import { operationObserverPlugin } from "./plugins/operation-observer.plugin.js";
import { OperationObserver } from "./operation/operation-observer.js";
import { errorMaskingPlugin } from "./plugins/error-masking.plugin.js";
import { formatApolloRequestError } from "./operation/error-masking.js";
import { DOCUMENT_PARSE_OPTIONS, DOCUMENT_VALIDATION_RULES, OperationAdmission } from "./operation/operation-admission.js";
import { operationAdmissionPlugin } from "./plugins/operation-admission.plugin.js";
import { KeptAnswers } from "./operation/kept-answers.js";
import { compiledExecutionGateway } from "./execution/compiled-execution.js";
import { TrustedExecution } from "./execution/trusted-execution.js";
import { RepeatedDocumentTexts } from "./execution/repeated-documents.js";
import { documentTextKey } from "./documents/document-text-key.js";
import { buildGatewaySchema } from "./graphql/schema.js";
import { createSharedState, type SharedState } from "./shared-state/shared-state.js";
import { Disposers } from "./lib/disposers.js";
import { listen } from "./lib/listen.js";
import { VoucherifyClient } from "./voucherify/client.js";
import { UpstreamTransport, type Credentials } from "./voucherify/transport.js";
import { messageOf } from "./lib/thrown.js";

/** How long stop() lets requests in flight finish before it cuts their connections. */
export const SHUTDOWN_GRACE_MS = 10_000;

export interface GatewayOptions {
  config: Config;
  /** Upstream base URL: the configured Voucherify URL, or the embedded emulator's. */
  upstreamUrl: string;
  /** Server-side credentials; null only when clients must bring their own. */
  credentials: Credentials | null;
  logger?: Logger;
  /** Upstream retry backoff base (tests shorten it). */
  retryBaseDelayMs?: number;
  /** How long stop() lets in-flight requests finish before closing their connections. */
  shutdownGraceMs?: number;
  /** Least time between two JWKS fetches for unknown key ids (tests shorten it; jose's default is 30 s). */
  jwksCooldownMs?: number;
  /** Time between JWKS fetches while the key server fails (tests shorten it; 5 s). */
  jwksRetryMs?: number;
  /** Bounds of reading a refused body before closing (tests shorten them; src/http/lingering-close.ts has the defaults). */
  lingering?: Partial<LingeringLimits>;
  /**
   * false: trusted documents run on Apollo Server's pipeline (their registered text, as any request) instead of the
   * fast path. For the equivalence suite, which compares the two; default true.
   */
  fastPath?: boolean;
  /** The schema and trusted documents, when the caller has built and checked them already (prepareGateway). */
  prepared?: PreparedGateway;
  /** Milliseconds since the epoch, for the caches' TTLs: tests move it instead of waiting. Date.now by default. */
  now?: () => number;
}

export interface GatewayHandle {
  /** http://host:port, no trailing slash */
  url: string;
  graphqlUrl: string;
  /** Where GET /metrics is served: on the main port, on METRICS_PORT's own listener, or nowhere (production without either). */
  metricsUrl: string | null;
  port: number;
  server: Server;
  transport: UpstreamTransport;
  /** Bytes of request bodies being received right now (HTTP_MAX_BUFFERED_BODY_BYTES caps it). */
  bodyBudget: BodyBudget;
  /** Counters and histograms of this gateway (tests read them directly). */
  metrics: GatewayMetrics;
  /** The trusted documents' fast path; null when there are no trusted documents or it is off. */
  fastPath: TrustedExecution | null;
  /**
   * The trusted documents served now (shipped operations, TRUSTED_DOCUMENTS and published app deployments), and how
   * many came from the manifests.
   */
  trustedDocuments: { documents: TrustedDocuments; fromManifests: number };
  /** App deployments: where the registry is, how many are served, whether the set is current (src/app-deployments). */
  appDeployments: Pick<AppDeployments, "location" | "status" | "publishedCount">;
  /**
   * How many operations graphql-jit has compiled and keeps (src/execution): behind Apollo Server, and general documents
   * that repeat, on the fast path. Tests check the compiled path runs.
   */
  readonly compiledOperations: number;
  /** Stops accepting connections, lets in-flight operations finish (bounded), then closes upstream sockets. */
  stop(): Promise<void>;
}

/** What the gateway serves, built and checked before anything opens: the schema and the trusted documents. */
export interface PreparedGateway {
  schema: Awaited<ReturnType<typeof buildGatewaySchema>>;
  /** Every trusted document, and every problem found with them (listed, not thrown). */
  trusted: ReturnType<typeof loadTrustedDocuments>;
}

/**
 * Builds the schema and checks the trusted documents against it, opening nothing: main.ts reports their problems in
 * the same pass as the configuration's, then hands the result to startGateway.
 */
export async function prepareGateway(config: Config): Promise<PreparedGateway> {
  const schema = await buildGatewaySchema();
  const trusted = loadTrustedDocuments({ schema, manifests: config.trustedDocuments.manifests, maxCost: config.maxOperationCost });
  return { schema, trusted };
}

export async function startGateway(options: GatewayOptions): Promise<GatewayHandle> {
  const { config } = options;
  const logger =
    options.logger ??
    createLogger(config.logLevel, { traceContext: config.tracing !== null, maxBufferedBytes: config.logMaxBufferedBytes });
  // First, before any socket or store opens: a bad trusted document refuses the start (main.ts: exit 2).
  const { schema, trusted } = options.prepared ?? (await prepareGateway(config));
  if (trusted.problems.length > 0) throw new TrustedDocumentsError(trusted.problems);
  // Each part that opens something registers its closing at once: stop() closes them in reverse, and so does a
  // start that fails halfway, so it leaves no connection, socket or timer behind.
  const disposers = new Disposers();
  try {
    return await startParts(options, logger, schema, trusted, disposers);
  } catch (error) {
    await disposers
      .disposeAll()
      .catch((cleanupError: unknown) => logger.error({ err: cleanupError }, "cleanup after a failed start failed"));
    throw error;
  }
}

async function startParts(
  options: GatewayOptions,
  logger: Logger,
  schema: PreparedGateway["schema"],
  trusted: PreparedGateway["trusted"],
  disposers: Disposers,
): Promise<GatewayHandle> {
  const { config } = options;
  // Before anything else is built: it asks whether spans are made (the SDK is loaded only with an endpoint).
  // Closed last: spans of the requests drained on stop are exported before the process goes.
  const tracing = await startTracing(config.tracing, logger);
  disposers.add(() => tracing.shutdown());
  // The shipped operations always have their own label, whatever names clients send before them.
  const metrics = new GatewayMetrics({ operationLabels: { known: SHIPPED_OPERATION_NAMES } });
  metrics.countLogLinesDropped(() => droppedLogLines(logger));
  const { transport, shared, tenantGates, answers } = await startUpstream(options, { schema, logger, metrics }, disposers);
  // Refused requests (401, 403, 429, 503 ...) at warn, at most one line per class every few seconds.
  const refusals = new RefusalLog(logger);
  disposers.add(() => refusals.close());
  const authenticator = startAuthenticator(options, { logger, metrics, refusals }, disposers);
  const readiness = new ReadinessProbe(
    options.credentials ? new VoucherifyClient(transport, options.credentials, { tenantGate: tenantGates.of(options.credentials) }) : null,
    {
      cacheStatus: () => shared.status(),
      keyStatus: () => authenticator.keyStatus(),
      onChecked: (ready) => metrics.recordReadiness(ready),
      // Started below, before the server listens: a probe cannot come earlier.
      appDeploymentsStatus: () => appDeployments.status,
    },
  );
  const { apollo, fastPath, execution, repeated } = await startExecutionPaths(
    options,
    { schema, trusted: trusted.documents, logger, metrics, refusals, shared, answers },
    disposers,
  );
  // The published app deployments, loaded before the server listens and kept in step with the registry: the handler
  // reads the served set per request, new documents prepared for the fast path before they are served.
  const appDeployments = await startAppDeployments({
    config,
    schema,
    base: trusted.documents,
    prepare: (documents) => fastPath?.prepare(documents),
    metrics: metrics.registry,
    logger,
  });
  disposers.add(() => appDeployments.close());
  const bodyBudget = new BodyBudget(config.http.maxBufferedBodyBytes);
  const handleGraphQL = createGraphQLHandler(apollo, {
    bodyBudget,
    documents: appDeployments.documents,
    safelist: config.trustedDocuments.only,
    runTrusted: fastPath?.run ?? null,
    repeated,
    lingering: new LingeringClose({ ...DEFAULT_LINGERING_LIMITS, ...options.lingering }),
    landingPage: config.landingPage,
    onTrustedDocument: appDeployments.record,
    onRefusal: (refusal) => refusals.refused(refusal),
  });
  const serveMetrics = createMetricsEndpoint(metrics, config.metrics.token);
  const { server, port, url } = await startGatewayListener(
    options,
    {
      cors: config.corsOrigins.length > 0 ? createCors(config.corsOrigins) : null,
      authenticator,
      handleGraphQL,
      context: createContextFactory({ config, credentials: options.credentials, authenticator, transport, shared, tenantGates }),
      readiness,
      serveMetrics: config.metrics.served === "public-port" ? serveMetrics : null,
      logger,
    },
    disposers,
  );
  const metricsUrl =
    config.metrics.port !== null
      ? await startMetricsListener(config, config.metrics.port, { serveMetrics, logger }, disposers)
      : config.metrics.served === "public-port"
        ? `${url}/metrics`
        : null;

  let stopping: Promise<void> | null = null;
  return {
    url,
    graphqlUrl: `${url}/graphql`,
    metricsUrl,
    port,
    server,
    transport,
    bodyBudget,
    metrics,
    fastPath,
    trustedDocuments: { documents: appDeployments.documents, fromManifests: trusted.fromManifests },
    appDeployments,
    get compiledOperations() {
      return execution.compiledCount + (repeated?.preparedCount ?? 0);
    },
    stop() {
      stopping ??= disposers.disposeAll();
      return stopping;
    },
  };
}

/**
 * What reaches the upstream: the transport (undici), the state replicas share (cache, quota, budgets, kept answers)
 * and whose quota each client spends at its gate (TenantGates). Every upstream call is logged and counted.
 */
async function startUpstream(
  options: GatewayOptions,
  parts: { schema: PreparedGateway["schema"]; logger: Logger; metrics: GatewayMetrics },
  disposers: Disposers,
): Promise<{ transport: UpstreamTransport; shared: SharedState; tenantGates: TenantGates; answers: KeptAnswers | null }> {
  const { config } = options;
  const { schema, logger, metrics } = parts;
  const transport = new UpstreamTransport({
    baseUrl: options.upstreamUrl,
    timeoutMs: config.voucherify.timeoutMs,
    maxConcurrency: config.voucherify.maxConcurrency,
    retryBaseDelayMs: options.retryBaseDelayMs,
  });
  disposers.add(() => transport.close());
  metrics.upstreamQuotaPerMinute.set(config.sharedState.quotaPerMinute ?? 0);
  const shared = await createSharedState(config.sharedState, {
    callerBudgetPerMinute: config.auth.callerBudgetPerMinute,
    logger,
    metrics,
    answerFormat: KeptAnswers.formatOf(schema),
    now: options.now,
  });
  disposers.add(() => shared.close());
  observeUpstreamCalls(transport, { logger, metrics });
  return {
    transport,
    shared,
    tenantGates: new TenantGates(shared, options.upstreamUrl, options.credentials),
    // Answers kept whole, for both execution paths (src/operation/kept-answers.ts); null when off.
    answers: shared.answers ? new KeptAnswers(shared.answers, documentTextKey) : null,
  };
}

/**
 * The two ways an operation runs, with one admission and one observer between them: Apollo Server (operations
 * compiled by graphql-jit once seen) and, unless options.fastPath is false, the trusted documents' fast path.
 */
async function startExecutionPaths(
  options: GatewayOptions,
  parts: {
    schema: PreparedGateway["schema"];
    trusted: TrustedDocuments;
    logger: Logger;
    metrics: GatewayMetrics;
    refusals: RefusalLog;
    shared: SharedState;
    answers: KeptAnswers | null;
  },
  disposers: Disposers,
): Promise<{
  apollo: ApolloServer<GatewayContext>;
  fastPath: TrustedExecution | null;
  execution: ReturnType<typeof compiledExecutionGateway>;
  /** General documents that repeat, run on the fast path once seen often enough; null with the fast path off. */
  repeated: RepeatedDocumentTexts | null;
}> {
  const { config } = options;
  const { schema, logger, metrics, refusals, shared, answers } = parts;
  // One admission (src/operation/operation-admission.ts documents its order) for every path an operation can take.
  const admission = new OperationAdmission({
    schema,
    maxCost: config.maxOperationCost,
    budget: shared.budget,
    onBudgetRefusal: () => metrics.callerBudgetRefusals.inc(),
    onRefusal: (refusal) => refusals.refused(refusal),
  });
  const observer = new OperationObserver({ logger, metrics });
  const execution = compiledExecutionGateway(schema);
  const apollo = new ApolloServer<GatewayContext>(apolloServerOptions(config, { execution, admission, observer, logger, answers }));
  await apollo.start();
  disposers.add(() => apollo.stop());
  // Every trusted document compiled now, and everything else that depends on its text alone (src/execution).
  const fastPath =
    options.fastPath !== false
      ? new TrustedExecution(parts.trusted, {
          schema,
          admission,
          observer,
          metrics,
          logger,
          mask: config.production,
          introspection: config.introspection,
          includeStacktrace: !config.production,
          answers,
        })
      : null;
  const repeated = fastPath ? new RepeatedDocumentTexts(schema, config.maxOperationCost, fastPath.prepareRepeated) : null;
  return { apollo, fastPath, execution, repeated };
}

/** Who is calling: JWTs (their key source watched from now on) and the router's secret. */
function startAuthenticator(
  options: GatewayOptions,
  parts: { logger: Logger; metrics: GatewayMetrics; refusals: RefusalLog },
  disposers: Disposers,
): Authenticator {
  const { config } = options;
  const { logger, metrics, refusals } = parts;
  const authenticator = new Authenticator(config.auth, config.production, {
    logger,
    jwksCooldownMs: options.jwksCooldownMs,
    jwksRetryMs: options.jwksRetryMs,
    onKeyFetchFailure: () => metrics.authKeyFetchFailures.inc(),
    onRefusal: (refusal) => refusals.refused(refusal),
  });
  // The JWKS is fetched now, in the background: a key server down at start is logged at once; /readyz waits for it.
  authenticator.start();
  disposers.add(() => authenticator.close());
  return authenticator;
}

/** The main listener (GraphQL, probes, and /metrics unless it has its own port), listening on PORT and HOST. */
async function startGatewayListener(
  options: GatewayOptions,
  routes: Omit<Parameters<typeof gatewayRoutes>[0], "drain">,
  disposers: Disposers,
): Promise<{ server: Server; port: number; url: string }> {
  const { config } = options;
  const drain = new HttpDrain();
  const server = createHttpServer(config.http, gatewayRoutes({ drain, ...routes }));
  const { port, url } = await listen(server, config.port, config.host);
  // Let in-flight operations finish (bounded), then close their connections.
  disposers.add(() => drain.drain(server, options.shutdownGraceMs ?? SHUTDOWN_GRACE_MS));
  // After listening a server error has no caller to reject: it is logged, never swallowed nor fatal.
  server.on("error", (error) => routes.logger.error({ err: error }, "HTTP server error"));
  return { server, port, url };
}

/**
 * METRICS_PORT: /metrics on its own listener (same HOST), so operators can firewall it apart from GraphQL. Returns
 * where it serves /metrics.
 */
async function startMetricsListener(
  config: Config,
  metricsPort: number,
  routes: Parameters<typeof metricsRoutes>[0],
  disposers: Disposers,
): Promise<string> {
  const listener = createHttpServer(config.http, metricsRoutes(routes));
  const metricsAddress = await listen(listener, metricsPort, config.host).catch((error: unknown) => {
    throw new Error(`METRICS_PORT ${metricsPort} on ${config.host}: ${messageOf(error)}`, {
      cause: error,
    });
  });
  // Scrapes are short and idempotent: no grace for them.
  disposers.add(async () => {
    const closed = new Promise<void>((resolve) => listener.close(() => resolve()));
    listener.closeAllConnections();
    await closed;
  });
  listener.on("error", (error) => routes.logger.error({ err: error }, "metrics server error"));
  return `${metricsAddress.url}/metrics`;
}

/**
 * Apollo Server's options for this gateway: the gateway's server is built from them, and so is the plain Apollo Server
 * the equivalence suite compares the gateway's own answers with (test/support/plain-apollo.ts).
 */
export function apolloServerOptions(
  config: Config,
  parts: {
    execution: ApolloServerOptionsWithGateway<GatewayContext>["gateway"];
    admission: OperationAdmission;
    observer: OperationObserver;
    logger: Logger;
    /** Answers kept whole (src/operation/kept-answers.ts); absent or null: off. */
    answers?: KeptAnswers | null;
  },
): ApolloServerOptions<GatewayContext> {
  const { execution, admission, observer, logger, answers = null } = parts;
  return {
    // Apollo's one hook for a custom executor: operations run compiled by graphql-jit once seen (src/execution).
    gateway: execution,
    introspection: config.introspection,
    // No "Did you mean ...?" in production: suggestions let a client rebuild the schema with introspection off.
    hideSchemaDetailsFromClientErrors: config.production,
    // Shutdown belongs to the process (main.ts drains HTTP first); Apollo's own signal handlers would race it.
    stopOnTerminationSignals: false,
    includeStacktraceInErrorResponses: !config.production,
    formatError: formatApolloRequestError,
    logger,
    // The admission's per-document steps (tokens at parse time, depth and aliases as validation rules); its
    // per-request steps run in operationAdmissionPlugin. Batched HTTP requests (JSON arrays) stay off, as Apollo defaults.
    parseOptions: DOCUMENT_PARSE_OPTIONS,
    validationRules: DOCUMENT_VALIDATION_RULES,
    allowBatchedHttpRequests: false,
    // Safelisting: automatic persisted queries would register any document by its hash; off, as in Apollo Router.
    ...(config.trustedDocuments.only ? { persistedQueries: false as const } : {}),
    plugins: [
      config.landingPage
        ? ApolloServerPluginLandingPageLocalDefault({
            // No telemetry from Sandbox: people explore customer data here.
            embed: { runTelemetry: false },
            document: SANDBOX_INITIAL_DOCUMENT,
            variables: SANDBOX_INITIAL_VARIABLES,
            footer: false,
          })
        : ApolloServerPluginLandingPageDisabled(),
      // Inline traces (ftv1) for the router only: routes.ts drops the asking header from anyone else. Installed here,
      // not left to Apollo, whose own install logs "Enabling inline tracing for this subgraph" at every start beside
      // the banner; where no request can be the router's (production without ROUTER_SECRET) they are off altogether.
      routerRecognised(config.auth, config.production) ? ApolloServerPluginInlineTrace() : ApolloServerPluginInlineTraceDisabled(),
      errorMaskingPlugin({ mask: config.production, logger }),
      operationAdmissionPlugin(admission, answers),
      operationObserverPlugin(observer),
      // Apollo's default cache-control plugin wraps every field resolver of the schema (about 150 calls for a
      // 10-holder page) to compute a policy that is always "no-store" here (no @cacheControl hints): about 14% of
      // the gateway's CPU per request (test/bench). The HTTP handler sends the same `cache-control: no-store`.
      ApolloServerPluginCacheControlDisabled(),
    ],
  };
}
