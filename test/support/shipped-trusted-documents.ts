import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import {
  Kind,
  parse,
  print,
  visit,
  type DefinitionNode,
  type DocumentNode,
  type FragmentDefinitionNode,
  type OperationDefinitionNode,
} from "graphql";
import type { TrustedDocument, TrustedDocuments } from "../../src/documents/trusted-document.js";

// INTERIM, for the fast path's suites until the manifest loader (src/documents) lands: the shipped operations of
// schema/operations/, each with the fragments it uses, as trusted documents whose id is the sha256 of their text.

const OPERATIONS_DIR = new URL("../../schema/operations/", import.meta.url);

export function shippedTrustedDocuments(): TrustedDocuments {
  const definitions: DefinitionNode[] = readdirSync(OPERATIONS_DIR)
    .filter((file) => file.endsWith(".graphql"))
    .flatMap((file) => parse(readFileSync(new URL(file, OPERATIONS_DIR), "utf8")).definitions);
  const fragments = new Map(
    definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION).map((d) => [d.name.value, d]),
  );
  const documents: TrustedDocument[] = [];
  for (const operation of definitions) {
    if (operation.kind !== Kind.OPERATION_DEFINITION) continue;
    const used = new Map<string, FragmentDefinitionNode>();
    const collect = (node: DefinitionNode) =>
      visit(node, {
        FragmentSpread(spread) {
          const fragment = fragments.get(spread.name.value)!;
          if (!used.has(fragment.name.value)) {
            used.set(fragment.name.value, fragment);
            collect(fragment);
          }
        },
      });
    collect(operation);
    const body = print({ kind: Kind.DOCUMENT, definitions: [operation, ...used.values()] });
    const sha256 = createHash("sha256").update(body).digest("hex");
    // Parsed from the registered text, as Apollo parses it: error locations point into the text clients registered.
    const document: DocumentNode = parse(body);
    documents.push({
      id: sha256,
      sha256,
      body,
      document,
      operation: document.definitions[0] as OperationDefinitionNode,
      operationName: operation.name?.value ?? null,
      source: "schema/operations",
    });
  }
  const byId = new Map(documents.map((d) => [d.id, d]));
  const byText = new Map(documents.map((d) => [d.body, d]));
  return {
    byId: (id) => byId.get(id.startsWith("sha256:") ? id.slice(7) : id),
    byText: (query) => {
      try {
        return byText.get(print(parse(query)));
      } catch {
        return undefined;
      }
    },
    size: documents.length,
    [Symbol.iterator]: () => documents[Symbol.iterator](),
  };
}

/** The shipped operation named `name`. */
export function shippedDocument(documents: TrustedDocuments, name: string): TrustedDocument {
  const found = [...documents].find((d) => d.operationName === name);
  if (!found) throw new Error(`no shipped operation ${name}`);
  return found;
}
