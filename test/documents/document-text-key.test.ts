import fc from "fast-check";
import {
  Kind,
  Lexer,
  parse,
  print,
  Source,
  stripIgnoredCharacters,
  TokenKind,
  type ArgumentNode,
  type DirectiveNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type NameNode,
  type OperationDefinitionNode,
  type SelectionNode,
  type SelectionSetNode,
  type TypeNode,
  type ValueNode,
  type VariableDefinitionNode,
} from "graphql";
import { documentTextKey } from "../../src/documents/document-text-key.js";

// documentTextKey decides, without parsing, whether a request's text is a trusted document (safelisting). Over
// generated documents, checked against graphql-js itself: texts that differ only where graphql-js ignores characters
// (layout, commas, comments, a byte-order mark) print alike and share a key; texts that differ in any token (a string,
// a block string, a number, an argument, field or type name, a variable) print differently and do not.

/** Fixed, so that every run checks the same cases (a failure is never a matter of luck); change it to explore. */
const RUNS = { seed: 25, numRuns: 300 };

const KEYWORDS = new Set(["true", "false", "null", "on", "fragment", "query", "mutation", "subscription"]);
const nameText = fc.stringMatching(/^[_A-Za-z][_0-9A-Za-z]{0,6}$/).filter((text) => !KEYWORDS.has(text));
const name = nameText.map((value): NameNode => ({ kind: Kind.NAME, value }));

/** Any text: quotes, backslashes, `#`, commas, `"""`, line breaks and other characters a scanner could trip on. */
const tricky = fc.oneof(
  fc.string({ unit: "grapheme", maxLength: 8 }),
  fc.string({ unit: fc.constantFrom('"', '"""', "\\", "#", ",", " ", "\n", "\r", "\t", "a", "\u00e9", "\ufeff", "`", "'"), maxLength: 12 }),
);
const floatText = fc
  .tuple(fc.integer({ min: -999, max: 999 }), fc.nat(99_999), fc.option(fc.integer({ min: -30, max: 30 })))
  .map(([whole, fraction, exponent]) => `${whole}.${fraction}${exponent === null ? "" : `e${exponent}`}`);

const value = fc.letrec<{ value: ValueNode }>((tie) => ({
  value: fc.oneof(
    { maxDepth: 2, withCrossShrink: true },
    fc.integer().map((n): ValueNode => ({ kind: Kind.INT, value: String(n) })),
    floatText.map((value): ValueNode => ({ kind: Kind.FLOAT, value })),
    tricky.map((value): ValueNode => ({ kind: Kind.STRING, value, block: false })),
    tricky.map((value): ValueNode => ({ kind: Kind.STRING, value, block: true })),
    fc.boolean().map((value): ValueNode => ({ kind: Kind.BOOLEAN, value })),
    fc.constant<ValueNode>({ kind: Kind.NULL }),
    name.map((value): ValueNode => ({ kind: Kind.ENUM, value: value.value })),
    name.map((value): ValueNode => ({ kind: Kind.VARIABLE, name: value })),
    fc.array(tie("value"), { maxLength: 2 }).map((values): ValueNode => ({ kind: Kind.LIST, values })),
    fc.uniqueArray(fc.tuple(name, tie("value")), { maxLength: 2, selector: ([key]) => key.value }).map(([...fields]): ValueNode => ({
      kind: Kind.OBJECT,
      fields: fields.map(([key, value]) => ({ kind: Kind.OBJECT_FIELD, name: key, value })),
    })),
  ),
})).value;
/** A default value's: the same, variables standing as enum values (a default cannot name a variable). */
const constant = (node: ValueNode): ValueNode => {
  if (node.kind === Kind.VARIABLE) return { kind: Kind.ENUM, value: node.name.value };
  if (node.kind === Kind.LIST) return { ...node, values: node.values.map(constant) };
  if (node.kind === Kind.OBJECT) return { ...node, fields: node.fields.map((field) => ({ ...field, value: constant(field.value) })) };
  return node;
};

