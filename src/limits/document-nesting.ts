/**
 * Bracket nesting of a GraphQL document's text, counted before graphql-js parses it. The parser is recursive:
 * measured on Node 20, an inline value nested about 1,600 objects or 4,900 lists deep exhausts its stack within the
 * 5,000-token limit (the parse then fails with "Maximum call stack size exceeded"). This bound keeps parsing far
 * from the stack's end, whatever else is on it.
 */

// Character codes, compared with charCodeAt: a one-character string and two Set lookups per character of every
// request's document were about 1% of the gateway's CPU (test/bench profile).
const HASH = 0x23; // #
const QUOTE = 0x22; // "
const BACKSLASH = 0x5c;
const NEWLINE = 0x0a;
const RETURN = 0x0d;
const OPEN_BRACE = 0x7b; // {
const OPEN_BRACKET = 0x5b; // [
const OPEN_PAREN = 0x28; // (
const CLOSE_BRACE = 0x7d; // }
const CLOSE_BRACKET = 0x5d; // ]
const CLOSE_PAREN = 0x29; // )

/** The deepest nesting of `{`, `[` and `(` outside strings and comments, counted up to `stopAbove` + 1. */
export function documentNesting(source: string, stopAbove: number): number {
  let depth = 0;
  let deepest = 0;
  const length = source.length;
  let i = 0;
  while (i < length) {
    const char = source.charCodeAt(i);
    if (char === HASH || char === QUOTE) {
      i = skipStringOrComment(source, i);
      continue;
    }
    if (char === OPEN_BRACE || char === OPEN_BRACKET || char === OPEN_PAREN) {
      depth++;
      if (depth > deepest) deepest = depth;
      if (deepest > stopAbove) return deepest;
    } else if (char === CLOSE_BRACE || char === CLOSE_BRACKET || char === CLOSE_PAREN) {
      depth--;
    }
    i++;
  }
  return deepest;
}

/**
 * Where the comment, string or block string that starts at `start` (a `#` or a `"`) ends: the index after it, as
 * graphql-js's lexer reads the text. The one place the hand-written scanners of a document's text (this file's,
 * src/documents/document-text-key.ts's) skip what brackets and ignored characters inside these tokens do not count
 * in, so they cannot disagree with each other or with the parser on where a token ends. Not graphql-js's `Lexer`:
 * measured on the shipped documents, counting brackets through it took 2.6 to 2.8 times as long (3.2-4.9 against
 * 1.2-1.9 µs a document), and it throws at the first character it refuses, where these scanners must read any text.
 * - A comment runs to the end of its line (the line break is not part of it).
 * - A string runs to its closing quote; a backslash escapes the next character. Unterminated, it stops before the
 *   end of its line (graphql-js refuses the document there).
 * - A block string runs to the first `"""` that is not `\"""` (its one escape: a backslash escapes nothing else), or
 *   to the end of the text.
 */
export function skipStringOrComment(source: string, start: number): number {
  const length = source.length;
  let i = start + 1;
  if (source.charCodeAt(start) === HASH) {
    while (i < length && source.charCodeAt(i) !== NEWLINE && source.charCodeAt(i) !== RETURN) i++;
    return i;
  }
  if (source.charCodeAt(i) === QUOTE && source.charCodeAt(i + 1) === QUOTE) {
    for (i += 2; i < length; i++) {
      const char = source.charCodeAt(i);
      if (char === QUOTE && source.charCodeAt(i + 1) === QUOTE && source.charCodeAt(i + 2) === QUOTE) return i + 3;
      // `\"""`: four characters of content, whatever follows them.
      if (char === BACKSLASH && source.startsWith('"""', i + 1)) i += 3;
    }
    return length;
  }
  while (i < length) {
    const char = source.charCodeAt(i);
    if (char === QUOTE) return i + 1;
    if (char === NEWLINE || char === RETURN) return i;
    i += char === BACKSLASH ? 2 : 1;
  }
  return length;
}
