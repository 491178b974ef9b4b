/**
 * A document's text with its ignored tokens (whitespace, commas, comments, a byte-order mark) taken out: two texts
 * with the same key hold the same tokens in the same order, so they parse to the same document. Computed in one pass
 * without parsing, so a request's text can be matched against the trusted documents (TrustedDocuments.byText)
 * before, or instead of, being parsed: with safelisting on, an unknown document is refused unparsed.
 *
 * A removed run of ignored characters leaves one space, unless a one-character punctuator sits on either side, or a
 * spread `...` before it, where no token can run into its neighbour: `query Q($a: Int) {a}` and
 * `query Q ( $a:Int ){ a }` share a key, and so do `{ ... on T }` and graphql-js's stripIgnoredCharacters of it,
 * `{...on T}`; `a b` and `ab` do not, nor do `. ..` and `...` (the first is not even valid). Strings are kept as written.
 */
import { skipStringOrComment } from "../limits/document-nesting.js";

// Character codes, compared with charCodeAt (the same habit as src/limits/document-nesting.ts: it runs on requests).
const SPACE = 0x20;
const TAB = 0x09;
const NEWLINE = 0x0a;
const RETURN = 0x0d;
const COMMA = 0x2c;
const HASH = 0x23;
const QUOTE = 0x22;
const BOM = 0xfeff;

/** `! $ & ( ) : = @ [ ] { | }`: tokens of one character, which nothing can join. */
function isSingleCharPunctuator(code: number): boolean {
  switch (code) {
    case 0x21: // !
    case 0x24: // $
    case 0x26: // &
    case 0x28: // (
    case 0x29: // )
    case 0x3a: // :
    case 0x3d: // =
    case 0x40: // @
    case 0x5b: // [
    case 0x5d: // ]
    case 0x7b: // {
    case 0x7c: // |
    case 0x7d: // }
      return true;
    default:
      return false;
  }
}

function isIgnored(code: number): boolean {
  return code === SPACE || code === COMMA || code === NEWLINE || code === RETURN || code === TAB || code === BOM;
}

/**
 * The key of `source`, or its first `limit` characters when given: enough to tell most texts from every trusted
 * document without reading them to the end.
 */
export function documentTextKey(source: string, limit = Number.POSITIVE_INFINITY): string {
  let key = "";
  const length = source.length;
  // Start of the run of significant characters not yet copied into `key`: copying runs, not characters.
  let runStart = 0;
  // A separator is pending: ignored characters (or a comment) were skipped since the last significant one.
  let pendingSeparator = false;
  // The last significant character copied (reading it back from `key` would flatten the string every time).
  let last = 0;
  // Whether what was copied last ends with a spread, `...`.
  let afterSpread = false;
  let i = 0;
  while (i < length) {
    if (key.length + (i - runStart) >= limit) return (key + source.slice(runStart, i)).slice(0, limit);
    const code = source.charCodeAt(i);
    if (isIgnored(code) || code === HASH) {
      if (runStart < i) {
        key += source.slice(runStart, i);
        last = source.charCodeAt(i - 1);
        afterSpread = i - runStart >= 3 && source.startsWith("...", i - 3);
      }
      i = code === HASH ? skipStringOrComment(source, i) : i + 1;
      runStart = i;
      if (key.length > 0) pendingSeparator = true;
      continue;
    }
    if (pendingSeparator) {
      pendingSeparator = false;
      if (!isSingleCharPunctuator(code) && !isSingleCharPunctuator(last) && !afterSpread) key += " ";
    }
    // A string (or block string) is one token, copied as written: what is inside is not ignored.
    i = code === QUOTE ? skipStringOrComment(source, i) : i + 1;
  }
  if (runStart < length) key += source.slice(runStart, length);
  return key.length > limit ? key.slice(0, limit) : key;
}
