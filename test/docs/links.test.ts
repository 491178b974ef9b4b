import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { brokenLinks, headingSlugs, linksOf } from "../support/markdown-links.js";

// The README and docs/ link to each other and into the repository: a moved file or a renamed heading must fail here,
// not in front of a reader. Only relative links are checked (the pages cite nothing outside the repository).

function markdownFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? markdownFiles(join(dir, entry.name)) : entry.name.endsWith(".md") ? [join(dir, entry.name)] : [],
  );
}
const pages = ["README.md", ...markdownFiles("docs")];

test("every relative link in README.md and docs/ points at a file, and every anchor at a heading", () => {
  expect(pages.length).toBeGreaterThan(20);
  expect(pages.flatMap(brokenLinks)).toEqual([]);
});

test("the pages link to no site outside the repository", () => {
  const external = pages.flatMap((page) =>
    linksOf(readFileSync(page, "utf8"))
      .filter(({ target }) => /^[a-z][a-z0-9+.-]*:/i.test(target))
      .map(({ target, line }) => `${page}:${line}: ${target}`),
  );
  expect(external).toEqual([]);
});

test("every page of docs/ is reachable from the README, directly or through another page", () => {
  const reached = new Set<string>();
  const visit = (page: string) => {
    if (reached.has(page)) return;
    reached.add(page);
    for (const { target } of linksOf(readFileSync(page, "utf8"))) {
      const path = target.split("#")[0];
      if (path.endsWith(".md") && !/^[a-z]+:/i.test(path)) visit(join(page, "..", decodeURIComponent(path)));
    }
  };
  visit("README.md");
  expect(pages.filter((page) => !reached.has(page))).toEqual([]);
});

describe("the checker", () => {
  test("slugs headings as GitHub does", () => {
    const slugs = headingSlugs(
      [
        "# Two commands",
        "## The schema file: `schema/client.graphql`",
        "## Production (`NODE_ENV=production`)",
        "## Two commands",
        "```",
        "# not a heading",
        "```",
      ].join("\n"),
    );
    expect([...slugs]).toEqual(["two-commands", "the-schema-file-schemaclientgraphql", "production-node_envproduction", "two-commands-1"]);
  });

  test("finds a missing file, a missing anchor and ignores links in code", () => {
    const dir = mkdtempSync(join(tmpdir(), "links-"));
    try {
      writeFileSync(join(dir, "target.md"), "# Target\n\n## A section\n");
      const page = join(dir, "page.md");
      writeFileSync(
        page,
        [
          "[ok](target.md#a-section) [self](#here) ![picture](target.md)",
          "[gone](missing.md) [no anchor](target.md#nowhere)",
          "`[in code](missing.md)`",
          "```",
          "[in a fence](missing.md)",
          "```",
          "## Here",
        ].join("\n"),
      );
      expect(brokenLinks(page)).toEqual([
        `${page}:2: missing.md (no such file)`,
        `${page}:2: target.md#nowhere (no heading with that anchor)`,
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

// (trusted-documents.md's Relay configuration is an app's own: trusted-documents-examples.test.ts runs it.)
test("the Relay configuration the clients page shows is the repository's file", () => {
  const clients = readFileSync("docs/frontend/clients.md", "utf8");
  expect(clients).toContain("```json\n" + readFileSync("relay.config.json", "utf8"));
});
