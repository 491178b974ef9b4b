/** A fenced code block of a Markdown page: what the docs show a reader to type, write to a file, or expect back. */
export interface FencedBlock {
  /** The info string's first word (`sh`, `json`, `yaml`, ...); "" when the fence has none. */
  language: string;
  /** The block's content, each line ending with "\n". */
  text: string;
  /** 1-based line of the opening fence. */
  line: number;
  /** The last prose line above the block (blank lines skipped): where a page says which file the block is. */
  caption: string;
}

export interface ProseLine {
  text: string;
  /** 1-based. */
  line: number;
}

/** A Markdown page split into its prose lines and its fenced code blocks, in order. */
export function markdownBlocks(markdown: string): { prose: ProseLine[]; fences: FencedBlock[] } {
  const prose: ProseLine[] = [];
  const fences: FencedBlock[] = [];
  let open: { marker: string; block: FencedBlock } | null = null;
  markdown.split("\n").forEach((text, index) => {
    const fence = /^ {0,3}(`{3,}|~{3,})\s*(\S*)/.exec(text);
    if (open) {
      // A closing fence has the opening's character and no info string.
      if (fence && fence[1][0] === open.marker && fence[2] === "") {
        fences.push(open.block);
        open = null;
      } else {
        open.block.text += `${text}\n`;
      }
      return;
    }
    if (fence) {
      const caption = prose.filter((line) => line.text.trim() !== "").at(-1)?.text ?? "";
      open = { marker: fence[1][0], block: { language: fence[2], text: "", line: index + 1, caption } };
      return;
    }
    prose.push({ text, line: index + 1 });
  });
  return { prose, fences };
}

/** An ATX heading's level and text (`## Two commands` -> 2, "Two commands"), or null for any other line. */
export function headingOf(text: string): { level: number; title: string } | null {
  const match = /^ {0,3}(#{1,6})\s+(.*?)\s*#*\s*$/.exec(text);
  return match ? { level: match[1].length, title: match[2] } : null;
}

/** The fenced blocks under one heading, up to the next heading of the same or a higher level. */
export function blocksUnder(markdown: string, heading: string): FencedBlock[] {
  const { prose, fences } = markdownBlocks(markdown);
  const headings = prose.flatMap(({ text, line }) => {
    const found = headingOf(text);
    return found ? [{ ...found, line }] : [];
  });
  const index = headings.findIndex((candidate) => candidate.title === heading);
  if (index < 0) throw new Error(`no heading "${heading}"`);
  const { level, line: first } = headings[index];
  const last = headings.slice(index + 1).find((next) => next.level <= level)?.line ?? Infinity;
  return fences.filter((block) => block.line > first && block.line < last);
}