const args = fc
  .uniqueArray(fc.tuple(name, value), { maxLength: 2, selector: ([key]) => key.value })
  .map((pairs) => pairs.map(([key, argument]): ArgumentNode => ({ kind: Kind.ARGUMENT, name: key, value: argument })));
const directives = fc.array(
  fc.tuple(name, args).map(([directive, list]): DirectiveNode => ({ kind: Kind.DIRECTIVE, name: directive, arguments: list })),
  { maxLength: 1 },
);

const selectionSet = fc.letrec<{ set: SelectionSetNode; selection: SelectionNode }>((tie) => ({
  set: fc
    .array(tie("selection"), { minLength: 1, maxLength: 3 })
    .map((selections): SelectionSetNode => ({ kind: Kind.SELECTION_SET, selections })),
  selection: fc.oneof(
    { maxDepth: 2, withCrossShrink: true },
    fc
      .record({ alias: fc.option(name, { nil: undefined }), name, arguments: args, directives, sub: fc.option(tie("set")) })
      .map(({ sub, ...field }): FieldNode => ({ kind: Kind.FIELD, ...field, ...(sub ? { selectionSet: sub } : {}) })),
    fc
      .record({ on: fc.option(name, { nil: undefined }), directives, set: tie("set") })
      .map(({ on, directives: list, set }): SelectionNode => ({
        kind: Kind.INLINE_FRAGMENT,
        ...(on ? { typeCondition: { kind: Kind.NAMED_TYPE, name: on } } : {}),
        directives: list,
        selectionSet: set,
      })),
    fc.tuple(name, directives).map(([fragment, list]): SelectionNode => ({ kind: Kind.FRAGMENT_SPREAD, name: fragment, directives: list })),
  ),
})).set;

const typeRef = fc.letrec<{ type: TypeNode }>((tie) => ({
  type: fc.oneof(
    { maxDepth: 2 },
    name.map((type): TypeNode => ({ kind: Kind.NAMED_TYPE, name: type })),
    tie("type").map((type): TypeNode => ({ kind: Kind.LIST_TYPE, type })),
    name.map((type): TypeNode => ({ kind: Kind.NON_NULL_TYPE, type: { kind: Kind.NAMED_TYPE, name: type } })),
  ),
})).type;

const operation = fc
  .record({
    operation: fc.constantFrom("query", "mutation", "subscription"),
    name: fc.option(name, { nil: undefined }),
    variables: fc.uniqueArray(fc.tuple(name, typeRef, fc.option(value.map(constant), { nil: undefined })), {
      maxLength: 2,
      selector: ([variable]) => variable.value,
    }),
    directives,
    set: selectionSet,
  })
  .map(
    ({ operation: type, name: operationName, variables, directives: list, set }): OperationDefinitionNode =>
      ({
        kind: Kind.OPERATION_DEFINITION,
        operation: type,
        name: operationName,
        variableDefinitions: variables.map(([variable, type, defaultValue]): VariableDefinitionNode => ({
          kind: Kind.VARIABLE_DEFINITION,
          variable: { kind: Kind.VARIABLE, name: variable },
          type,
          defaultValue: defaultValue as VariableDefinitionNode["defaultValue"],
        })),
        directives: list,
        selectionSet: set,
      }) as OperationDefinitionNode,
  );
const fragment = fc.tuple(name, name, directives, selectionSet).map(([fragmentName, on, list, set]): FragmentDefinitionNode => ({
  kind: Kind.FRAGMENT_DEFINITION,
  name: fragmentName,
  typeCondition: { kind: Kind.NAMED_TYPE, name: on },
  directives: list,
  selectionSet: set,
}));
/** A document as graphql-js prints it (the syntax only: nothing here is validated against a schema). */
const printedDocument = fc
  .tuple(operation, fc.array(fragment, { maxLength: 1 }))
  .map(([first, rest]) => print({ kind: Kind.DOCUMENT, definitions: [first, ...rest] }));

