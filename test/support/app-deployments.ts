import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse, print, visit, type ObjectTypeDefinitionNode } from "graphql";
import { sha256Hex } from "../../src/documents/load-trusted-documents.js";
import { runCommand, type CommandResult } from "./child-process.js";

// What tests of app deployments share: the command as operators run it (the compiled entry point: `npm test` builds
// first), manifests written to a folder of the test's own, and requests by id.

const APP = "dist/src/tools/app.js";

/**
 * A registry folder no gateway of a test has written: test gateways get one unless they name their own, so a
 * developer's own `.data/app-deployments` never leaks into them.
 */
export const NO_APP_DEPLOYMENTS_DIR = join(tmpdir(), "referrals-gateway-tests-no-app-deployments");

/**
 * How long a test waits for a publish or a retire to be served. Gateways poll the registry every 250 ms and swap
 * within 2 s on an idle machine; a test waits longer because CI runs several suites on two busy cores, where a
 * 2-second wait failed once there. The 2 s promise rests on the 250 ms poll (POLL_MS) and a swap of milliseconds; a
 * test asserts that the swap happens with no restart and no failed request, never how fast.
 */
export const PUBLISHED_WITHIN_MS = 10_000;

/** `npm run app -- <args>` with exactly `env` (plus PATH and HOME); asynchronous, so load can run meanwhile. */
export function runApp(args: string[], env: Record<string, string>): Promise<CommandResult> {
  if (!existsSync(APP)) throw new Error(`${APP} is missing: run \`npm run build\` first (npm test does).`);
  return runCommand(process.execPath, [APP, ...args], { env });
}

/** `npm run schema:check -- <args>` with exactly `env` (plus PATH and HOME). */
export function schemaCheck(args: string[], env: Record<string, string>): Promise<CommandResult> {
  return runCommand(process.execPath, ["dist/src/tools/schema-check.js", ...args], { env });
}

/** schema/client.graphql without the field `type.field` (SDL text): a breaking change. */
export function clientSchemaWithout(type: string, field: string): string {
  return print(
    visit(parse(readFileSync("schema/client.graphql", "utf8")), {
      ObjectTypeDefinition(node: ObjectTypeDefinitionNode) {
        if (node.name.value !== type) return undefined;
        return { ...node, fields: node.fields?.filter((definition) => definition.name.value !== field) };
      },
    }),
  );
}

/** `list --json`'s deployments. */
export async function listDeployments(env: Record<string, string>): Promise<
  Array<{
    name: string;
    version: string;
    state: string;
    documents: number;
    requests: number;
    lastRequestAt: string | null;
    usage: Array<{ id: string; requests: number }>;
    history: Array<{ action: string; actor: string; at: string; documents: number }>;
  }>
> {
  const result = await runApp(["list", "--json"], env);
  if (result.status !== 0) throw new Error(`app list failed (${result.status}): ${result.stderr}`);
  return (JSON.parse(result.stdout) as { deployments: Awaited<ReturnType<typeof listDeployments>> }).deployments;
}

/** A folder for a test's manifests. */
export function manifestFolder(prefix: string): (name: string, content: unknown) => string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return (name, content) => {
    const path = join(dir, name);
    writeFileSync(path, typeof content === "string" ? content : JSON.stringify(content));
    return path;
  };
}

/** An Apollo persisted query manifest of these operations (ids: the sha256 of each body, as the tool writes them). */
export function apolloManifest(...bodies: string[]): object {
  return {
    format: "apollo-persisted-query-manifest",
    version: 1,
    operations: bodies.map((body) => ({ id: sha256Hex(body), name: /query (\w+)/.exec(body)?.[1] ?? "", type: "query", body })),
  };
}

/** POSTs a request by `documentId`; the answer's status and its first error's code (undefined: no error). */
export async function byId(graphqlUrl: string, id: string, variables: Record<string, unknown> = {}, headers: Record<string, string> = {}) {
  const response = await fetch(graphqlUrl, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify({ documentId: id, variables }),
  });
  const body = (await response.json()) as { data?: unknown; errors?: Array<{ extensions?: { code?: string } }> };
  return { status: response.status, code: body.errors?.[0]?.extensions?.code, data: body.data };
}
