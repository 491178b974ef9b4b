import type {
  AuditEntry,
  DeploymentDocument,
  DeploymentKey,
  DeploymentState,
  PublishedDeployment,
  StoredDeployment,
  UsageCount,
  UsageTotal,
} from "./deployment.js";

/** Who makes a change, and when (ISO 8601): what the audit records. */
export interface Change {
  readonly actor: string;
  readonly at: string;
}

export type CreateOutcome =
  | { kind: "created"; published: boolean; documents: number }
  /** The name and version exist already: the command compares their documents with the manifest's. */
  | { kind: "exists"; existing: StoredDeployment }
  /** Ids the registry already holds with another body (nothing was stored). */
  | { kind: "conflicts"; ids: string[] };

export type StateOutcome =
  { kind: "changed"; from: DeploymentState; documents: number } | { kind: "unchanged"; documents: number } | { kind: "missing" };

/** What a gateway loads: the published deployments with their documents, and the stamp they were read under. */
export interface PublishedSet {
  /** Changes with every publish and retire; null: the registry has never had one (or has lost its data). */
  readonly stamp: string | null;
  readonly deployments: readonly PublishedDeployment[];
}

/**
 * Where app deployments live: Redis when the gateway shares state (every replica reads the same registry), else a
 * folder (APP_DEPLOYMENTS_DIR). The command writes it; gateways poll its stamp and load the published set when the
 * stamp changes, and add their usage counts to it. Every change is atomic: a failed one changes nothing.
 */
export interface AppDeploymentRegistry {
  /** Where it is, for the banner and messages: never a password. */
  readonly location: string;
  /** Resolves once the registry can be used (Redis connected); rejects after `timeoutMs`. */
  connect(timeoutMs: number): Promise<void>;
  /** Cheap: read every poll interval by every gateway. */
  stamp(): Promise<string | null>;
  published(): Promise<PublishedSet>;
  /** Every deployment, in every state. */
  deployments(): Promise<StoredDeployment[]>;
  /** Bodies by normalised id (those the registry holds). */
  bodies(ids: readonly string[]): Promise<Map<string, string>>;
  /**
   * Stores a new deployment (and publishes it when asked) unless its name and version exist already or one of its
   * ids names another body in the registry: then nothing is stored. Audited (one entry per state it enters).
   */
  create(key: DeploymentKey, documents: readonly DeploymentDocument[], change: Change, publish: boolean): Promise<CreateOutcome>;
  /** Publishes or retires a deployment; audited when its state changes. */
  setState(key: DeploymentKey, state: "published" | "retired", change: Change): Promise<StateOutcome>;
  /** Adds one gateway's usage counts. */
  addUsage(counts: readonly UsageCount[]): Promise<void>;
  /** Every gateway's counts, per deployment and document. */
  usage(): Promise<UsageTotal[]>;
  /** The audit, oldest first (the last AUDIT_KEPT entries). */
  audit(): Promise<AuditEntry[]>;
  close(): Promise<void>;
}

/** Audit entries kept at most (a few a day for years): the oldest go first. */
export const AUDIT_KEPT = 10_000;

/** A registry record of another shape (another build's format) is skipped with this message rather than misread. */
export const RECORD_VERSION = 1;
