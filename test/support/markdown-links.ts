import { existsSync, readFileSync, statSync } from "node:fs";
import { dirname, join, normalize } from "node:path";
import { headingOf, markdownBlocks } from "./markdown-blocks.js";

/** A link in a Markdown file: its target as written and the line it is on. */
export interface MarkdownLink {
  target: string;
  line: number;
}

/** The lines outside fenced code blocks, with their 1-based numbers: links and headings in code are text. */
const proseLines = (markdown: string) => markdownBlocks(markdown).prose;

/** Inline links and images, `[text](target)` and `![alt](target "title")`, outside code. */
export function linksOf(markdown: string): MarkdownLink[] {
  // Inline code spans are text too: `[a](b)` in backticks is not a link.
  return proseLines(markdown).flatMap(({ text, line }) =>
    [...text.replace(/`[^`]*`/g, "``").matchAll(/!?\[(?:[^\][]|\[[^\]]*\])*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)].map((match) => ({
      target: match[1],
      line,
    })),
  );
}

/**
 * GitHub's anchor for a heading: the text as rendered (code spans keep their content, link text stays, `*` marks
 * go), lower-cased, punctuation removed except `-` and `_`, each space a hyphen; a repeated slug gets `-1`, `-2`, ...
 */
export function headingSlugs(markdown: string): Set<string> {
  const counts = new Map<string, number>();
  const slugs = new Set<string>();
  for (const { text } of proseLines(markdown)) {
    const heading = headingOf(text);
    if (!heading) continue;
    const rendered = heading.title
      .replace(/`/g, "")
      .replace(/!?\[([^\]]*)\]\([^)]*\)/g, "$1")
      .replace(/\*/g, "");
    const base = rendered
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, "")
      .replace(/ /g, "-");
    const seen = counts.get(base) ?? 0;
    counts.set(base, seen + 1);
    slugs.add(seen === 0 ? base : `${base}-${seen}`);
  }
  return slugs;
}

/** Each relative link of `file` that points at nothing: a missing file, or an anchor no heading of its target has. */
export function brokenLinks(file: string): string[] {
  const markdown = readFileSync(file, "utf8");
  const broken: string[] = [];
  for (const { target, line } of linksOf(markdown)) {
    if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // http:, https:, mailto: ... are not the repository's
    const [pathPart, anchor] = target.split("#", 2) as [string, string | undefined];
    const resolved = pathPart === "" ? file : normalize(join(dirname(file), decodeURIComponent(pathPart)));
    const where = `${file}:${line}: ${target}`;
    if (!existsSync(resolved)) {
      broken.push(`${where} (no such file)`);
      continue;
    }
    if (anchor === undefined) continue;
    if (statSync(resolved).isDirectory() || !resolved.endsWith(".md")) {
      broken.push(`${where} (an anchor into a file that is not Markdown)`);
    } else if (!headingSlugs(readFileSync(resolved, "utf8")).has(decodeURIComponent(anchor))) {
      broken.push(`${where} (no heading with that anchor)`);
    }
  }
  return broken;
}
