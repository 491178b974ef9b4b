import { deploymentId, type AuditEntry, type DeploymentKey, type DeploymentState, type StoredDeployment } from "./deployment.js";
import { RECORD_VERSION } from "./registry.js";
import { isJsonObject } from "../lib/json-object.js";

// The registry's records as both stores write them (JSON, each with its format version `v`). Gateways of two builds
// may share one registry during a rolling deploy: a record of another format is skipped, never misread.

const STATES: readonly DeploymentState[] = ["created", "published", "retired"];
const ACTIONS = ["create", "publish", "retire"] as const;

function parseJson(raw: string | undefined): unknown {
  if (raw === undefined) return undefined;
  try {
    return JSON.parse(raw);
  } catch {
    return undefined;
  }
}

export function parseState(raw: string): DeploymentState {
  if (!(STATES as readonly string[]).includes(raw)) throw new Error(`unknown deployment state ${JSON.stringify(raw)}`);
  return raw as DeploymentState;
}

/** The state record: `{v, state, since, by}`. */
export function stateRecord(
  state: DeploymentState,
  since: string,
  by: string,
): { v: number; state: DeploymentState; since: string; by: string } {
  return { v: RECORD_VERSION, state, since, by };
}

/** A deployment from its record (`{v, name, version, ids, createdAt, createdBy}`) and its state record; null if unreadable. */
export function parseDeployment(rawRecord: unknown, rawState: unknown): StoredDeployment | null {
  const record = typeof rawRecord === "string" ? parseJson(rawRecord) : rawRecord;
  const state = typeof rawState === "string" ? parseJson(rawState) : rawState;
  if (!isJsonObject(record) || record.v !== RECORD_VERSION || !isJsonObject(state) || state.v !== RECORD_VERSION) return null;
  const { name, version, ids, createdAt, createdBy } = record;
  if (typeof name !== "string" || typeof version !== "string" || typeof createdAt !== "string" || typeof createdBy !== "string")
    return null;
  if (!Array.isArray(ids) || !ids.every((id) => typeof id === "string")) return null;
  if (typeof state.state !== "string" || !(STATES as readonly string[]).includes(state.state)) return null;
  if (typeof state.since !== "string" || typeof state.by !== "string") return null;
  return {
    name,
    version,
    ids,
    state: state.state as DeploymentState,
    stateSince: state.since,
    stateBy: state.by,
    createdAt,
    createdBy,
  };
}

/** An audit entry (`{v, name, version, at, actor, action, documents}`), or null. */
export function parseAuditEntry(raw: string): AuditEntry | null {
  const entry = parseJson(raw);
  if (!isJsonObject(entry) || entry.v !== RECORD_VERSION) return null;
  const { name, version, at, actor, action, documents } = entry;
  if (typeof name !== "string" || typeof version !== "string" || typeof at !== "string" || typeof actor !== "string") return null;
  if (typeof documents !== "number" || !(ACTIONS as readonly unknown[]).includes(action)) return null;
  return { name, version, at, actor, action: action as AuditEntry["action"], documents };
}

/** The usage counters' field for one document of one deployment: JSON, since an id may hold any character. */
export function usageField(key: DeploymentKey, id: string): string {
  return JSON.stringify([deploymentId(key), id]);
}

/** The deployment and document a usage field names, or null for a field of another format. */
export function usageFieldKey(field: string): (DeploymentKey & { id: string }) | null {
  const parsed = parseJson(field);
  if (!Array.isArray(parsed) || parsed.length !== 2 || typeof parsed[0] !== "string" || typeof parsed[1] !== "string") return null;
  const at = parsed[0].indexOf("@");
  if (at <= 0) return null;
  return { name: parsed[0].slice(0, at), version: parsed[0].slice(at + 1), id: parsed[1] };
}
