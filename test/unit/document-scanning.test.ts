import { Lexer, Source, TokenKind, parse, print, type Token } from "graphql";
import { documentTextKey } from "../../src/documents/document-text-key.js";
import { documentNesting, skipStringOrComment } from "../../src/limits/document-nesting.js";

// The hand-written scanners of a document's text (bracket nesting before the parse, the text key of trusted
// documents) skip comments and strings with one helper: where it ends a token, graphql-js's lexer must end it too.

/** Every comment, string and block string graphql-js's lexer reads in `text`, as [start, end]. */
function skippedTokens(text: string): Array<[number, number]> {
  const lexer = new Lexer(new Source(text));
  const first = lexer.token;
  while (lexer.advance().kind !== TokenKind.EOF);
  const found: Array<[number, number]> = [];
  for (let token: Token | null = first; token; token = token.next) {
    if (token.kind === TokenKind.COMMENT || token.kind === TokenKind.STRING || token.kind === TokenKind.BLOCK_STRING) {
      found.push([token.start, token.end]);
    }
  }
  return found;
}

/** The text of each token graphql-js's lexer reads in `text` (comments included), as written. */
function tokensOf(text: string): string[] {
  const lexer = new Lexer(new Source(text));
  const first = lexer.token;
  while (lexer.advance().kind !== TokenKind.EOF);
  const found: string[] = [];
  for (let token = first.next; token && token.kind !== TokenKind.EOF; token = token.next) found.push(text.slice(token.start, token.end));
  return found;
}

// Raw strings: a backslash here is a backslash in the document.
const EDGE_CASES = {
  "a block string with an escaped triple quote": String.raw`{ f(a: """x \""" }""") }`,
  "a block string whose escaped triple quote is followed by a quote": String.raw`{ f(a: """x\"""" { """) }`,
  "a block string ending right after an escaped triple quote": String.raw`{ f(a: """\"""""") }`,
  "a block string with other backslashes (no escapes there)": String.raw`{ f(a: """C:\dir\ " "" """, b: [1]) }`,
  "a block string with two backslashes before a triple quote (the second escapes it)": String.raw`{ f(a: """x\\""" }""") }`,
  "a comment holding quotes and brackets": '# it\'s "quoted" { [ (\n{ a }',
  "a comment holding a triple quote, ended by a carriage return": '# """ {\r{ a(b: "}") }',
  "a string holding '#' and brackets": '{ f(a: "#{[(") }',
  "a string with escaped quotes and backslashes": String.raw`{ f(a: "x\"{\\", b: "\u007B") }`,
  "an empty string beside a block string": '{ f(a: "", b: """""") }',
};

describe("skipStringOrComment ends each comment and string where graphql-js's lexer does", () => {
  test.each(Object.entries(EDGE_CASES))("%s", (_name, text) => {
    expect(() => parse(text)).not.toThrow();
    const tokens = skippedTokens(text);
    expect(tokens.length).toBeGreaterThan(0);
    for (const [start, end] of tokens) expect([start, skipStringOrComment(text, start)]).toEqual([start, end]);
  });

  test("an unterminated string stops before its line ends; an unterminated block string at the text's end", () => {
    expect(skipStringOrComment('{ f(a: "x {\n) }', 7)).toBe(11);
    expect(skipStringOrComment('{ f(a: "x\\', 7)).toBe(10);
    expect(skipStringOrComment('{ f(a: """x \\""" {', 7)).toBe(18);
    expect(skipStringOrComment("# to the end", 0)).toBe(12);
  });
});

describe("documentNesting counts brackets outside comments and strings only", () => {
  test.each([
    ["a block string with an escaped triple quote", 2],
    ["a block string whose escaped triple quote is followed by a quote", 2],
    ["a block string ending right after an escaped triple quote", 2],
    ["a block string with other backslashes (no escapes there)", 3],
    ["a comment holding quotes and brackets", 1],
    ["a comment holding a triple quote, ended by a carriage return", 2],
    ["a string holding '#' and brackets", 2],
    ["a string with escaped quotes and backslashes", 2],
    ["a block string with two backslashes before a triple quote (the second escapes it)", 2],
    ["an empty string beside a block string", 2],
  ] as const)("%s: %d", (name, depth) => {
    expect(documentNesting(EDGE_CASES[name], 64)).toBe(depth);
  });
});

describe("documentTextKey keeps strings whole and drops comments", () => {
  test.each(Object.entries(EDGE_CASES))("%s: laid out otherwise, the same key; a string changed, another key", (_name, text) => {
    // Every token apart, commas and line breaks between them, a comment before: the same tokens, so the same key.
    const relaidOut = `\uFEFF# a comment with "quotes", """ and #\n${tokensOf(text).join(" ,\n\t")}`;
    expect(print(parse(relaidOut))).toBe(print(parse(text)));
    expect(documentTextKey(relaidOut)).toBe(documentTextKey(text));
    // Every string of the text is in its key as written, and one character more in any of them changes the key.
    const key = documentTextKey(text);
    for (const [start, end] of skippedTokens(text)) {
      if (text[start] === "#") continue;
      expect(key).toContain(text.slice(start, end));
      const contentStart = text.startsWith('"""', start) ? start + 3 : start + 1;
      const changed = `${text.slice(0, contentStart)}Z${text.slice(contentStart)}`;
      expect(print(parse(changed))).not.toBe(print(parse(text)));
      expect(documentTextKey(changed)).not.toBe(key);
    }
  });

  test("'#' inside a string is kept, and a block string's escaped triple quote does not end it early", () => {
    expect(documentTextKey('{ f(a: "#{") }')).toBe('{f(a:"#{")}');
    expect(documentTextKey(String.raw`{ f(a: """x\"""" # not a comment """) }`)).toBe(String.raw`{f(a:"""x\"""" # not a comment """)}`);
    expect(documentTextKey(String.raw`{ f(a: """x\"""" # not a comment """) }`)).not.toBe(
      documentTextKey(String.raw`{ f(a: """x\""""  # not a comment """) }`),
    );
  });
});
