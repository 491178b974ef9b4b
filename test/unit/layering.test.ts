import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import ts from "typescript";
import { APART, LAYERS } from "../support/layer-order.js";

// The folder layout tells how a request flows (docs/contributors/architecture.md): each layer only looks down, every import of
// every file checked against one order (LAYERS, test/support/layer-order.ts). The upstream side (src/voucherify, the REST data source;
// src/shared-state, the replicas' shared limits and cache; src/emulator, the fake upstream) knows nothing of GraphQL,
// not even through another src file, and no two folders import each other, directly or round a longer cycle.

const SRC = path.resolve("src");

/** Files under src, relative to it, with what each imports ("./x.js" resolved to "folder/x.ts"; packages as named). */
function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith(".ts") && !entry.name.endsWith(".d.ts")) {
        const { importedFiles } = ts.preProcessFile(readFileSync(full, "utf8"), true, true);
        graph.set(
          path.relative(SRC, full),
          importedFiles.map(({ fileName }) =>
            fileName.startsWith(".") ? path.relative(SRC, path.resolve(dir, fileName)).replace(/\.js$/, ".ts") : fileName,
          ),
        );
      }
    }
  };
  walk(SRC);
  return graph;
}

/** A file's layer: its folder under src, or the file itself for the few at the top (main.ts, server.ts, config.ts). */
const layerOf = (file: string) => (file.includes(path.sep) ? file.split(path.sep)[0] : file);

