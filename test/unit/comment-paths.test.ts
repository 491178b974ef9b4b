import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import ts from "typescript";

// Comments that name a file of the repository (`src/...`, `test/...`, `docs/...`, `schema/...`, `deploy/...`) must name
// one that exists: a file moved or renamed leaves its old path behind in the comments that point at it.

const ROOTS = ["src", "test"];
const SKIPPED_DIRECTORIES = new Set(["node_modules", "__generated__"]);
/** A repository-relative path in prose: not the tail of a longer path or URL (`dist/src/...`, `https://.../src/...`). */
const REPOSITORY_PATH = /(?<![\w./@-])(?:src|test|docs|schema|deploy)\/[\w.*/-]*/g;

/** The source files below `dir`, relative to the repository. */
function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return SKIPPED_DIRECTORIES.has(entry.name) ? [] : sourceFiles(full);
    return /\.(ts|tsx|mts|cts|js|mjs|cjs)$/.test(entry.name) && !entry.name.endsWith(".d.ts") ? [full] : [];
  });
}

/** The text of every comment in a TypeScript or JavaScript file (each once, however many nodes it sits beside). */
function commentsOf(fileName: string, text: string): string[] {
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, false);
  const seen = new Map<number, string>();
  const collect = (ranges: ts.CommentRange[] | undefined) => {
    for (const range of ranges ?? []) seen.set(range.pos, text.slice(range.pos, range.end));
  };
  const visit = (node: ts.Node) => {
    collect(ts.getLeadingCommentRanges(text, node.pos));
    collect(ts.getTrailingCommentRanges(text, node.end));
    ts.forEachChild(node, visit);
  };
  collect(ts.getLeadingCommentRanges(text, 0));
  visit(source);
  return [...seen.values()];
}

/** The repository-relative paths a comment names, without the sentence's punctuation after them. */
function pathsIn(comment: string): string[] {
  return [...comment.matchAll(REPOSITORY_PATH)].map(([match]) => match.replace(/[./]+$/, ""));
}

/** Whether `named` exists under `root`; `*` in a segment matches any part of a name (`schema/operations/*.graphql`). */
function pathExists(root: string, named: string): boolean {
  let candidates = [root];
  for (const segment of named.split("/")) {
    if (!segment.includes("*")) {
      candidates = candidates.map((dir) => path.join(dir, segment)).filter((candidate) => existsSync(candidate));
      continue;
    }
    const pattern = new RegExp(`^${segment.replace(/[.+?^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*")}$`);
    candidates = candidates.flatMap((dir) =>
      existsSync(dir) && statSync(dir).isDirectory()
        ? readdirSync(dir)
            .filter((name) => pattern.test(name))
            .map((name) => path.join(dir, name))
        : [],
    );
  }
  return candidates.length > 0;
}

describe("paths named in comments", () => {
  const named = ROOTS.flatMap(sourceFiles).flatMap((file) =>
    commentsOf(file, readFileSync(file, "utf8")).flatMap((comment) => pathsIn(comment).map((named) => ({ file, named }))),
  );

  test("are read from every source file of src/ and test/ (sanity: many, of every kind)", () => {
    // 183 paths, 104 distinct, when this test was written.
    expect(named.length).toBeGreaterThan(150);
    const distinct = new Set(named.map(({ named }) => named));
    expect(distinct.size).toBeGreaterThan(80);
    for (const prefix of ["src/", "test/", "docs/", "schema/"]) {
      expect([...distinct].some((path) => path.startsWith(prefix))).toBe(true);
    }
  });

  test("exist (a stale one: fix the comment, or the file it meant)", () => {
    const stale = named.filter(({ named }) => !pathExists(".", named)).map(({ file, named }) => `${file}: ${named}`);
    expect(stale).toEqual([]);
  });

  test("the check finds a path in every kind of comment, and knows one that exists from one that does not (sanity)", () => {
    const text = [
      "// src/errors.ts, then src/lib/json-object.ts.",
      "/** See test/unit/nowhere.test.ts and schema/operations/*.graphql */",
      "const url = `x ${1} y`; /* docs/frontend/errors.md#codes */",
      "// not these: dist/src/main.js, https://example.com/src/x.ts, @scope/src/y",
    ].join("\n");
    const found = commentsOf("fabricated.ts", text).flatMap(pathsIn);
    expect(found).toEqual([
      "src/errors.ts",
      "src/lib/json-object.ts",
      "test/unit/nowhere.test.ts",
      "schema/operations/*.graphql",
      "docs/frontend/errors.md",
    ]);
    expect(found.filter((named) => !pathExists(".", named))).toEqual(["src/errors.ts", "test/unit/nowhere.test.ts"]);
  });
});
