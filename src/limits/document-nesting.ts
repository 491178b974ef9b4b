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
  for (let i = 0; i < length; i++) {
    const char = source.charCodeAt(i);
    if (char === HASH) {
      while (i < length && source.charCodeAt(i) !== NEWLINE && source.charCodeAt(i) !== RETURN) i++;
    } else if (char === QUOTE) {
      if (source.startsWith('"""', i)) {
        // Block string: ends at the next unescaped """.
        i += 3;
        while (i < length && !(source.startsWith('"""', i) && !source.startsWith('\\"""', i - 1))) i++;
        i += 2;
      } else {
        i++;
        while (i < length && source.charCodeAt(i) !== QUOTE && source.charCodeAt(i) !== NEWLINE) {
          i += source.charCodeAt(i) === BACKSLASH ? 2 : 1;
        }
      }
    } else if (char === OPEN_BRACE || char === OPEN_BRACKET || char === OPEN_PAREN) {
      depth++;
      if (depth > deepest) deepest = depth;
      if (deepest > stopAbove) return deepest;
    } else if (char === CLOSE_BRACE || char === CLOSE_BRACKET || char === CLOSE_PAREN) {
      depth--;
    }
  }
  return deepest;
}
