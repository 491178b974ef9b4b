import { once } from "node:events";
import { randomUUID } from "node:crypto";
import type { Redis } from "ioredis";
import type { SharedStateConfig } from "../config.js";
import { createRedisClient, reconnectOnEnd } from "../shared-state/redis-client.js";
import { appDeploymentKeys as KEYS } from "../shared-state/redis-keys.js";
import { normalizeDocumentId } from "../documents/trusted-document-registry.js";
import {
  deploymentId,
  type AuditEntry,
  type DeploymentDocument,
  type DeploymentKey,
  type PublishedDeployment,
  type StoredDeployment,
  type UsageCount,
  type UsageTotal,
} from "./deployment.js";
import { parseAuditEntry, parseDeployment, parseState, stateRecord, usageField, usageFieldKey } from "./registry-records.js";
import {
  AUDIT_KEPT,
  RECORD_VERSION,
  type AppDeploymentRegistry,
  type Change,
  type CreateOutcome,
  type PublishedSet,
  type StateOutcome,
} from "./registry.js";

/**
 * Registry commands may move a whole manifest or the published set: they get longer than REDIS_TIMEOUT_MS (sized for
 * cache reads on the request path). Only the command and the gateways' background poll wait on them.
 */
const REGISTRY_TIMEOUT_MS = 5000;

// Each change is one script: checked and written atomically, so a refused or failed change leaves nothing behind.
const CREATE = `
local existing = redis.call('HGET', KEYS[1], ARGV[1])
if existing then return {'exists', existing} end
local conflicts = {}
for i = 8, #ARGV, 2 do
  local body = redis.call('HGET', KEYS[3], ARGV[i])
  if body and body ~= ARGV[i + 1] then conflicts[#conflicts + 1] = ARGV[i] end
end
if #conflicts > 0 then return {'conflicts', cjson.encode(conflicts)} end
for i = 8, #ARGV, 2 do redis.call('HSETNX', KEYS[3], ARGV[i], ARGV[i + 1]) end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('HSET', KEYS[2], ARGV[1], ARGV[3])
redis.call('RPUSH', KEYS[5], ARGV[4])
if ARGV[5] ~= '' then
  redis.call('RPUSH', KEYS[5], ARGV[5])
  redis.call('SET', KEYS[4], ARGV[6])
end
redis.call('LTRIM', KEYS[5], -tonumber(ARGV[7]), -1)
return {'created'}`;

const SET_STATE = `
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 0 then return {'missing'} end
local current = cjson.decode(redis.call('HGET', KEYS[2], ARGV[1])).state
if current == ARGV[2] then return {'unchanged'} end
redis.call('HSET', KEYS[2], ARGV[1], ARGV[3])
redis.call('RPUSH', KEYS[4], ARGV[4])
redis.call('LTRIM', KEYS[4], -tonumber(ARGV[6]), -1)
redis.call('SET', KEYS[3], ARGV[5])
return {'changed', current}`;

const ADD_USAGE = `
for i = 1, #ARGV, 3 do
  redis.call('HINCRBY', KEYS[1], ARGV[i], ARGV[i + 1])
  local last = tonumber(redis.call('HGET', KEYS[2], ARGV[i]) or '0')
  if tonumber(ARGV[i + 2]) > last then redis.call('HSET', KEYS[2], ARGV[i], ARGV[i + 2]) end
end
return 1`;

type Scripted = Redis & {
  createDeployment(...args: string[]): Promise<[string, string?]>;
  setDeploymentState(...args: string[]): Promise<[string, string?]>;
  addDeploymentUsage(...args: string[]): Promise<number>;
};

/** Where the registry is, without credentials: a Redis URL may carry a password. */
export function describeRedis(config: SharedStateConfig): string {
  if (config.redisSentinel) return `Redis through Sentinel (master ${config.redisSentinel.masterName})`;
  const url = new URL(config.redisUrl!);
  return `Redis at ${url.protocol}//${url.host}${url.pathname.length > 1 ? url.pathname : "/0"}`;
}

