import { mkdir, readFile, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, relative, resolve } from "node:path";
import { composeServices } from "@apollo/composition";
import { parse, type DocumentNode } from "graphql";
import { readSupergraphConfig, type SubgraphEntry } from "./supergraph-config.js";

/*
 * `npm run compose`: rover's `supergraph compose`, offline. It reads the same supergraph.yaml, composes with
 * @apollo/composition (the library rover's composition is built from) and writes the supergraph SDL that Apollo
 * Router and @apollo/gateway load. It lives with the development tools (built by tsconfig.tools.json), not in src/:
 * @apollo/composition is a development dependency, and a production install has no use for composing.
 */

export const USAGE = "usage: npm run compose -- [--config supergraph.yaml] [--output supergraph.graphql | --output -]";

const INTROSPECTION_TIMEOUT_MS = 10_000;

export interface ComposeIo {
  /** Where relative paths start: the folder `npm run` was started in. */
  cwd: string;
  env: NodeJS.ProcessEnv;
  out(text: string): void;
  err(line: string): void;
}

/** Runs the command; resolves with its exit code: 0 composed and written, 2 for any problem (one line each on err). */
export async function composeCommand(args: readonly string[], io: ComposeIo): Promise<number> {
  const options = parseArguments(args);
  if ("problem" in options) {
    io.err(options.problem);
    io.err(USAGE);
    return 2;
  }
  if (options.help) {
    io.out(`${USAGE}\n`);
    return 0;
  }
  const configPath = resolve(io.cwd, options.config);
  const shown = shownPath(io.cwd, configPath);
  let text: string;
  try {
    text = await readFile(configPath, "utf8");
  } catch (error) {
    io.err(`${shown}: cannot be read (${(error as NodeJS.ErrnoException).code ?? "unknown error"}); see docs/platform/composition.md`);
    return 2;
  }
  const { config, problems } = readSupergraphConfig(text, dirname(configPath), io.env);
  const loaded = await Promise.all(config.subgraphs.map((subgraph) => loadSubgraph(subgraph)));
  const allProblems = [
    ...problems.map((problem) => `${shown}: ${problem}`),
    ...loaded.flatMap((result) => ("problem" in result ? [result.problem] : [])),
  ];
  if (allProblems.length > 0) {
    allProblems.forEach((line) => io.err(line));
    return 2;
  }
  const services = loaded.flatMap((result) => ("service" in result ? [result.service] : []));
  const composition = composeServices(services);
  if (composition.errors) {
    for (const error of composition.errors) {
      const code = typeof error.extensions.code === "string" ? error.extensions.code : "(no code)";
      io.err(`composition error ${code}: ${oneLine(error.message)}`);
    }
    return 2;
  }
  for (const hint of composition.hints) io.err(`hint ${hint.definition.code}: ${oneLine(hint.message)}`);
  const version = compositionVersion();
  if (config.federationVersion !== null && config.federationVersion.replace(/^=/, "") !== version) {
    io.err(`note: federation_version ${config.federationVersion} chooses rover's composition; this composes with ${version}`);
  }
  const summary = `Composed ${services.map((service) => service.name).join(", ")} with @apollo/composition ${version}`;
  if (options.output === "-") {
    io.out(composition.supergraphSdl);
    io.err(summary);
  } else {
    const outputPath = resolve(io.cwd, options.output);
    await mkdir(dirname(outputPath), { recursive: true });
    await writeFile(outputPath, composition.supergraphSdl);
    io.out(`${summary} into ${shownPath(io.cwd, outputPath)}\n`);
  }
  return 0;
}

function parseArguments(args: readonly string[]): { config: string; output: string; help: boolean } | { problem: string } {
  const options = { config: "supergraph.yaml", output: "supergraph.graphql", help: false };
  for (let index = 0; index < args.length; index++) {
    const argument = args[index];
    if (argument === "--help" || argument === "-h") options.help = true;
    else if (argument === "--config" || argument === "--output") {
      const value = args[++index];
      if (value === undefined || value === "") return { problem: `${argument} needs a value` };
      options[argument === "--config" ? "config" : "output"] = value;
    } else return { problem: `unknown argument: ${argument}` };
  }
  return options;
}

type Loaded = { service: { name: string; url: string; typeDefs: DocumentNode } } | { problem: string };

/** One subgraph's SDL, parsed, from where the config says; or the problem, in one line naming the subgraph. */
async function loadSubgraph(subgraph: SubgraphEntry): Promise<Loaded> {
  const { name, routingUrl, schema } = subgraph;
  let sdl: string;
  try {
    if (schema.kind === "file") sdl = await readFile(schema.path, "utf8");
    else if (schema.kind === "sdl") sdl = schema.sdl;
    else sdl = await introspect(schema.url, schema.headers);
  } catch (error) {
    const from = schema.kind === "file" ? schema.path : schema.kind === "introspection" ? schema.url : "sdl";
    return { problem: `subgraph ${name}: cannot read its schema from ${from}: ${oneLine((error as Error).message)}` };
  }
  try {
    return { service: { name, url: routingUrl, typeDefs: parse(sdl) } };
  } catch (error) {
    return { problem: `subgraph ${name}: its schema does not parse: ${oneLine((error as Error).message)}` };
  }
}

/** `_service { sdl }`, as routers and `rover subgraph introspect` read a subgraph. */
async function introspect(url: string, headers: Record<string, string>): Promise<string> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify({ query: "{ _service { sdl } }" }),
    signal: AbortSignal.timeout(INTROSPECTION_TIMEOUT_MS),
  });
  const body = (await response.json().catch(() => null)) as {
    data?: { _service?: { sdl?: string } };
    errors?: Array<{ message: string }>;
  } | null;
  const sdl = body?.data?._service?.sdl;
  if (typeof sdl === "string") return sdl;
  const why = body?.errors?.map((error) => error.message).join("; ") ?? `HTTP ${response.status}`;
  throw new Error(`_service { sdl } answered no SDL (${why})`);
}

/** A path as the caller would type it: relative to where they are, unless it lies elsewhere. */
function shownPath(cwd: string, path: string): string {
  const fromCwd = relative(cwd, path);
  return fromCwd === "" || fromCwd.startsWith("..") ? path : fromCwd;
}

const oneLine = (text: string) => text.replace(/\s*\n\s*/g, " ").trim();

function compositionVersion(): string {
  return (createRequire(import.meta.url)("@apollo/composition/package.json") as { version: string }).version;
}
