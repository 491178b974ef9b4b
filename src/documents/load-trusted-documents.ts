import { createHash } from "node:crypto";
import {
  getNullableType,
  isInputObjectType,
  isInputType,
  isListType,
  isScalarType,
  Kind,
  parse,
  specifiedRules,
  typeFromAST,
  validate,
  type DocumentNode,
  type GraphQLInputObjectType,
  type GraphQLInputType,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from "graphql";
import { estimateOperationCost } from "../limits/operation-cost.js";
import { DOCUMENT_PARSE_OPTIONS, DOCUMENT_VALIDATION_RULES, documentNestingProblem } from "../operation/operation-admission.js";
import { readManifest } from "./manifest.js";
import { SHIPPED_DOCUMENTS } from "./shipped-documents.generated.js";
import type { ShippedDocument } from "./shipped-documents.js";
import type { TrustedDocument } from "./trusted-document.js";
import { isSha256Id, normalizeDocumentId, TrustedDocumentRegistry } from "./trusted-document-registry.js";
import { messageOf } from "../lib/thrown.js";

/** Why one document (or a whole manifest, when `id` is null) cannot be trusted. */
export interface DocumentProblem {
  source: string;
  id: string | null;
  reason: string;
}

/** One line per problem, naming the file, the id and the reason. */
export function formatDocumentProblem(problem: DocumentProblem): string {
  return `${problem.source}: ${problem.id === null ? "" : `document ${problem.id}: `}${problem.reason}`;
}

/** The gateway must not start with these documents (src/main.ts: exit 2, one line per problem, as config errors). */
export class TrustedDocumentsError extends Error {
  constructor(readonly problems: readonly DocumentProblem[]) {
    super(`Invalid trusted documents (TRUSTED_DOCUMENTS):\n${problems.map((p) => `  - ${formatDocumentProblem(p)}`).join("\n")}`);
    this.name = "TrustedDocumentsError";
  }
}

export interface TrustedDocumentsLoad {
  documents: TrustedDocumentRegistry;
  /** Documents that came from the manifests (not shipped), counted once per id. */
  fromManifests: number;
  problems: DocumentProblem[];
}

export function sha256Hex(text: string): string {
  return createHash("sha256").update(text, "utf8").digest("hex");
}

/**
 * Reads, parses, validates and cost-checks every trusted document: the shipped operations and the manifests'.
 * Nothing is thrown for a bad document: every problem is collected, so that one start reports them all.
 */
export function loadTrustedDocuments(options: {
  schema: GraphQLSchema;
  manifests: readonly string[];
  /** GRAPHQL_MAX_COST: a document that costs more whatever its variables could never run. */
  maxCost: number;
  /** Tests only: the shipped documents (default: the generated list of schema/operations/). */
  shipped?: readonly ShippedDocument[];
}): TrustedDocumentsLoad {
  const documents = new TrustedDocumentRegistry();
  const problems: DocumentProblem[] = [];
  // Every id seen (normalised), with the body and file it came with: one id, one body, across files.
  const seen = new Map<string, { body: string; source: string }>();
  let fromManifests = 0;

  const consider = (id: string, body: string, source: string, fromManifest: boolean) => {
    const problem = (reason: string) => problems.push({ source, id, reason });
    const sha256 = sha256Hex(body);
    if (isSha256Id(id) && normalizeDocumentId(id) !== sha256) {
      problem(`the id is a sha256 but not the sha256 of the document's body (${sha256})`);
      return;
    }
    const key = normalizeDocumentId(id);
    const earlier = seen.get(key);
    if (earlier) {
      if (earlier.body !== body) {
        problem(`the id names two different documents (the other in ${earlier.source === source ? "the same file" : earlier.source})`);
      }
      return;
    }
    seen.set(key, { body, source });
    // The shipped operations are the project's examples, not the operator's choice: a GRAPHQL_MAX_COST sized to a small
    // plan may rule out their largest batches, which admission then refuses per request, without refusing the start.
    const checked = checkDocument(options.schema, body, fromManifest ? options.maxCost : Number.POSITIVE_INFINITY);
    if (typeof checked === "string") {
      problem(checked);
      return;
    }
    const { document, operation } = checked;
    const trusted: TrustedDocument = { id, sha256, body, document, operation, operationName: operation.name?.value ?? null, source };
    documents.add(trusted);
    if (fromManifest) fromManifests++;
  };

  for (const shipped of options.shipped ?? SHIPPED_DOCUMENTS) consider(sha256Hex(shipped.body), shipped.body, shipped.source, false);
  for (const file of options.manifests) {
    const manifest = readManifest(file);
    for (const { id, reason } of manifest.problems) problems.push({ source: file, id, reason });
    for (const entry of manifest.entries) consider(entry.id, entry.body, file, true);
  }
  return { documents, fromManifests, problems };
}

/**
 * The checks Apollo's pipeline and the admission plugin would make of this document on every request, made once:
 * it parses within the operation limits, holds exactly one operation, validates against the served schema with the
 * gateway's rules, and can cost at most `maxCost`. Returns the reason it cannot be trusted, or the parsed document.
 */
export function checkDocument(
  schema: GraphQLSchema,
  body: string,
  maxCost: number,
): { document: DocumentNode; operation: OperationDefinitionNode } | string {
  // The admission's per-document steps (src/operation/operation-admission.ts), once, at start.
  const tooDeep = documentNestingProblem(body);
  if (tooDeep) return `nests brackets deeper than ${tooDeep.max} levels (MAX_DOCUMENT_NESTING)`;
  let document: DocumentNode;
  try {
    document = parse(body, DOCUMENT_PARSE_OPTIONS);
  } catch (error) {
    return `does not parse: ${messageOf(error)}`;
  }
  const operations = document.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  if (operations.length !== 1) return `holds ${operations.length} operations; a trusted document holds exactly one`;
  const errors = validate(schema, document, [...specifiedRules, ...DOCUMENT_VALIDATION_RULES]);
  if (errors.length > 0) return `does not validate against the served schema: ${errors.map((error) => error.message).join(" ")}`;
  const [operation] = operations;
  const cost = estimateOperationCost(schema, document, operation, cheapestVariables(schema, operation));
  if (cost > maxCost) {
    return `costs at least ${cost} upstream calls whatever its variables; GRAPHQL_MAX_COST is ${maxCost}`;
  }
  return { document, operation };
}

/**
 * Variables that make the operation as cheap as they can, for the start-up cost check, which must refuse only what
 * could never run: sizes (Int) 0, lists empty, input objects made of their fields' cheapest values, anything else
 * absent (its default, or the field's). The admission plugin still estimates every request with its own variables.
 */
function cheapestVariables(schema: GraphQLSchema, operation: OperationDefinitionNode): Record<string, unknown> {
  const variables: Record<string, unknown> = {};
  for (const definition of operation.variableDefinitions ?? []) {
    const type = typeFromAST(schema, definition.type);
    const value = type && isInputType(type) ? cheapestValue(type, new Set()) : undefined;
    if (value !== undefined) variables[definition.variable.name.value] = value;
  }
  return variables;
}

function cheapestValue(type: GraphQLInputType, seen: Set<GraphQLInputObjectType>): unknown {
  const nullable = getNullableType(type);
  if (isListType(nullable)) return [];
  if (isScalarType(nullable)) return nullable.name === "Int" ? 0 : undefined;
  if (!isInputObjectType(nullable) || seen.has(nullable)) return undefined;
  seen.add(nullable);
  const value: Record<string, unknown> = {};
  for (const field of Object.values(nullable.getFields())) {
    const cheapest = cheapestValue(field.type, seen);
    if (cheapest !== undefined) value[field.name] = cheapest;
  }
  seen.delete(nullable);
  return value;
}