interface Token {
  kind: TokenKind;
  text: string;
}

/** The document's tokens as graphql-js's lexer reads them, each as written. */
function tokensOf(text: string): Token[] {
  const tokens: Token[] = [];
  const lexer = new Lexer(new Source(text));
  for (let token = lexer.advance(); token.kind !== TokenKind.EOF; token = lexer.advance()) {
    tokens.push({ kind: token.kind, text: text.slice(token.start, token.end) });
  }
  return tokens;
}

/** Tokens that run into a neighbour of the same sort without something ignored between them (graphql-js's own rule). */
const NON_PUNCTUATORS = new Set<TokenKind>([TokenKind.NAME, TokenKind.INT, TokenKind.FLOAT, TokenKind.STRING, TokenKind.BLOCK_STRING]);
const needsSeparator = (before: Token, after: Token) =>
  NON_PUNCTUATORS.has(before.kind) && (NON_PUNCTUATORS.has(after.kind) || after.kind === TokenKind.SPREAD);

/** Runs of what GraphQL ignores: layout, commas, a byte-order mark and comments (quotes and `#` in them included). */
const ignored = fc
  .array(
    fc.oneof(
      fc.constantFrom(" ", "  ", "\t", "\n", "\r\n", "\r", ",", ", ", "\ufeff"),
      fc
        .tuple(
          fc.string({ unit: fc.constantFrom("a", " ", '"', '"""', "#", ",", "\\", "{", "}", "\u00e9") }),
          fc.constantFrom("\n", "\r", "\r\n"),
        )
        .map(([text, end]) => `#${text}${end}`),
    ),
    { maxLength: 3 },
  )
  .map((parts) => parts.join(""));

/** The tokens laid out again, with `gaps[i]` before token i (and after the last): where a separator is needed, one. */
function layOut(tokens: Token[], gaps: string[]): string {
  let text = "";
  tokens.forEach((token, index) => {
    const gap = gaps[index % gaps.length];
    text += index > 0 && gap === "" && needsSeparator(tokens[index - 1], token) ? " " : gap;
    text += token.text;
  });
  return text + gaps[tokens.length % gaps.length];
}

const gaps = fc.array(ignored, { minLength: 1, maxLength: 40 });

