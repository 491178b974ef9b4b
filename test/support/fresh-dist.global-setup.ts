import { execFileSync } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import path from "node:path";

// Several suites run the built gateway (`node dist/src/main.js`, test/support/gateway-process.ts and others). After
// an edit under src/, `npm run jest` alone would test the previous build without a word: this runs before any suite
// and rebuilds when a src file is newer than its output (or has none), so a suite never runs stale code.

/** src/**\/*.ts (declarations aside), relative to the repository. */
function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sources(full);
    return entry.name.endsWith(".ts") && !entry.name.endsWith(".d.ts") ? [full] : [];
  });
}

const mtimeOf = (file: string): number | null => {
  try {
    return statSync(file).mtimeMs;
  } catch {
    return null;
  }
};

/** The src files whose build output is missing or older than they are. */
export function staleOutputs(root: string): string[] {
  return sources(path.join(root, "src")).filter((source) => {
    const output = mtimeOf(path.join(root, "dist", path.relative(root, source)).replace(/\.ts$/, ".js"));
    return output === null || output < mtimeOf(source)!;
  });
}

export default function freshDist(): void {
  const root = process.cwd();
  const stale = staleOutputs(root);
  if (stale.length === 0) return;
  const shown = stale.slice(0, 3).map((file) => path.relative(root, file));
  const more = stale.length > 3 ? ", ..." : "";
  process.stderr.write(`\ndist/ is older than ${stale.length} src file(s) (${shown.join(", ")}${more}): running npm run build first\n`);
  try {
    execFileSync("npm", ["run", "--silent", "build"], { cwd: root, stdio: "inherit" });
  } catch {
    throw new Error("npm run build failed: the suites that run dist/ would test stale code; fix the build first");
  }
}
