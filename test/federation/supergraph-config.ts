import { resolve } from "node:path";
import { parse as parseYaml } from "yaml";
import { isJsonObject } from "../../src/lib/json-object.js";

/** Where one subgraph's SDL comes from: a file, a running subgraph (`_service { sdl }`), or the SDL itself. */
export type SchemaSource =
  { kind: "file"; path: string } | { kind: "introspection"; url: string; headers: Record<string, string> } | { kind: "sdl"; sdl: string };

export interface SubgraphEntry {
  name: string;
  routingUrl: string;
  schema: SchemaSource;
}

export interface SupergraphConfig {
  /** `federation_version` as written (rover picks its composition by it), or null. */
  federationVersion: string | null;
  subgraphs: SubgraphEntry[];
}

/**
 * Reads rover's `supergraph.yaml` (the same file `rover supergraph compose --config` takes): `federation_version`, and
 * per subgraph `routing_url` and `schema` as `file` (relative to the config's folder), `subgraph_url` (with
 * `introspection_headers`) or `sdl`. `${env.NAME}` in a value is replaced by that variable, as rover does.
 * Returns every problem, one line each, instead of stopping at the first.
 */
export function readSupergraphConfig(
  text: string,
  configDir: string,
  env: NodeJS.ProcessEnv,
): { config: SupergraphConfig; problems: string[] } {
  const problems: string[] = [];
  const expand = (value: string, where: string) =>
    value.replace(/\$\{env\.([A-Za-z_][A-Za-z0-9_]*)\}/g, (_match, name: string) => {
      const found = env[name];
      if (found === undefined) problems.push(`${where}: \${env.${name}} is not set in the environment`);
      return found ?? "";
    });
  let document: unknown;
  try {
    document = parseYaml(text);
  } catch (error) {
    return { config: { federationVersion: null, subgraphs: [] }, problems: [`not valid YAML: ${(error as Error).message.split("\n")[0]}`] };
  }
  const root = isJsonObject(document) ? document : {};
  const version = root.federation_version;
  const federationVersion = typeof version === "string" || typeof version === "number" ? String(version) : null;
  if (federationVersion !== null && !/^=?2(\.|$)/.test(federationVersion)) {
    problems.push(`federation_version: ${federationVersion}: only Federation 2 is composed (for example =2.7.1)`);
  }
  if (!isJsonObject(root.subgraphs) || Object.keys(root.subgraphs).length === 0) {
    problems.push("subgraphs: missing: name each subgraph with its routing_url and schema");
    return { config: { federationVersion, subgraphs: [] }, problems };
  }
  const subgraphs: SubgraphEntry[] = [];
  for (const [name, entry] of Object.entries(root.subgraphs)) {
    const where = `subgraphs.${name}`;
    const schema = isJsonObject(entry) && isJsonObject(entry.schema) ? entry.schema : null;
    if (!schema) {
      problems.push(`${where}.schema: missing: give file, subgraph_url or sdl`);
      continue;
    }
    let source: SchemaSource | null = null;
    if (typeof schema.file === "string") {
      source = { kind: "file", path: resolve(configDir, expand(schema.file, `${where}.schema.file`)) };
    } else if (typeof schema.subgraph_url === "string") {
      const headers = isJsonObject(schema.introspection_headers) ? schema.introspection_headers : {};
      source = {
        kind: "introspection",
        url: expand(schema.subgraph_url, `${where}.schema.subgraph_url`),
        headers: Object.fromEntries(
          Object.entries(headers).map(([header, value]) => [header, expand(String(value), `${where}.schema.introspection_headers`)]),
        ),
      };
    } else if (typeof schema.sdl === "string") {
      source = { kind: "sdl", sdl: schema.sdl };
    } else if ("graphref" in schema) {
      problems.push(`${where}.schema.graphref: GraphOS needs rover: give file, subgraph_url or sdl`);
      continue;
    } else {
      problems.push(`${where}.schema: give file, subgraph_url or sdl`);
      continue;
    }
    // As with rover, a subgraph read from its URL is routed to that URL unless routing_url says otherwise.
    const given = isJsonObject(entry) && typeof entry.routing_url === "string" ? expand(entry.routing_url, `${where}.routing_url`) : null;
    const routingUrl = given ?? (source.kind === "introspection" ? source.url : null);
    if (routingUrl === null) {
      problems.push(`${where}.routing_url: missing: the URL the router sends this subgraph's requests to`);
      continue;
    }
    subgraphs.push({ name, routingUrl, schema: source });
  }
  return { config: { federationVersion, subgraphs }, problems };
}
