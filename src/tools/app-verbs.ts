import type { GraphQLSchema } from "graphql";
import type { AppSettings } from "./app-settings.js";
import {
  describeDeployment,
  sourceOf,
  type DeploymentDocument,
  type DeploymentKey,
  type StoredDeployment,
  type UsageTotal,
} from "../app-deployments/deployment.js";
import { openAppDeploymentRegistry } from "../app-deployments/open-registry.js";
import type { AppDeploymentRegistry, Change } from "../app-deployments/registry.js";
import type { DocumentProblem } from "../documents/load-trusted-documents.js";
import { readManifest } from "../documents/manifest.js";
import { normalizeDocumentId } from "../documents/trusted-document-registry.js";
import type { AppCommand } from "./app-command.js";
import { messageOf } from "../lib/thrown.js";

/** Longest the command waits for the registry's Redis. */
const CONNECT_MS = 5000;

/** Where the command writes: stdout and stderr, one line at a time (tests collect them). */
export interface Output {
  out(line: string): void;
  err(line: string): void;
}

export const EXIT = { done: 0, failed: 1, refused: 2 } as const;

/** The registry could not be reached or failed: nothing changed (exit 1). */
class RegistryUnavailable extends Error {}

/**
 * Runs one `npm run app` command with the gateway's settings (`config`: the registry, GRAPHQL_MAX_COST,
 * TRUSTED_DOCUMENTS) and returns its exit status. `schema` is the schema this build serves, built only when needed.
 */
export async function runAppCommand(
  command: Exclude<AppCommand, { kind: "help" | "refused" }>,
  config: AppSettings,
  schema: () => Promise<GraphQLSchema>,
  output: Output,
  now: () => Date = () => new Date(),
): Promise<number> {
  if (command.kind === "check") {
    const { documents, problems } = await validateManifest(schema, command.manifest, config);
    if (problems.length > 0) return refuse(output, problems, `${command.manifest} would be refused by the gateway.`);
    output.out(
      `OK: ${documents.length} document(s) in ${command.manifest} parse, validate against the served schema and fit ` +
        `GRAPHQL_MAX_COST (${config.maxOperationCost}).`,
    );
    return EXIT.done;
  }
  // The client reconnects by itself; the command reports what its commands answer.
  const registry = openAppDeploymentRegistry(config, () => {});
  try {
    await registry.connect(CONNECT_MS).catch((error: unknown) => {
      throw new RegistryUnavailable(messageOf(error));
    });
    switch (command.kind) {
      case "create":
        return await create(command, config, schema, registry, output, now);
      case "publish":
      case "retire":
        return await changeState(command.key, command.kind, { actor: command.actor, at: now().toISOString() }, registry, output);
      case "list":
        return await list(command.json, registry, output);
    }
  } catch (error) {
    const reason = messageOf(error);
    output.err(`The registry (${registry.location}) cannot be used: ${reason}. Nothing changed.`);
    return EXIT.failed;
  } finally {
    await registry.close();
  }
}

/**
 * The manifest's documents (one per id) and every problem the gateway's start would report for it. The checks and the
 * schema are loaded here only: publish, retire and list start without them.
 */
async function validateManifest(
  schema: () => Promise<GraphQLSchema>,
  file: string,
  config: AppSettings,
): Promise<{ documents: DeploymentDocument[]; problems: DocumentProblem[] }> {
  const { loadTrustedDocuments } = await import("../documents/load-trusted-documents.js");
  // The start's checks, with the shipped operations and this gateway's TRUSTED_DOCUMENTS beside it (one id, one body).
  const manifests = [...config.trustedDocuments.manifests.filter((other) => other !== file), file];
  const { problems } = loadTrustedDocuments({ schema: await schema(), manifests, maxCost: config.maxOperationCost });
  const manifest = readManifest(file);
  if (manifest.problems.length === 0 && manifest.entries.length === 0)
    problems.push({ source: file, id: null, reason: "holds no documents" });
  const byId = new Map<string, DeploymentDocument>();
  for (const entry of manifest.entries) if (!byId.has(normalizeDocumentId(entry.id))) byId.set(normalizeDocumentId(entry.id), entry);
  return { documents: [...byId.values()], problems };
}