describe("documentTextKey over generated documents (fast-check, checked against graphql-js)", () => {
  test("a document laid out again, commented, or stripped by graphql-js prints alike and has the same key", () => {
    fc.assert(
      fc.property(printedDocument, gaps, fc.nat(300), (printed, layout, limit) => {
        const key = documentTextKey(printed);
        const tokens = tokensOf(printed);
        // graphql-js's stripIgnoredCharacters also rewrites block strings (minimally indented): those are other texts.
        const stripped = tokens.some((token) => token.kind === TokenKind.BLOCK_STRING) ? [] : [stripIgnoredCharacters(printed)];
        for (const text of [layOut(tokens, layout), ...stripped]) {
          expect(print(parse(text))).toBe(print(parse(printed)));
          expect(documentTextKey(text)).toBe(key);
          // A limit reads no further than needed, and gives the key's first characters.
          expect(documentTextKey(text, limit)).toBe(key.slice(0, limit));
        }
      }),
      RUNS,
    );
  });

  /** The same string with what would be ignored outside it (a space, a tab, a comma, a `#`) put inside it. */
  const padded = (text: string, quote: number) =>
    fc
      .tuple(fc.integer({ min: quote, max: text.length - quote }), fc.constantFrom(" ", "  ", "\t", ",", "#"))
      .map(([at, inserted]) => text.slice(0, at) + inserted + text.slice(at));
  /** Another token of the same kind, as graphql-js would write it (or, for a string, one that is nearly the same). */
  const replacement: Record<string, (text: string) => fc.Arbitrary<string>> = {
    [TokenKind.NAME]: () => nameText,
    [TokenKind.INT]: () => fc.integer().map(String),
    [TokenKind.FLOAT]: () => floatText,
    [TokenKind.STRING]: (text) =>
      fc.oneof(
        tricky.map((value) => print({ kind: Kind.STRING, value, block: false })),
        padded(text, 1),
      ),
    [TokenKind.BLOCK_STRING]: (text) =>
      fc.oneof(
        tricky.map((value) => print({ kind: Kind.STRING, value, block: true })),
        padded(text, 3),
      ),
  };

  test("a document with one value changed (a string, a block string, a number, a name) prints differently and has another key", () => {
    const changed = printedDocument.chain((printed) => {
      const tokens = tokensOf(printed);
      const values = tokens.flatMap((token, index) => (token.kind in replacement ? [index] : []));
      return fc
        .constantFrom(...values)
        .chain((index) => replacement[tokens[index].kind](tokens[index].text).map((text) => ({ printed, tokens, index, text })));
    });
    fc.assert(
      fc.property(changed, gaps, gaps, ({ printed, tokens, index, text }, layout, otherLayout) => {
        const other = tokens.map((token, at) => (at === index ? { ...token, text } : token));
        const original = layOut(tokens, layout);
        const variant = layOut(other, otherLayout);
        let variantPrinted: string;
        try {
          variantPrinted = print(parse(variant));
        } catch {
          fc.pre(false); // a keyword replaced, or a name where a keyword must stand: not a document
          return;
        }
        fc.pre(variantPrinted !== print(parse(printed)));
        expect(documentTextKey(variant)).not.toBe(documentTextKey(original));
      }),
      RUNS,
    );
  });

  test("a document with a field added or removed, or a name or number split in two, has another key", () => {
    const edited = printedDocument.chain((printed) => {
      const tokens = tokensOf(printed);
      const opens = tokens.flatMap((token, index) => (token.kind === TokenKind.BRACE_L ? [index] : []));
      const splittable = tokens.flatMap((token, index) =>
        (token.kind === TokenKind.NAME || token.kind === TokenKind.INT) && token.text.length > 1 ? [index] : [],
      );
      const field = fc.tuple(fc.constantFrom(...opens), nameText, fc.boolean()).map(([open, name, remove]) =>
        remove
          ? // The first selection's name goes (a document still when it was a lone field).
            tokens.filter((_, at) => at !== open + 1)
          : [...tokens.slice(0, open + 1), { kind: TokenKind.NAME, text: name }, ...tokens.slice(open + 1)],
      );
      if (splittable.length === 0) return field.map((other) => ({ tokens, other }));
      // `ab` as `a b` (two fields, two enum values in a list), `12` as `1 2` (two list items).
      const split = fc
        .constantFrom(...splittable)
        .chain((index) => fc.integer({ min: 1, max: tokens[index].text.length - 1 }).map((at) => ({ index, at })))
        .map(({ index, at }) => [
          ...tokens.slice(0, index),
          { kind: tokens[index].kind, text: tokens[index].text.slice(0, at) },
          { kind: tokens[index].kind, text: tokens[index].text.slice(at) },
          ...tokens.slice(index + 1),
        ]);
      return fc.oneof(field, split).map((other) => ({ tokens, other }));
    });
    fc.assert(
      fc.property(edited, gaps, gaps, ({ tokens, other }, layout, otherLayout) => {
        const variant = layOut(other, otherLayout);
        let variantPrinted: string;
        try {
          variantPrinted = print(parse(variant));
        } catch {
          fc.pre(false);
          return;
        }
        fc.pre(variantPrinted !== print(parse(layOut(tokens, layout))));
        expect(documentTextKey(variant)).not.toBe(documentTextKey(layOut(tokens, layout)));
      }),
      RUNS,
    );
  });
});
