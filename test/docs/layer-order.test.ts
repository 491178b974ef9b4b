import { readFileSync } from "node:fs";
import { blocksUnder, markdownBlocks } from "../support/markdown-blocks.js";
import { APART, LAYERS, type Layer } from "../support/layer-order.js";

// One layer order, published once: LAYERS (test/support/layer-order.ts) is what test/unit/layering.test.ts holds every
// import to, and the three pages that describe the layout are read here and compared with it, folder by folder, so
// none of them can tell a newcomer another order.

const read = (page: string) => readFileSync(page, "utf8");

/** A folder as LAYERS names it: `src/http/` -> "http", `src/server.ts` -> "server.ts". */
const folderOf = (token: string) => token.replace(/^src\//, "").replace(/\/$/, "");

/**
 * The folders each line of a diagram stands for, in order: those named at the start of a line (after any arrows), in
 * its left column, which ends at the first run of two spaces. Folders named in the explanation on the right are not
 * counted (they say what a layer calls, not where it stands).
 */
export function diagramLines(diagram: string): string[][] {
  return diagram.split("\n").flatMap((line) => {
    const start = line.replace(/^[\s│├─►▼]*/u, "");
    if (!start.startsWith("src/")) return [];
    const left = start.split(/\s{2,}/)[0];
    return [[...left.matchAll(/src\/[a-z.-]+\/?/g)].map(([token]) => folderOf(token))];
  });
}

/** The architecture page's table, as [layer, folder] rows in order. */
export function tableRows(markdown: string): Array<[string, string]> {
  return [...markdown.matchAll(/^\| ([^|]+?) \| `(src\/[a-z.-]+\/?)` \|/gm)].map(([, layer, token]) => [layer, folderOf(token)]);
}

/** Consecutive rows of one layer, gathered: the table's layers in order. */
function layersOfRows(rows: Array<[string, string]>): Layer[] {
  const layers: Layer[] = [];
  for (const [name, folder] of rows) {
    const last = layers.at(-1);
    if (last?.name === name) last.folders.push(folder);
    else layers.push({ name, folders: [folder] });
  }
  return layers;
}

const rank = new Map(LAYERS.flatMap(({ folders }, index) => folders.map((folder) => [folder, index] as const)));
const layerOf = (folder: string) => LAYERS[rank.get(folder) ?? -1]?.name ?? `(${folder}: in no layer)`;

/** Where a diagram's lines leave the order: a line that mixes layers, or a line above the one before it. */
function outOfOrder(lines: string[][]): string[] {
  const problems: string[] = [];
  let previous = -1;
  for (const folders of lines) {
    const layers = [...new Set(folders.map(layerOf))];
    if (layers.length > 1) problems.push(`${folders.join(" ")}: one line, several layers (${layers.join(", ")})`);
    const here = Math.min(...folders.map((folder) => rank.get(folder) ?? Infinity));
    if (here < previous) problems.push(`${folders.join(" ")} (${layerOf(folders[0])}) drawn below ${LAYERS[previous].name}`);
    previous = Math.max(previous, here);
  }
  return problems;
}

describe("the README's diagram (How it is built)", () => {
  const [diagram] = blocksUnder(read("README.md"), "How it is built");

  test("draws every layer on one line, top to bottom, with its folders in LAYERS' order", () => {
    expect(diagramLines(diagram.text)).toEqual(LAYERS.map(({ folders }) => folders));
  });

  test("ends with the emulator, apart", () => {
    expect(diagram.text.trimEnd().split("\n").at(-1)).toContain(`src/${APART.folders[0]}/`);
  });
});

describe("docs/contributors/architecture.md's table", () => {
  const rows = tableRows(read("docs/contributors/architecture.md"));

  test("lists the layers by name, each with its folders, in LAYERS' order, the emulator apart", () => {
    expect(layersOfRows(rows)).toEqual([...LAYERS, APART]);
  });
});

describe("docs/contributors/request-path.md's diagram", () => {
  const [diagram] = markdownBlocks(read("docs/contributors/request-path.md")).fences;
  const lines = diagramLines(diagram.text);
  /** Not on a request's path: the processes, and the settings read once at start. */
  const startOnly = ["main.ts", "tools", "config.ts", "settings"];

  test("goes down the layers: no line above the one before it, no line across two layers", () => {
    expect(outOfOrder(lines)).toEqual([]);
  });

  test("names every folder a request passes through, the trusted documents and both execution paths among them", () => {
    const named = new Set(lines.flat());
    const missing = LAYERS.flatMap(({ folders }) => folders).filter((folder) => !startOnly.includes(folder) && !named.has(folder));
    expect(missing).toEqual([]);
    expect(diagram.text).toContain("trusted-execution.ts");
  });

  test("ends with the emulator, apart", () => {
    expect(diagram.text.trimEnd().split("\n").at(-1)).toContain(`src/${APART.folders[0]}/`);
  });
});

describe("the readers above catch a page that drifts (sanity)", () => {
  test("a diagram line's left column is read, its explanation is not", () => {
    const diagram = " src/http/ src/x.ts   calls src/auth/\n   ├──► src/lib/   helpers\n client\n";
    expect(diagramLines(diagram)).toEqual([["http", "x.ts"], ["lib"]]);
  });

  test("a line drawn above the one before it, or across two layers, is named", () => {
    expect(outOfOrder([["http"], ["lib"], ["auth", "limits"]])).toEqual(["auth limits (rules) drawn below leaves"]);
    expect(outOfOrder([["http", "execution"]])).toEqual(["http execution: one line, several layers (HTTP edge, execution paths)"]);
  });

  test("table rows are read in order and gathered by layer", () => {
    const table = "| a | `src/x/` | role |\n| a | `src/y.ts` | role |\n| b | `src/z/` | role |\n";
    expect(layersOfRows(tableRows(table))).toEqual([
      { name: "a", folders: ["x", "y.ts"] },
      { name: "b", folders: ["z"] },
    ]);
  });
});
