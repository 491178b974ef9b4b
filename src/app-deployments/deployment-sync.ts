import { setTimeout as delay } from "node:timers/promises";
import type { LiveTrustedDocuments } from "../documents/live-trusted-documents.js";
import type { TrustedDocument } from "../documents/trusted-document.js";
import type { Logger } from "../observability/logger.js";
import type { AppDeploymentMetrics } from "./app-deployment-metrics.js";
import { describeDeployment } from "./deployment.js";
import type { AppDeploymentRegistry, PublishedSet } from "./registry.js";
import type { DeploymentDocuments } from "./served-documents.js";
import type { UsageRecorder } from "./usage-recorder.js";
import { messageOf } from "../lib/thrown.js";

/**
 * How often a gateway reads the registry's stamp: a publish or a retire is served within this, plus the time to load
 * and check the new documents, well inside the 2 seconds promised. One small read (a Redis GET, a file of 37 bytes).
 */
export const POLL_MS = 250;
/** How often a gateway reports its usage counts: one registry write per replica per interval, whatever the traffic. */
export const USAGE_REPORT_MS = 1000;
/** Longest a stopping gateway waits to report its last usage counts. */
const CLOSE_WAIT_MS = 1000;

/**
 * `/readyz`'s word for the app deployments: `current` (the published set as the registry has it), `stale` (the
 * registry cannot be read, or has lost its data: the set last loaded is served), `unloaded` (it could not be read
 * since the start: only the shipped operations and TRUSTED_DOCUMENTS are served). The gateway stays ready in all three:
 * a registry outage must not take every replica out of rotation.
 */
export type AppDeploymentsStatus = "current" | "stale" | "unloaded";

/**
 * Keeps a gateway's trusted documents in step with the registry: polls its stamp, and when it changes loads the
 * published set, checks it (DeploymentDocuments), has the fast path prepare what is new, then replaces the served set
 * whole (LiveTrustedDocuments): a request sees the old set or the new one, never half of either, and none is refused
 * for the swap. While the registry cannot be read, the set last loaded stays served: never shipped-only while
 * safelisting is on.
 */
export class AppDeploymentSync {
  private stamp: string | null = null;
  private loaded = false;
  /** Why the registry cannot be read right now (logged once per outage); null while it answers. */
  private failing: string | null = null;
  /** The registry answers with no stamp after having had one: Redis restarted empty, or the folder was removed. */
  private lost = false;
  private published = 0;
  /** Refused documents already logged (by deployment, id and body): each is said once. */
  private said = new Set<string>();
  private usageFailing = false;
  private polling: Promise<void> | null = null;
  private reporting: Promise<void> | null = null;
  private timers: NodeJS.Timeout[] = [];

  constructor(
    private readonly options: {
      registry: AppDeploymentRegistry;
      documents: DeploymentDocuments;
      live: LiveTrustedDocuments;
      /** Prepares documents for the fast path before they are served. */
      prepare: (documents: readonly TrustedDocument[]) => void;
      usage: UsageRecorder;
      metrics: AppDeploymentMetrics;
      logger: Logger;
    },
  ) {}

  /** Loads the published set (waiting at most `connectMs` for the registry), then keeps polling in the background. */
  async start(connectMs: number): Promise<void> {
    await this.options.registry.connect(connectMs).catch((error: unknown) => this.failed(error));
    await this.poll();
    const poll = setInterval(() => void this.poll(), POLL_MS);
    const report = setInterval(() => void this.report(), USAGE_REPORT_MS);
    this.timers = [poll, report];
    for (const timer of this.timers) timer.unref();
  }

  get status(): AppDeploymentsStatus {
    if (!this.loaded) return "unloaded";
    return this.failing !== null || this.lost ? "stale" : "current";
  }

  /** Deployments served now. */
  get publishedCount(): number {
    return this.published;
  }

  /** One poll at a time: a slow registry delays the next poll, it never piles them up. */
  poll(): Promise<void> {
    this.polling ??= this.sync().finally(() => (this.polling = null));
    return this.polling;
  }