const UPSTREAM_SIDE = ["voucherify", "shared-state", "emulator"];
/** The GraphQL packages: whatever imports one is part of the GraphQL layer. */
const GRAPHQL_PACKAGES = [/^(graphql|type-graphql|graphql-scalars)(\/|$)/, /^@apollo\//];
/** The GraphQL layer, as seen from below: its folders, the GraphQL error builders and the GraphQL packages. */
const GRAPHQL_LAYER = [
  /^(graphql|request-context|documents|app-deployments|execution|plugins|operation|referrals|relay|limits|auth)\//,
  /^errors\/graphql-errors\.ts$/,
  ...GRAPHQL_PACKAGES,
];
/** The composition root: the only files at the top of src (every other file lives in the folder of its concern). */
const ROOT_FILES = ["config.ts", "main.ts", "server.ts"];

const posix = (file: string) => file.split(path.sep).join("/");

/**
 * The fake upstream stands apart (APART): started by main.ts only, and built from leaf helpers, Voucherify's wire types
 * (it answers in them) and the HTTP body reader (it reads bodies as the gateway does). Nothing else of the gateway.
 */
const EMULATOR = APART.folders[0];
// The settings tables are leaves too (they import lib/ only): the emulator reads EMULATOR_* through them.
// The upstream's contract the emulator models: its wire types, and Voucherify's own caps (voucherify/domain.ts, which
// imports nothing).
const EMULATOR_MAY_IMPORT = [
  /^lib\//,
  /^settings\//,
  /^voucherify\/upstream-types\.ts$/,
  /^voucherify\/domain\.ts$/,
  /^http\/read-body\.ts$/,
];
const EMULATOR_IMPORTED_BY = ["main.ts"];
/**
 * Imports known to run up ("from.ts -> to.ts"), each with why it is still there; none left. The check fails for an
 * upward import not listed here, and for an entry no longer needed (remove it then), so the list can neither hide a
 * new one nor outlive the one it excused.
 */
const KNOWN_UPWARD: Record<string, string> = {};

/** Every import between files of different layers that runs up, or touches the emulator otherwise than allowed. */
function layerViolations(graph: Map<string, string[]>, layers: string[][] = LAYERS.map(({ folders }) => folders)): string[] {
  const rank = new Map(layers.flatMap((names, index) => names.map((name) => [name, index] as const)));
  const violations: string[] = [];
  for (const [file, imports] of graph) {
    const from = layerOf(file);
    for (const imported of imports) {
      if (!graph.has(imported)) continue; // a package
      const to = layerOf(imported);
      if (to === from) continue;
      const edge = `${posix(file)} -> ${posix(imported)}`;
      if (from === EMULATOR) {
        if (!EMULATOR_MAY_IMPORT.some((pattern) => pattern.test(posix(imported)))) violations.push(`${edge} (the emulator stands apart)`);
      } else if (to === EMULATOR) {
        if (!EMULATOR_IMPORTED_BY.includes(from)) violations.push(`${edge} (only ${EMULATOR_IMPORTED_BY.join(", ")} starts the emulator)`);
      } else if (!rank.has(from) || !rank.has(to)) {
        violations.push(`${edge} (${rank.has(from) ? to : from} has no place in the layer order)`);
      } else if (rank.get(from)! > rank.get(to)!) {
        violations.push(`${edge} (runs up: ${to} is above ${from})`);
      }
    }
  }
  return violations.sort();
}

/** The layer check's verdict: upward imports `known` does not excuse, and entries of `known` no import needs. */
function upwardImports(
  graph: Map<string, string[]>,
  known: Record<string, string> = KNOWN_UPWARD,
): { unlisted: string[]; stale: string[] } {
  const violations = layerViolations(graph);
  const edges = new Set(violations.map((violation) => violation.split(" (")[0]));
  return {
    unlisted: violations.filter((violation) => !(violation.split(" (")[0] in known)),
    stale: Object.keys(known)
      .filter((edge) => !edges.has(edge))
      .sort(),
  };
}

/**
 * Every GraphQL package `from` reaches through src files (type-only imports included: they name the GraphQL layer's
 * types all the same), each as the shortest import chain that reaches it, "a.ts -> b.ts -> graphql".
 */
function graphqlReachedFrom(graph: Map<string, string[]>, from: string): string[] {
  const chains: string[] = [];
  const seen = new Set([from]);
  let frontier: string[][] = [[from]];
  while (frontier.length > 0) {
    const next: string[][] = [];
    for (const chain of frontier) {
      for (const imported of graph.get(chain.at(-1)!) ?? []) {
        if (seen.has(imported)) continue;
        seen.add(imported);
        if (GRAPHQL_PACKAGES.some((pattern) => pattern.test(imported))) chains.push([...chain, imported].map(posix).join(" -> "));
        else if (graph.has(imported)) next.push([...chain, imported]);
      }
    }
    frontier = next;
  }
  return chains;
}

describe("layering", () => {
  const graph = importGraph();

  test("the import graph is read (sanity: the GraphQL layer is seen importing type-graphql)", () => {
    expect(graph.get(path.join("referrals", "customer.type.ts"))).toContain("type-graphql");
    expect(graph.size).toBeGreaterThan(50);
  });

  test("src/voucherify, src/shared-state and src/emulator never import the GraphQL layer", () => {
    const violations: string[] = [];
    for (const [file, imports] of graph) {
      if (!UPSTREAM_SIDE.includes(layerOf(file))) continue;
      for (const imported of imports) {
        if (GRAPHQL_LAYER.some((pattern) => pattern.test(imported.split(path.sep).join("/")))) {
          violations.push(`${posix(file)} -> ${posix(imported)}`);
        }
      }
    }
    expect(violations).toEqual([]);
  });

  test("nor reach a GraphQL package through another src file", () => {
    const violations = [...graph.keys()]
      .filter((file) => UPSTREAM_SIDE.includes(layerOf(file)))
      .flatMap((file) => graphqlReachedFrom(graph, file));
    expect(violations).toEqual([]);
  });

  test("every import follows the layer order, KNOWN_UPWARD aside, and every entry of KNOWN_UPWARD is still needed", () => {
    expect(upwardImports(graph)).toEqual({ unlisted: [], stale: [] });
  });

  test("the known-upward check fails both ways (sanity): an upward import not listed, an entry no import needs", () => {
    const upward = "voucherify/client.ts -> http/send.ts";
    const fabricated = new Map([
      ["http/routes.ts", ["voucherify/client.ts"]],
      ["voucherify/client.ts", ["http/send.ts"]],
      ["http/send.ts", []],
    ]);
    expect(upwardImports(fabricated, {})).toEqual({ unlisted: [`${upward} (runs up: http is above voucherify)`], stale: [] });
    expect(upwardImports(fabricated, { [upward]: "why it stays" })).toEqual({ unlisted: [], stale: [] });
    // Gone, or never upward: either way the entry excuses nothing and must go.
    const stale = {
      [upward]: "why it stays",
      "voucherify/gone.ts -> http/send.ts": "gone",
      "http/routes.ts -> voucherify/client.ts": "down",
    };
    expect(upwardImports(fabricated, stale)).toEqual({
      unlisted: [],
      stale: ["http/routes.ts -> voucherify/client.ts", "voucherify/gone.ts -> http/send.ts"],
    });
  });

  test("every folder of src has a place in the layer order", () => {
    const placed = new Set([...LAYERS.flatMap(({ folders }) => folders), EMULATOR]);
    expect([...new Set([...graph.keys()].map(layerOf))].filter((layer) => !placed.has(layer)).sort()).toEqual([]);
  });

  test("every folder of the layer order is in src (a folder gone is gone from the order too)", () => {
    const present = new Set([...graph.keys()].map(layerOf));
    expect([...LAYERS, APART].flatMap(({ folders }) => folders).filter((folder) => !present.has(folder))).toEqual([]);
  });

  test("the layer check catches an import that runs up, an unplaced folder and the emulator's reach (sanity)", () => {
    const fabricated = new Map([
      ["http/routes.ts", ["voucherify/client.ts", "graphql"]],
      ["voucherify/client.ts", ["http/send.ts", "lib/json-object.ts", "lib/json-object.ts"]],
      ["http/send.ts", []],
      ["lib/json-object.ts", []],
      ["newfolder/x.ts", ["lib/json-object.ts"]],
      ["emulator/app.ts", ["voucherify/client.ts", "voucherify/upstream-types.ts", "lib/json-object.ts"]],
      ["voucherify/upstream-types.ts", ["emulator/app.ts"]],
    ]);
    expect(layerViolations(fabricated)).toEqual([
      "emulator/app.ts -> voucherify/client.ts (the emulator stands apart)",
      "newfolder/x.ts -> lib/json-object.ts (newfolder has no place in the layer order)",
      "voucherify/client.ts -> http/send.ts (runs up: http is above voucherify)",
      "voucherify/upstream-types.ts -> emulator/app.ts (only main.ts starts the emulator)",
    ]);
  });

  test("the reach finder follows src imports to a GraphQL package (sanity: a chain two files deep is found)", () => {
    const graph = new Map([
      ["voucherify/client.ts", ["errors.ts", "node:http"]],
      ["errors.ts", ["error-builders.ts"]],
      ["error-builders.ts", ["graphql"]],
      ["clean.ts", ["node:http"]],
    ]);
    expect(graphqlReachedFrom(graph, "voucherify/client.ts")).toEqual([
      "voucherify/client.ts -> errors.ts -> error-builders.ts -> graphql",
    ]);
    expect(graphqlReachedFrom(graph, "clean.ts")).toEqual([]);
  });

  test("only the composition root sits at the top of src: every other file is in the folder of its concern", () => {
    const loose = [...graph.keys()].filter((file) => !file.includes(path.sep)).sort();
    expect(loose).toEqual(ROOT_FILES);
  });

  test("src/lib holds leaf helpers: they import nothing from src, so every layer may use them", () => {
    const violations = [...graph]
      .filter(([file]) => layerOf(file) === "lib")
      .flatMap(([file, imports]) =>
        imports.filter((imported) => graph.has(imported)).map((imported) => `${posix(file)} -> ${posix(imported)}`),
      );
    expect(violations).toEqual([]);
  });

  test("folders do not import each other in a cycle", () => {
    const edges = new Map<string, Set<string>>();
    for (const [file, imports] of graph) {
      const from = layerOf(file);
      for (const imported of imports) {
        if (!graph.has(imported)) continue; // a package
        const to = layerOf(imported);
        if (to === from) continue;
        (edges.get(from) ?? edges.set(from, new Set()).get(from)!).add(to);
      }
    }
    expect(findCycles(edges)).toEqual([]);
  });

  test("the cycle finder finds a cycle and names it from its smallest member", () => {
    const edges = new Map([
      ["b", new Set(["c"])],
      ["c", new Set(["a"])],
      ["a", new Set(["b"])],
      ["d", new Set(["a"])],
    ]);
    expect(findCycles(edges)).toEqual(["a -> b -> c -> a"]);
  });
});

/** Every elementary cycle, each written once, starting from its alphabetically smallest folder. */
function findCycles(edges: Map<string, Set<string>>): string[] {
  const found = new Set<string>();
  const visit = (start: string, node: string, trail: string[]) => {
    for (const next of edges.get(node) ?? []) {
      if (next === start) found.add([...trail, start].join(" -> "));
      else if (next > start && !trail.includes(next)) visit(start, next, [...trail, next]);
    }
  };
  for (const start of [...edges.keys()].sort()) visit(start, start, [start]);
  return [...found].sort();
}