async function refuse(output: Output, problems: readonly DocumentProblem[], outcome: string): Promise<number> {
  const { formatDocumentProblem } = await import("../documents/load-trusted-documents.js");
  for (const problem of problems) output.err(formatDocumentProblem(problem));
  output.err(`${problems.length} problem(s): ${outcome}`);
  return EXIT.refused;
}

/** The audit's log line: when, who, what, how many documents (the registry keeps the same as an entry). */
function logChange(output: Output, change: Change, action: string, key: DeploymentKey, documents: number, registry: AppDeploymentRegistry) {
  output.out(
    `${change.at} ${change.actor} ${action} ${describeDeployment(key)}: ${documents} document(s) (registry: ${registry.location})`,
  );
}

async function create(
  command: Extract<AppCommand, { kind: "create" }>,
  config: AppSettings,
  schema: () => Promise<GraphQLSchema>,
  registry: AppDeploymentRegistry,
  output: Output,
  now: () => Date,
): Promise<number> {
  const { key, manifest } = command;
  const { documents, problems } = await validateManifest(schema, manifest, config);
  if (problems.length > 0) return refuse(output, problems, `${describeDeployment(key)} was not created.`);
  const change = { actor: command.actor, at: now().toISOString() };
  // The registry refuses a conflict atomically; read first to name the deployment that holds the other body.
  const conflicts = await conflictsWith(registry, documents, manifest);
  if (conflicts.length > 0) return refuse(output, conflicts, `${describeDeployment(key)} was not created.`);
  const outcome = await registry.create(key, documents, change, command.publish);
  if (outcome.kind === "conflicts") {
    // Stored by another create between the read and now.
    const raced = await conflictsWith(registry, documents, manifest);
    return refuse(
      output,
      raced.length > 0 ? raced : outcome.ids.map((id) => ({ source: manifest, id, reason: "the id names two different documents" })),
      `${describeDeployment(key)} was not created.`,
    );
  }
  if (outcome.kind === "exists") {
    if (!(await sameDocuments(registry, outcome.existing, documents))) {
      const { createdAt, createdBy } = outcome.existing;
      output.err(
        `${describeDeployment(key)} exists with other documents ` +
          `(created ${createdAt} by ${createdBy}): a version's documents never change; create a new version.`,
      );
      return EXIT.refused;
    }
    output.out(`${describeDeployment(key)} exists already with these ${documents.length} document(s) (${outcome.existing.state}).`);
    return command.publish ? changeState(key, "publish", change, registry, output) : EXIT.done;
  }
  logChange(output, change, "created", key, documents.length, registry);
  if (outcome.published) logChange(output, change, "published", key, documents.length, registry);
  return EXIT.done;
}

/** The manifest's ids the registry holds with another body, each naming a deployment that has it. */
async function conflictsWith(
  registry: AppDeploymentRegistry,
  documents: readonly DeploymentDocument[],
  manifest: string,
): Promise<DocumentProblem[]> {
  const bodies = await registry.bodies(documents.map((document) => normalizeDocumentId(document.id)));
  const clashing = documents.filter((document) => {
    const stored = bodies.get(normalizeDocumentId(document.id));
    return stored !== undefined && stored !== document.body;
  });
  if (clashing.length === 0) return [];
  const deployments = await registry.deployments();
  return clashing.map((document) => {
    const id = normalizeDocumentId(document.id);
    const holder = deployments.find((deployment) => deployment.ids.some((other) => normalizeDocumentId(other) === id));
    return {
      source: manifest,
      id: document.id,
      reason: `the id names two different documents (the other in ${holder ? sourceOf(holder) : "the registry"})`,
    };
  });
}

async function sameDocuments(
  registry: AppDeploymentRegistry,
  existing: StoredDeployment,
  documents: readonly DeploymentDocument[],
): Promise<boolean> {
  const ids = new Set(existing.ids.map(normalizeDocumentId));
  if (ids.size !== documents.length || !documents.every((document) => ids.has(normalizeDocumentId(document.id)))) return false;
  const bodies = await registry.bodies([...ids]);
  return documents.every((document) => bodies.get(normalizeDocumentId(document.id)) === document.body);
}

