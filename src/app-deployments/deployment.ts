/**
 * An app deployment: one app version's trusted documents under a name and a version (`web` `4.2.0`), created
 * (validated and stored, not served), published (served by every gateway) and retired (no longer served). The names
 * and the command are fixed in the design: `npm run app -- check|create|publish|retire|list`.
 */

export type DeploymentState = "created" | "published" | "retired";

/** What each state change is called in the audit and in the command. */
export type DeploymentAction = "create" | "publish" | "retire";

export interface DeploymentKey {
  readonly name: string;
  readonly version: string;
}

/** One document of a deployment: the id as its manifest gives it, and the body. */
export interface DeploymentDocument {
  readonly id: string;
  readonly body: string;
}

/** A deployment as the registry keeps it (every state), its documents named by id. */
export interface StoredDeployment extends DeploymentKey {
  /** The ids as the manifest gave them, in its order (bodies are stored once per id, registry-wide). */
  readonly ids: readonly string[];
  readonly state: DeploymentState;
  /** When it entered its state (ISO 8601), and who made it. */
  readonly stateSince: string;
  readonly stateBy: string;
  readonly createdAt: string;
  readonly createdBy: string;
}

/** A published deployment with its documents, as a gateway loads it. */
export interface PublishedDeployment extends DeploymentKey {
  readonly documents: readonly DeploymentDocument[];
}

/** One create, publish or retire: who, when, what, how many documents. Kept in the registry and logged. */
export interface AuditEntry extends DeploymentKey {
  readonly at: string;
  readonly actor: string;
  readonly action: DeploymentAction;
  readonly documents: number;
}

/** Requests one gateway saw for one document of one deployment since its last report. */
export interface UsageCount extends DeploymentKey {
  /** The document's id, normalised (registry-wide key: see normalizeDocumentId). */
  readonly id: string;
  readonly requests: number;
  /** Epoch milliseconds of the last of them. */
  readonly lastRequestAt: number;
}

/** What the registry has counted for one document of one deployment, all gateways together. */
export type UsageTotal = UsageCount;

// Names and versions end up in file names, Redis fields and metric labels: a small alphabet, no separators.
const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const VERSION = /^[A-Za-z0-9][A-Za-z0-9.+_-]{0,63}$/;

/** Why `name` and `version` cannot name a deployment, or null. */
export function deploymentKeyProblem(key: { name?: string; version?: string }): string | null {
  if (key.name === undefined || key.version === undefined) return "--name and --version are required";
  if (!NAME.test(key.name)) {
    return `--name must be 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit; got ${JSON.stringify(key.name)}`;
  }
  if (!VERSION.test(key.version)) {
    const rule = "1-64 letters, digits, '.', '+', '_' or '-', starting with a letter or digit";
    return `--version must be ${rule}; got ${JSON.stringify(key.version)}`;
  }
  return null;
}

/** `web 4.2.0`: how messages, the log and the command name a deployment. */
export function describeDeployment(key: DeploymentKey): string {
  return `${key.name} ${key.version}`;
}

/** `app deployment web 4.2.0`: the source a served document names in messages (the first deployment that brought it). */
export function sourceOf(key: DeploymentKey): string {
  return `app deployment ${describeDeployment(key)}`;
}

/** `web@4.2.0`: a deployment's key in files and Redis fields ('@' is in neither alphabet). */
export function deploymentId(key: DeploymentKey): string {
  return `${key.name}@${key.version}`;
}
