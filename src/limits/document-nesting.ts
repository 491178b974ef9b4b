/**
 * Bracket nesting of a GraphQL document's text, counted before graphql-js parses it. The parser is recursive:
 * measured on Node 20, an inline value nested about 1,600 objects or 4,900 lists deep exhausts its stack within the
 * 5,000-token limit (the parse then fails with "Maximum call stack size exceeded"). This bound keeps parsing far
 * from the stack's end, whatever else is on it.
 */

const OPEN = new Set(["{", "[", "("]);
const CLOSE = new Set(["}", "]", ")"]);

/** The deepest nesting of `{`, `[` and `(` outside strings and comments, counted up to `stopAbove` + 1. */
export function documentNesting(source: string, stopAbove: number): number {
  let depth = 0;
  let deepest = 0;
  for (let i = 0; i < source.length; i++) {
    const char = source[i];
    if (char === "#") {
      while (i < source.length && source[i] !== "\n" && source[i] !== "\r") i++;
    } else if (char === '"') {
      if (source.startsWith('"""', i)) {
        // Block string: ends at the next unescaped """.
        i += 3;
        while (i < source.length && !(source.startsWith('"""', i) && !source.startsWith('\\"""', i - 1))) i++;
        i += 2;
      } else {
        i++;
        while (i < source.length && source[i] !== '"' && source[i] !== "\n") i += source[i] === "\\" ? 2 : 1;
      }
    } else if (OPEN.has(char)) {
      depth++;
      if (depth > deepest) deepest = depth;
      if (deepest > stopAbove) return deepest;
    } else if (CLOSE.has(char)) {
      depth--;
    }
  }
  return deepest;
}
