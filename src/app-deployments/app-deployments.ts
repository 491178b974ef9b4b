import type { IncomingHttpHeaders } from "node:http";
import type { GraphQLSchema } from "graphql";
import type { Registry } from "prom-client";
import type { Config } from "../config.js";
import { LiveTrustedDocuments } from "../documents/live-trusted-documents.js";
import type { TrustedDocument, TrustedDocuments } from "../documents/trusted-document.js";
import type { Logger } from "../observability/logger.js";
import { AppDeploymentMetrics } from "./app-deployment-metrics.js";
import { AppDeploymentSync, type AppDeploymentsStatus } from "./deployment-sync.js";
import { openAppDeploymentRegistry } from "./open-registry.js";
import { DeploymentDocuments } from "./served-documents.js";
import { UsageRecorder } from "./usage-recorder.js";

/** Longest a starting gateway waits for the registry's Redis before it starts without the published set. */
const CONNECT_WAIT_MS = 2000;

/** A gateway's app deployments: the documents it serves now, and what it tells about them. */
export interface AppDeployments {
  /** The served trusted documents (shipped, TRUSTED_DOCUMENTS, published deployments): the HTTP handler reads them. */
  readonly documents: TrustedDocuments;
  /** Where the registry is (the banner). */
  readonly location: string;
  readonly status: AppDeploymentsStatus;
  readonly publishedCount: number;
  /** Counts one request for a trusted document (the HTTP handler, once the document is resolved). */
  readonly record: (document: TrustedDocument, headers: IncomingHttpHeaders) => void;
  close(): Promise<void>;
}

/**
 * Opens the registry this gateway's settings name (Redis when it shares state, else APP_DEPLOYMENTS_DIR), loads and
 * serves the published set beside `base`, and keeps it in step (AppDeploymentSync).
 */
export async function startAppDeployments(options: {
  config: Config;
  schema: GraphQLSchema;
  /** The shipped operations and TRUSTED_DOCUMENTS, checked at start. */
  base: TrustedDocuments;
  /** Prepares documents for the fast path (null: there is none). */
  prepare: (documents: readonly TrustedDocument[]) => void;
  metrics: Registry;
  logger: Logger;
}): Promise<AppDeployments> {
  const { config, logger } = options;
  // The client reconnects by itself; its failures show as failed polls (logged once per outage).
  const registry = openAppDeploymentRegistry(config, () => {});
  const metrics = new AppDeploymentMetrics(options.metrics);
  const live = new LiveTrustedDocuments(options.base);
  const usage = new UsageRecorder(
    (counts) => registry.addUsage(counts),
    (deployment, requests) => metrics.countRequests(deployment, requests),
  );
  const sync = new AppDeploymentSync({
    registry,
    documents: new DeploymentDocuments({ schema: options.schema, maxCost: config.maxOperationCost, base: options.base }),
    live,
    prepare: options.prepare,
    usage,
    metrics,
    logger,
  });
  await sync.start(CONNECT_WAIT_MS);
  return {
    documents: live,
    location: registry.location,
    get status() {
      return sync.status;
    },
    get publishedCount() {
      return sync.publishedCount;
    },
    record: usage.record,
    close: () => sync.close(),
  };
}
