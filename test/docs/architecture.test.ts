import { readdirSync, readFileSync } from "node:fs";

// docs/contributors/architecture.md is the map of src/: it must name every folder and root file there is, and nothing
// that is gone, so the map cannot drift from the layout a newcomer sees with `ls src`.

const page = readFileSync("docs/contributors/architecture.md", "utf8");
const named = new Set([...page.matchAll(/^\| [^|]+ \| `src\/([a-z.-]+?)\/?` \|/gm)].map((match) => match[1]));

test("the architecture table names every folder and root file of src/, and nothing else", () => {
  const entries = readdirSync("src", { withFileTypes: true })
    .filter((entry) => entry.isDirectory() || entry.name.endsWith(".ts"))
    .map((entry) => entry.name)
    .sort();
  expect([...named].sort()).toEqual(entries);
});