  private async sync(): Promise<void> {
    const { registry, logger } = this.options;
    try {
      const stamp = await registry.stamp();
      if (this.loaded && stamp === this.stamp) return this.answered();
      if (this.loaded && stamp === null) {
        // Never a publish or a retire (each writes a new stamp): the registry lost its data. Serving nothing would
        // refuse every app under safelisting; keep what was published and say so.
        if (!this.lost) {
          logger.error(
            { registry: registry.location, published: this.published },
            "The app deployments' registry is empty (its data was lost?): serving the deployments last loaded; " +
              "create and publish them again",
          );
        }
        this.lost = true;
        this.answered();
        return;
      }
      this.apply(await registry.published());
      this.answered();
    } catch (error) {
      this.failed(error);
    }
  }

  private apply(set: PublishedSet): void {
    const { documents, live, prepare, usage, metrics, logger } = this.options;
    const served = documents.serve(set.deployments);
    const said = new Set<string>();
    for (const refused of served.refused) {
      const key = `${describeDeployment(refused.deployment)} ${refused.sha256}`;
      said.add(key);
      if (this.said.has(key)) continue;
      logger.warn(
        { deployment: refused.deployment.name, version: refused.deployment.version, documentId: refused.id, reason: refused.reason },
        "App deployment document not served: this gateway's checks refuse it (the other documents are served)",
      );
    }
    this.said = said;
    prepare(served.added);
    live.replace(served.documents);
    usage.serve(served.holders);
    metrics.served(served.deployments);
    const first = !this.loaded;
    const changed = first || set.stamp !== this.stamp || this.lost;
    this.stamp = set.stamp;
    this.loaded = true;
    this.lost = false;
    this.published = set.deployments.length;
    if (changed) {
      logger.info(
        {
          registry: this.options.registry.location,
          published: set.deployments.map(describeDeployment),
          documents: served.deployments.reduce((sum, deployment) => sum + deployment.served, 0),
          unservable: served.refused.length,
        },
        first ? "App deployments loaded" : "App deployments changed: the new set is served",
      );
    }
  }

  private answered(): void {
    if (this.failing !== null)
      this.options.logger.info({ registry: this.options.registry.location }, "The app deployments' registry answers again");
    this.failing = null;
    this.options.metrics.stale.set(this.lost ? 1 : 0);
  }

  private failed(error: unknown): void {
    const { metrics, logger, registry } = this.options;
    metrics.syncErrors.inc();
    metrics.stale.set(1);
    if (this.failing !== null) return;
    this.failing = messageOf(error);
    logger.warn(
      { registry: registry.location, err: { message: this.failing } },
      this.loaded
        ? `The app deployments' registry cannot be read: serving the ${this.published} deployment(s) last loaded until it answers`
        : "The app deployments' registry cannot be read: no app deployment is served until it answers",
    );
  }

  /** One report at a time: counts in flight are not sent twice. */
  private report(): Promise<void> {
    this.reporting ??= this.reportUsage().finally(() => (this.reporting = null));
    return this.reporting;
  }

  private async reportUsage(): Promise<void> {
    try {
      await this.options.usage.flush();
      this.usageFailing = false;
    } catch (error) {
      if (this.usageFailing) return;
      this.usageFailing = true;
      this.options.logger.warn(
        { registry: this.options.registry.location, err: { message: messageOf(error) } },
        "App deployments' usage counts cannot be reported: they are kept and reported when the registry answers",
      );
    }
  }

  /**
   * Stops polling, reports the last usage counts, closes the registry. A registry that stalls holds the shutdown
   * CLOSE_WAIT_MS at most: then what is in flight is abandoned (closing the connection fails it).
   */
  async close(): Promise<void> {
    for (const timer of this.timers) clearInterval(timer);
    const settled = (async () => {
      await this.polling;
      await this.reporting;
      await this.report();
    })();
    await Promise.race([settled, delay(CLOSE_WAIT_MS, undefined, { ref: false })]);
    await this.options.registry.close();
  }
}
