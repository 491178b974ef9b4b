import { readFileSync } from "node:fs";
import { isJsonObject } from "../lib/json-object.js";

/** One document of a manifest, as written there: checked later (load-trusted-documents.ts). */
export interface ManifestEntry {
  id: string;
  body: string;
}

/** A problem with a manifest, or with one of its documents when `id` is known. */
export interface ManifestProblem {
  id: string | null;
  reason: string;
}

export interface Manifest {
  entries: ManifestEntry[];
  problems: ManifestProblem[];
}

const APOLLO_FORMAT = "apollo-persisted-query-manifest";

/**
 * The documents of a manifest in either format the client tools write:
 * - Apollo's persisted query manifest (`@apollo/generate-persisted-query-manifest`):
 *   `{"format": "apollo-persisted-query-manifest", "version": 1, "operations": [{"id", "name", "type", "body"}]}`;
 * - a plain `{"<id>": "<document>"}` object (relay-compiler's `persistConfig` file, graphql-codegen client-preset's
 *   `persisted-documents.json`, whose keys read `sha256:<hex>`).
 */
export function parseManifest(text: string): Manifest {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return { entries: [], problems: [{ id: null, reason: `not JSON (${(error as Error).message})` }] };
  }
  if (!isJsonObject(json)) {
    return {
      entries: [],
      problems: [{ id: null, reason: 'not a manifest: expected a JSON object ({"<id>": "<document>"} or Apollo\'s)' }],
    };
  }
  return json.format === undefined ? parseDocumentMap(json) : parseApolloManifest(json);
}

function parseApolloManifest(json: Record<string, unknown>): Manifest {
  if (json.format !== APOLLO_FORMAT) {
    return {
      entries: [],
      problems: [{ id: null, reason: `unknown manifest format ${JSON.stringify(json.format)}; expected "${APOLLO_FORMAT}"` }],
    };
  }
  if (json.version !== 1) {
    return {
      entries: [],
      problems: [{ id: null, reason: `unsupported ${APOLLO_FORMAT} version ${JSON.stringify(json.version)}; expected 1` }],
    };
  }
  if (!Array.isArray(json.operations)) {
    return { entries: [], problems: [{ id: null, reason: "operations is not an array" }] };
  }
  const entries: ManifestEntry[] = [];
  const problems: ManifestProblem[] = [];
  json.operations.forEach((operation: unknown, index) => {
    const id = isJsonObject(operation) && typeof operation.id === "string" && operation.id.length > 0 ? operation.id : null;
    if (id === null) problems.push({ id: null, reason: `operations[${index}] has no id (a non-empty string)` });
    else if (!isJsonObject(operation) || typeof operation.body !== "string") problems.push({ id, reason: "body is not a string" });
    else entries.push({ id, body: operation.body });
  });
  return { entries, problems };
}

function parseDocumentMap(json: Record<string, unknown>): Manifest {
  const entries: ManifestEntry[] = [];
  const problems: ManifestProblem[] = [];
  for (const [id, body] of Object.entries(json)) {
    if (id.length === 0) problems.push({ id: null, reason: "an empty id" });
    else if (typeof body !== "string") problems.push({ id, reason: "the document is not a string" });
    else entries.push({ id, body });
  }
  return { entries, problems };
}

export function readManifest(file: string): Manifest {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return { entries: [], problems: [{ id: null, reason: code === "ENOENT" ? "no such file" : `cannot be read (${code ?? "error"})` }] };
  }
  return parseManifest(text);
}
