import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { staleOutputs } from "../support/fresh-dist.global-setup.js";

// The jest global setup rebuilds dist/ when staleOutputs names a file: it must name every src file whose output is
// missing or older, and nothing else (or every run would rebuild).
describe("staleOutputs (the check before suites that run dist/)", () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(path.join(tmpdir(), "fresh-dist-"));
    mkdirSync(path.join(root, "src", "http"), { recursive: true });
    mkdirSync(path.join(root, "dist", "src", "http"), { recursive: true });
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  const file = (relative: string, mtimeSeconds: number) => {
    const full = path.join(root, relative);
    writeFileSync(full, "");
    utimesSync(full, mtimeSeconds, mtimeSeconds);
    return full;
  };

  test("names a source newer than its output, and one with no output; declarations have none", () => {
    file("src/main.ts", 1000);
    file("dist/src/main.js", 2000);
    const edited = file("src/http/send.ts", 3000);
    file("dist/src/http/send.js", 2000);
    const added = file("src/http/new.ts", 1000);
    file("src/types.d.ts", 5000);
    expect(staleOutputs(root).sort()).toEqual([added, edited].sort());
  });

  test("names nothing when every output is at least as new as its source", () => {
    file("src/main.ts", 1000);
    file("dist/src/main.js", 1000);
    expect(staleOutputs(root)).toEqual([]);
  });
});