async function changeState(
  key: DeploymentKey,
  action: "publish" | "retire",
  change: Change,
  registry: AppDeploymentRegistry,
  output: Output,
): Promise<number> {
  const state = action === "publish" ? "published" : "retired";
  const outcome = await registry.setState(key, state, change);
  if (outcome.kind === "missing") {
    output.err(`No app deployment ${describeDeployment(key)} in the registry (${registry.location}); see npm run app -- list`);
    return EXIT.refused;
  }
  if (outcome.kind === "unchanged") {
    output.out(`${describeDeployment(key)} is ${state} already: nothing changed.`);
    return EXIT.done;
  }
  logChange(output, change, state, key, outcome.documents, registry);
  return EXIT.done;
}

/** One deployment as `list` shows it. */
export interface DeploymentListing {
  name: string;
  version: string;
  state: string;
  since: string;
  by: string;
  createdAt: string;
  createdBy: string;
  documents: number;
  requests: number;
  lastRequestAt: string | null;
  usage: Array<{ id: string; requests: number; lastRequestAt: string | null }>;
  history: Array<{ action: string; at: string; actor: string; documents: number }>;
}

async function list(json: boolean, registry: AppDeploymentRegistry, output: Output): Promise<number> {
  const [deployments, usage, audit] = await Promise.all([registry.deployments(), registry.usage(), registry.audit()]);
  // By name, then in the order the versions were created.
  const ordered = deployments.sort((a, b) => a.name.localeCompare(b.name) || a.createdAt.localeCompare(b.createdAt));
  const listings = ordered.map((deployment) => listing(deployment, usage, audit));
  if (json) {
    output.out(JSON.stringify({ registry: registry.location, deployments: listings }, null, 2));
    return EXIT.done;
  }
  if (listings.length === 0) {
    output.out(`No app deployments in the registry (${registry.location}).`);
    return EXIT.done;
  }
  const rows = [
    ["NAME", "VERSION", "STATE", "DOCUMENTS", "REQUESTS", "LAST REQUEST", "SINCE"],
    ...listings.map((item) => [
      item.name,
      item.version,
      item.state,
      String(item.documents),
      String(item.requests),
      item.lastRequestAt ?? "never",
      `${item.since} by ${item.by}`,
    ]),
  ];
  const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => row[column].length)));
  for (const row of rows)
    output.out(
      row
        .map((cell, column) => cell.padEnd(widths[column]))
        .join("  ")
        .trimEnd(),
    );
  output.out(`Registry: ${registry.location}. Requests are reported by the gateways every second.`);
  return EXIT.done;
}

function listing(
  deployment: StoredDeployment,
  usage: readonly UsageTotal[],
  audit: Awaited<ReturnType<AppDeploymentRegistry["audit"]>>,
): DeploymentListing {
  const mine = (item: { name: string; version: string }) => item.name === deployment.name && item.version === deployment.version;
  const counted = new Map(usage.filter(mine).map((item) => [item.id, item]));
  const documents = deployment.ids.map((id) => {
    const total = counted.get(normalizeDocumentId(id));
    return {
      id,
      requests: total?.requests ?? 0,
      lastRequestAt: total && total.lastRequestAt > 0 ? new Date(total.lastRequestAt).toISOString() : null,
    };
  });
  const last = Math.max(0, ...[...counted.values()].map((item) => item.lastRequestAt));
  return {
    name: deployment.name,
    version: deployment.version,
    state: deployment.state,
    since: deployment.stateSince,
    by: deployment.stateBy,
    createdAt: deployment.createdAt,
    createdBy: deployment.createdBy,
    documents: deployment.ids.length,
    requests: [...counted.values()].reduce((sum, item) => sum + item.requests, 0),
    lastRequestAt: last > 0 ? new Date(last).toISOString() : null,
    usage: documents,
    history: audit.filter(mine).map(({ action, at, actor, documents: count }) => ({ action, at, actor, documents: count })),
  };
}
