import { Counter, Gauge, type Registry } from "prom-client";
import { deploymentId, type DeploymentKey } from "./deployment.js";
import type { DeploymentDocumentCounts } from "./served-documents.js";

/**
 * App deployments in /metrics, on the gateway's registry. Labelled by deployment name and version only while the
 * deployment is published here: a retired one's series go, so their number is bounded by what is published.
 */
export class AppDeploymentMetrics {
  readonly published: Gauge;
  readonly documents: Gauge<"deployment" | "version" | "status">;
  readonly requests: Counter<"deployment" | "version">;
  readonly stale: Gauge;
  readonly syncErrors: Counter;
  /** The deployments labelled now (`name@version`). */
  private labelled = new Map<string, DeploymentKey>();

  constructor(registry: Registry) {
    const registers = [registry];
    this.published = new Gauge({
      name: "gateway_app_deployments_published",
      help: "App deployments this gateway serves (published in the registry, as last loaded).",
      registers,
    });
    this.documents = new Gauge({
      name: "gateway_app_deployment_documents",
      help: "Documents of each published app deployment, by status: served, or unservable (this gateway's checks refuse them).",
      labelNames: ["deployment", "version", "status"] as const,
      registers,
    });
    this.requests = new Counter({
      name: "gateway_app_deployment_requests_total",
      help: "Requests for the documents of each published app deployment, counted by this gateway.",
      labelNames: ["deployment", "version"] as const,
      registers,
    });
    this.stale = new Gauge({
      name: "gateway_app_deployments_stale",
      help: "1 while the app deployments' registry cannot be read and the gateway serves the set it last loaded; 0 otherwise.",
      registers,
    });
    this.syncErrors = new Counter({
      name: "gateway_app_deployments_sync_errors_total",
      help: "Failed reads of the app deployments' registry (the gateway keeps the set it last loaded).",
      registers,
    });
  }

  /** The published set as now served: its deployments' series replace the previous ones. */
  served(deployments: readonly DeploymentDocumentCounts[]): void {
    this.published.set(deployments.length);
    this.documents.reset();
    const now = new Map<string, DeploymentKey>();
    for (const { deployment, served, refused } of deployments) {
      const labels = { deployment: deployment.name, version: deployment.version };
      this.documents.set({ ...labels, status: "served" }, served);
      this.documents.set({ ...labels, status: "unservable" }, refused);
      now.set(deploymentId(deployment), deployment);
    }
    for (const [id, gone] of this.labelled) {
      if (!now.has(id)) this.requests.remove({ deployment: gone.name, version: gone.version });
    }
    this.labelled = now;
  }

  /** Counts requests of a deployment, if it is published here (a retired one's are left out of the metrics). */
  countRequests(deployment: DeploymentKey, requests: number): void {
    if (this.labelled.has(deploymentId(deployment)))
      this.requests.inc({ deployment: deployment.name, version: deployment.version }, requests);
  }
}