/**
 * The registry in Redis, shared by every replica (the keys of redis-keys.ts's appDeploymentKeys). Its own connection,
 * made by the same factory as the shared state's, with a longer command timeout.
 */
export class RedisAppDeploymentRegistry implements AppDeploymentRegistry {
  readonly location: string;
  private readonly redis: Scripted;
  private closing = false;
  /** Bodies never change under an id: a gateway fetches each once. */
  private readonly bodyCache = new Map<string, string>();

  constructor(config: SharedStateConfig, onError: (error: Error) => void) {
    this.location = describeRedis(config);
    const client = createRedisClient({ ...config, redisTimeoutMs: Math.max(config.redisTimeoutMs, REGISTRY_TIMEOUT_MS) })!;
    client.on("error", onError);
    reconnectOnEnd(client, () => this.closing);
    client.defineCommand("createDeployment", { numberOfKeys: 5, lua: CREATE });
    client.defineCommand("setDeploymentState", { numberOfKeys: 4, lua: SET_STATE });
    client.defineCommand("addDeploymentUsage", { numberOfKeys: 2, lua: ADD_USAGE });
    this.redis = client as Scripted;
  }

  /** Resolves once connected; rejects after `timeoutMs` (commands fail at once while disconnected). */
  async connect(timeoutMs: number): Promise<void> {
    if (this.redis.status === "ready") return;
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), timeoutMs);
    try {
      await once(this.redis, "ready", { signal: controller.signal });
    } catch {
      throw new Error(`${this.location} did not answer within ${timeoutMs} ms`);
    } finally {
      clearTimeout(timer);
    }
  }

  async stamp(): Promise<string | null> {
    return this.redis.get(KEYS.stamp);
  }

  async published(): Promise<PublishedSet> {
    const [stamp, records, states] = await this.readAll();
    const deployments = readDeployments(records, states).filter((deployment) => deployment.state === "published");
    const ids = [...new Set(deployments.flatMap((deployment) => deployment.ids.map(normalizeDocumentId)))];
    const bodies = await this.bodies(ids);
    // Keep only what the published set uses: a retired deployment's bodies leave this gateway's memory.
    for (const id of this.bodyCache.keys()) if (!bodies.has(id)) this.bodyCache.delete(id);
    const published: PublishedDeployment[] = deployments.map(({ name, version, ids: given }) => ({
      name,
      version,
      documents: given.flatMap((id): DeploymentDocument[] => {
        const body = bodies.get(normalizeDocumentId(id));
        return body === undefined ? [] : [{ id, body }];
      }),
    }));
    return { stamp, deployments: published };
  }

  async deployments(): Promise<StoredDeployment[]> {
    const [, records, states] = await this.readAll();
    return readDeployments(records, states);
  }

  async bodies(ids: readonly string[]): Promise<Map<string, string>> {
    const found = new Map<string, string>();
    const missing = ids.filter((id) => {
      const body = this.bodyCache.get(id);
      if (body !== undefined) found.set(id, body);
      return body === undefined;
    });
    if (missing.length > 0) {
      const bodies = await this.redis.hmget(KEYS.bodies, ...missing);
      missing.forEach((id, index) => {
        const body = bodies[index];
        if (body === null) return;
        this.bodyCache.set(id, body);
        found.set(id, body);
      });
    }
    return found;
  }

  async create(key: DeploymentKey, documents: readonly DeploymentDocument[], change: Change, publish: boolean): Promise<CreateOutcome> {
    const field = deploymentId(key);
    const record = {
      v: RECORD_VERSION,
      ...key,
      ids: documents.map((document) => document.id),
      createdAt: change.at,
      createdBy: change.actor,
    };
    const audit = (action: "create" | "publish") =>
      JSON.stringify({ v: RECORD_VERSION, ...key, ...change, action, documents: documents.length });
    const bodies = new Map(documents.map((document) => [normalizeDocumentId(document.id), document.body]));
    const [outcome, detail] = await this.redis.createDeployment(
      KEYS.deployments,
      KEYS.states,
      KEYS.bodies,
      KEYS.stamp,
      KEYS.audit,
      field,
      JSON.stringify(record),
      JSON.stringify(stateRecord(publish ? "published" : "created", change.at, change.actor)),
      audit("create"),
      publish ? audit("publish") : "",
      randomUUID(),
      String(AUDIT_KEPT),
      ...[...bodies].flat(),
    );
    if (outcome === "conflicts") return { kind: "conflicts", ids: JSON.parse(detail!) as string[] };
    if (outcome === "exists") {
      const existing = readDeployments({ [field]: detail! }, await this.redis.hgetall(KEYS.states))[0];
      if (!existing) throw new Error(`${field} is stored in a format this build does not read`);
      return { kind: "exists", existing };
    }
    return { kind: "created", published: publish, documents: documents.length };
  }

  async setState(key: DeploymentKey, state: "published" | "retired", change: Change): Promise<StateOutcome> {
    const field = deploymentId(key);
    const [record, current] = results(await this.redis.multi().hget(KEYS.deployments, field).hget(KEYS.states, field).exec());
    const stored = typeof record === "string" ? parseDeployment(record, current) : null;
    if (!stored) return { kind: "missing" };
    const documents = stored.ids.length;
    const action = state === "published" ? "publish" : "retire";
    const [outcome, from] = await this.redis.setDeploymentState(
      KEYS.deployments,
      KEYS.states,
      KEYS.stamp,
      KEYS.audit,
      field,
      state,
      JSON.stringify(stateRecord(state, change.at, change.actor)),
      JSON.stringify({ v: RECORD_VERSION, ...key, ...change, action, documents }),
      randomUUID(),
      String(AUDIT_KEPT),
    );
    if (outcome === "missing") return { kind: "missing" };
    if (outcome === "unchanged") return { kind: "unchanged", documents };
    return { kind: "changed", from: parseState(from!), documents };
  }

  async addUsage(counts: readonly UsageCount[]): Promise<void> {
    if (counts.length === 0) return;
    await this.redis.addDeploymentUsage(
      KEYS.usage,
      KEYS.usedAt,
      ...counts.flatMap((count) => [usageField(count, count.id), String(count.requests), String(count.lastRequestAt)]),
    );
  }

  async usage(): Promise<UsageTotal[]> {
    const [requests, usedAt] = results(await this.redis.multi().hgetall(KEYS.usage).hgetall(KEYS.usedAt).exec()) as Array<
      Record<string, string>
    >;
    return Object.entries(requests).flatMap(([field, count]) => {
      const key = usageFieldKey(field);
      return key ? [{ ...key, requests: Number(count), lastRequestAt: Number(usedAt[field] ?? 0) }] : [];
    });
  }

  async audit(): Promise<AuditEntry[]> {
    return (await this.redis.lrange(KEYS.audit, 0, -1)).flatMap((raw) => parseAuditEntry(raw) ?? []);
  }

  async close(): Promise<void> {
    this.closing = true;
    this.redis.disconnect();
  }

  /** The stamp, the deployments and their states, read in one transaction: the stamp names what was read. */
  private async readAll(): Promise<[string | null, Record<string, string>, Record<string, string>]> {
    const read = results(await this.redis.multi().get(KEYS.stamp).hgetall(KEYS.deployments).hgetall(KEYS.states).exec());
    return read as [string | null, Record<string, string>, Record<string, string>];
  }
}

/** A transaction's results, or its first error. */
function results(replies: Array<[Error | null, unknown]> | null): unknown[] {
  if (replies === null) throw new Error("the Redis transaction was aborted");
  return replies.map(([error, value]) => {
    if (error) throw error;
    return value;
  });
}

/** The deployments of these raw records and states; a record of another format is left out (never misread). */
function readDeployments(records: Record<string, string>, states: Record<string, string>): StoredDeployment[] {
  return Object.entries(records).flatMap(([field, raw]) => parseDeployment(raw, states[field]) ?? []);
}
