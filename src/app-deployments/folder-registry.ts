import { randomUUID } from "node:crypto";
import { mkdir, readdir, readFile, rename, rmdir, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { setTimeout as delay } from "node:timers/promises";
import { normalizeDocumentId } from "../documents/trusted-document-registry.js";
import {
  deploymentId,
  type AuditEntry,
  type DeploymentDocument,
  type DeploymentKey,
  type StoredDeployment,
  type UsageCount,
  type UsageTotal,
} from "./deployment.js";
import { parseAuditEntry, parseDeployment, stateRecord, usageField, usageFieldKey } from "./registry-records.js";
import {
  AUDIT_KEPT,
  RECORD_VERSION,
  type AppDeploymentRegistry,
  type Change,
  type CreateOutcome,
  type PublishedSet,
  type StateOutcome,
} from "./registry.js";
import { isJsonObject } from "../lib/json-object.js";

/** A lock older than this was left by a process that died holding it (a change takes milliseconds). */
const STALE_LOCK_MS = 30_000;
/** Longest a change waits for another's lock. */
const LOCK_WAIT_MS = 10_000;
const LOCK_RETRY_MS = 20;

/** A deployment's file: the record, its state and its documents' bodies (by normalised id). */
interface DeploymentFile {
  v: number;
  name: string;
  version: string;
  ids: string[];
  createdAt: string;
  createdBy: string;
  state: ReturnType<typeof stateRecord>;
  documents: Record<string, string>;
}

function missing(error: unknown): boolean {
  return (error as NodeJS.ErrnoException).code === "ENOENT";
}

/**
 * The registry in a folder (APP_DEPLOYMENTS_DIR), for a gateway that shares no state: one JSON file per deployment
 * (`deployments/<name>@<version>.json`, bodies included), `stamp` (rewritten by every publish and retire: gateways
 * poll it), `audit.jsonl` and `usage.json`. Readers need no lock: every file is replaced whole (written aside, then
 * renamed over). Writers (the command, and gateways adding usage) take the folder's lock, `.lock`, a directory.
 */
export class FolderAppDeploymentRegistry implements AppDeploymentRegistry {
  readonly location: string;

  constructor(private readonly dir: string) {
    this.location = `folder ${dir}`;
  }

  private get deploymentsDir(): string {
    return join(this.dir, "deployments");
  }

  private fileOf(key: DeploymentKey): string {
    return join(this.deploymentsDir, `${deploymentId(key)}.json`);
  }

  async connect(): Promise<void> {}

  async stamp(): Promise<string | null> {
    try {
      return (await readFile(join(this.dir, "stamp"), "utf8")).trim() || null;
    } catch (error) {
      if (missing(error)) return null;
      throw error;
    }
  }

  async published(): Promise<PublishedSet> {
    // The stamp first: a change after it shows in the files read now, and again (a new stamp) at the next poll.
    const stamp = await this.stamp();
    const files = await this.readFiles();
    return {
      stamp,
      deployments: files
        .filter(({ deployment }) => deployment.state === "published")
        .map(({ deployment, file }) => ({
          name: deployment.name,
          version: deployment.version,
          documents: deployment.ids.flatMap((id): DeploymentDocument[] => {
            const body = file.documents[normalizeDocumentId(id)];
            return body === undefined ? [] : [{ id, body }];
          }),
        })),
    };
  }

  async deployments(): Promise<StoredDeployment[]> {
    return (await this.readFiles()).map(({ deployment }) => deployment);
  }

  async bodies(ids: readonly string[]): Promise<Map<string, string>> {
    const wanted = new Set(ids);
    const found = new Map<string, string>();
    for (const { file } of await this.readFiles()) {
      for (const [id, body] of Object.entries(file.documents)) if (wanted.has(id)) found.set(id, body);
    }
    return found;
  }

  async create(key: DeploymentKey, documents: readonly DeploymentDocument[], change: Change, publish: boolean): Promise<CreateOutcome> {
    return this.locked(async () => {
      const files = await this.readFiles();
      const existing = files.find(({ deployment }) => deploymentId(deployment) === deploymentId(key));
      if (existing) return { kind: "exists", existing: existing.deployment } as const;
      const known = new Map<string, string>();
      for (const { file } of files) for (const [id, body] of Object.entries(file.documents)) known.set(id, body);
      const bodies: Record<string, string> = {};
      for (const document of documents) bodies[normalizeDocumentId(document.id)] = document.body;
      const conflicts = Object.keys(bodies).filter((id) => known.has(id) && known.get(id) !== bodies[id]);
      if (conflicts.length > 0) return { kind: "conflicts", ids: conflicts } as const;
      const file: DeploymentFile = {
        v: RECORD_VERSION,
        ...key,
        ids: documents.map((document) => document.id),
        createdAt: change.at,
        createdBy: change.actor,
        state: stateRecord(publish ? "published" : "created", change.at, change.actor),
        documents: bodies,
      };
      await mkdir(this.deploymentsDir, { recursive: true });
      await this.replace(this.fileOf(key), JSON.stringify(file, null, 2));
      const entry = { v: RECORD_VERSION, ...key, ...change, documents: documents.length };
      await this.appendAudit([{ ...entry, action: "create" }, ...(publish ? [{ ...entry, action: "publish" }] : [])]);
      if (publish) await this.restamp();
      return { kind: "created", published: publish, documents: documents.length } as const;
    });
  }

  async setState(key: DeploymentKey, state: "published" | "retired", change: Change): Promise<StateOutcome> {
    return this.locked(async () => {
      const read = await this.readDeploymentFile(this.fileOf(key));
      if (!read) return { kind: "missing" } as const;
      const { file, deployment } = read;
      const documents = deployment.ids.length;
      if (deployment.state === state) return { kind: "unchanged", documents } as const;
      await this.replace(this.fileOf(key), JSON.stringify({ ...file, state: stateRecord(state, change.at, change.actor) }, null, 2));
      await this.appendAudit([{ v: RECORD_VERSION, ...key, ...change, action: state === "published" ? "publish" : "retire", documents }]);
      await this.restamp();
      return { kind: "changed", from: deployment.state, documents } as const;
    });
  }

  async addUsage(counts: readonly UsageCount[]): Promise<void> {
    if (counts.length === 0) return;
    await this.locked(async () => {
      const usage = await this.readUsage();
      for (const count of counts) {
        const field = usageField(count, count.id);
        const total = usage[field] ?? { requests: 0, lastRequestAt: 0 };
        usage[field] = { requests: total.requests + count.requests, lastRequestAt: Math.max(total.lastRequestAt, count.lastRequestAt) };
      }
      await this.replace(join(this.dir, "usage.json"), JSON.stringify({ v: RECORD_VERSION, usage }));
    });
  }

  async usage(): Promise<UsageTotal[]> {
    return Object.entries(await this.readUsage()).flatMap(([field, total]) => {
      const key = usageFieldKey(field);
      return key ? [{ ...key, ...total }] : [];
    });
  }

  async audit(): Promise<AuditEntry[]> {
    return (await this.readAuditLines()).flatMap((line) => parseAuditEntry(line) ?? []);
  }

  async close(): Promise<void> {}

  private async readFiles(): Promise<Array<{ file: DeploymentFile; deployment: StoredDeployment }>> {
    let names: string[];
    try {
      names = (await readdir(this.deploymentsDir)).filter((name) => name.endsWith(".json"));
    } catch (error) {
      if (missing(error)) return [];
      throw error;
    }
    const files = await Promise.all(names.sort().map((name) => this.readDeploymentFile(join(this.deploymentsDir, name))));
    return files.filter((file) => file !== null);
  }

  /** A deployment's file, or null when it is absent or of another format (never misread). */
  private async readDeploymentFile(path: string): Promise<{ file: DeploymentFile; deployment: StoredDeployment } | null> {
    let file: DeploymentFile;
    try {
      file = JSON.parse(await readFile(path, "utf8")) as DeploymentFile;
    } catch (error) {
      if (missing(error) || error instanceof SyntaxError) return null;
      throw error;
    }
    const deployment = parseDeployment(file, file.state);
    if (!deployment || !isJsonObject(file.documents)) return null;
    return { file, deployment };
  }

  private async readUsage(): Promise<Record<string, { requests: number; lastRequestAt: number }>> {
    try {
      const parsed = JSON.parse(await readFile(join(this.dir, "usage.json"), "utf8")) as { v?: number; usage?: unknown };
      return parsed.v === RECORD_VERSION && isJsonObject(parsed.usage)
        ? (parsed.usage as Record<string, { requests: number; lastRequestAt: number }>)
        : {};
    } catch (error) {
      if (missing(error)) return {};
      throw error;
    }
  }

  private async readAuditLines(): Promise<string[]> {
    try {
      return (await readFile(join(this.dir, "audit.jsonl"), "utf8")).split("\n").filter(Boolean);
    } catch (error) {
      if (missing(error)) return [];
      throw error;
    }
  }

  private async appendAudit(entries: object[]): Promise<void> {
    const lines = [...(await this.readAuditLines()), ...entries.map((entry) => JSON.stringify(entry))].slice(-AUDIT_KEPT);
    await this.replace(join(this.dir, "audit.jsonl"), `${lines.join("\n")}\n`);
  }

  private restamp(): Promise<void> {
    return this.replace(join(this.dir, "stamp"), `${randomUUID()}\n`);
  }

  /** Writes `path` whole: aside first, then renamed over it, so a reader sees the old file or the new one. */
  private async replace(path: string, content: string): Promise<void> {
    const aside = `${path}.${process.pid}.${randomUUID()}.tmp`;
    await writeFile(aside, content);
    await rename(aside, path);
  }

  /** Runs `change` holding the folder's lock (created with the folder when absent). */
  private async locked<T>(change: () => Promise<T>): Promise<T> {
    await mkdir(this.dir, { recursive: true });
    const lock = join(this.dir, ".lock");
    const until = Date.now() + LOCK_WAIT_MS;
    for (;;) {
      try {
        await mkdir(lock);
        break;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      }
      const since = await stat(lock).then(
        (found) => found.mtimeMs,
        () => null,
      );
      if (since !== null && Date.now() - since > STALE_LOCK_MS) {
        await rmdir(lock).catch(() => {});
        continue;
      }
      if (Date.now() > until) throw new Error(`${lock} is held by another change for over ${LOCK_WAIT_MS / 1000} s`);
      await delay(LOCK_RETRY_MS);
    }
    try {
      return await change();
    } finally {
      await rmdir(lock).catch(() => {});
    }
  }
}
