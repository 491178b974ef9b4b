import type { IncomingHttpHeaders } from "node:http";
import type { TrustedDocument } from "../documents/trusted-document.js";
import { normalizeDocumentId } from "../documents/trusted-document-registry.js";
import type { DeploymentKey, UsageCount } from "./deployment.js";
import { usageField } from "./registry-records.js";

/** Requests of one document of one deployment not yet reported to the registry (or to the metrics). */
interface UsageCell {
  readonly deployment: DeploymentKey;
  /** Normalised: the registry counts per document, whatever form of its id requests use. */
  readonly id: string;
  unreported: number;
  unmetered: number;
  lastRequestAt: number;
}

/**
 * Headers a client may name itself with: Apollo Client's `clientAwareness` sends the first pair, GraphQL Hive's
 * clients the second. A document several published versions hold counts for the one the client names.
 */
const CLIENT_NAME = ["apollographql-client-name", "graphql-client-name"];
const CLIENT_VERSION = ["apollographql-client-version", "graphql-client-version"];

function header(headers: IncomingHttpHeaders, names: readonly string[]): string | undefined {
  for (const name of names) {
    const value = headers[name];
    if (typeof value === "string") return value;
  }
  return undefined;
}

/**
 * Counts requests per app deployment and document, in memory on the request path (a map read and a few additions,
 * no I/O), and reports the counts to the registry in batches (report(): every second, and at shutdown), so usage is
 * shared by every replica at the cost of one registry write per replica per second, whatever the traffic.
 *
 * A request names a document, not a deployment: a document only one published deployment holds counts for that one;
 * one held by several (an app's successive versions share most documents) counts for the deployment the client names
 * in its client name and version headers, or else for every deployment that holds it, so that no version still in
 * use looks unused.
 */
export class UsageRecorder {
  /** The served documents of published deployments, with a cell per deployment holding them. */
  private holders = new Map<TrustedDocument, UsageCell[]>();
  /** Every cell made so far, by deployment and document: counts not yet reported survive a new published set. */
  private readonly cells = new Map<string, UsageCell>();
  private readonly unreported = new Set<UsageCell>();

  constructor(
    private readonly report: (counts: readonly UsageCount[]) => Promise<void>,
    private readonly meter: (deployment: DeploymentKey, requests: number) => void,
    private readonly now: () => number = Date.now,
  ) {}

  /** The published set now served: which deployments hold each document. */
  serve(holders: ReadonlyMap<TrustedDocument, readonly DeploymentKey[]>): void {
    const next = new Map<TrustedDocument, UsageCell[]>();
    const kept = new Set<UsageCell>();
    for (const [document, deployments] of holders) {
      const id = normalizeDocumentId(document.id);
      const cells = deployments.map((deployment) => {
        const field = usageField(deployment, id);
        let cell = this.cells.get(field);
        if (!cell) this.cells.set(field, (cell = { deployment, id, unreported: 0, unmetered: 0, lastRequestAt: 0 }));
        kept.add(cell);
        return cell;
      });
      next.set(document, cells);
    }
    // Cells of documents no longer published go once their counts are reported.
    for (const [field, cell] of this.cells) if (!kept.has(cell) && !this.unreported.has(cell)) this.cells.delete(field);
    this.holders = next;
  }

  /** One request for `document`: on the request path, so no I/O. */
  readonly record = (document: TrustedDocument, headers: IncomingHttpHeaders): void => {
    const cells = this.holders.get(document);
    if (!cells) return;
    const at = this.now();
    if (cells.length > 1) {
      const name = header(headers, CLIENT_NAME);
      const version = name === undefined ? undefined : header(headers, CLIENT_VERSION);
      const named = cells.find((cell) => cell.deployment.name === name && cell.deployment.version === version);
      if (named) return this.count(named, at);
    }
    for (const cell of cells) this.count(cell, at);
  };

  private count(cell: UsageCell, at: number): void {
    cell.unreported++;
    cell.unmetered++;
    cell.lastRequestAt = at;
    this.unreported.add(cell);
  }

  /**
   * Meters the counts and reports them to the registry; what fails to reach it is reported with the next batch
   * (the error is the caller's to log).
   */
  async flush(): Promise<void> {
    const batch = [...this.unreported];
    if (batch.length === 0) return;
    for (const cell of batch) {
      if (cell.unmetered > 0) this.meter(cell.deployment, cell.unmetered);
      cell.unmetered = 0;
    }
    const sent = batch.map((cell) => cell.unreported);
    await this.report(
      batch.map((cell, index) => ({ ...cell.deployment, id: cell.id, requests: sent[index], lastRequestAt: cell.lastRequestAt })),
    );
    batch.forEach((cell, index) => {
      cell.unreported -= sent[index];
      if (cell.unreported === 0) this.unreported.delete(cell);
    });
  }
}
