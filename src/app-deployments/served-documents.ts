import type { GraphQLSchema } from "graphql";
import { checkDocument, sha256Hex } from "../documents/load-trusted-documents.js";
import type { TrustedDocument, TrustedDocuments } from "../documents/trusted-document.js";
import { isSha256Id, normalizeDocumentId, TrustedDocumentRegistry } from "../documents/trusted-document-registry.js";
import { sourceOf, type DeploymentKey, type PublishedDeployment } from "./deployment.js";

/** A published document this gateway does not serve, and why. */
export interface RefusedDocument {
  readonly deployment: DeploymentKey;
  readonly id: string;
  /** Identifies the document's version (its id and body) for "say so once". */
  readonly sha256: string;
  readonly reason: string;
}

/** Documents of one published deployment this gateway serves, and those it cannot. */
export interface DeploymentDocumentCounts {
  readonly deployment: DeploymentKey;
  readonly served: number;
  readonly refused: number;
}

/** What this gateway serves for a published set, ready to replace the one it serves now. */
export interface ServedSet {
  /** The shipped operations and TRUSTED_DOCUMENTS manifests, then the published deployments' documents. */
  readonly documents: TrustedDocumentRegistry;
  /** Documents checked for the first time: the fast path prepares them before the set is served. */
  readonly added: readonly TrustedDocument[];
  /** The published deployments that hold each served document (usage is counted per deployment). */
  readonly holders: ReadonlyMap<TrustedDocument, readonly DeploymentKey[]>;
  readonly refused: readonly RefusedDocument[];
  readonly deployments: readonly DeploymentDocumentCounts[];
}

/**
 * Turns published deployments into documents this gateway serves, beside the ones it started with (`base`: shipped
 * operations and TRUSTED_DOCUMENTS). Each document is checked here, by this gateway, with the start's checks
 * (checkDocument against the schema it serves, with its GRAPHQL_MAX_COST), whatever the command that stored it
 * checked: a gateway of another build, whose schema a document does not fit, does not serve that document and serves
 * the others. A document is checked once while it stays published (the same object is served again, so the fast
 * path's preparation is kept).
 */
export class DeploymentDocuments {
  /** Every document of the last set, by normalised id: the served document, or why it is refused. */
  private checked = new Map<string, { body: string; result: TrustedDocument | string }>();

  constructor(
    private readonly options: {
      schema: GraphQLSchema;
      /** GRAPHQL_MAX_COST, as at start. */
      maxCost: number;
      base: TrustedDocuments;
    },
  ) {}

  serve(published: readonly PublishedDeployment[]): ServedSet {
    const { base } = this.options;
    const documents = new TrustedDocumentRegistry();
    for (const document of base) documents.add(document);
    const checked = new Map<string, { body: string; result: TrustedDocument | string }>();
    const added: TrustedDocument[] = [];
    const holders = new Map<TrustedDocument, DeploymentKey[]>();
    const refused: RefusedDocument[] = [];
    const counts: DeploymentDocumentCounts[] = [];
    for (const deployment of published) {
      const key: DeploymentKey = { name: deployment.name, version: deployment.version };
      let served = 0;
      let refusedHere = 0;
      for (const { id, body } of deployment.documents) {
        let result = this.resultFor(id, body, key, base, checked, added);
        if (typeof result === "string") {
          refused.push({ deployment: key, id, sha256: sha256Hex(`${normalizeDocumentId(id)}\n${body}`), reason: result });
          refusedHere++;
          continue;
        }
        if (!base.byId(id)) documents.add(result);
        // add() keeps the first document under an id; the one it keeps is the one requests find.
        result = documents.byId(id) ?? result;
        const holding = holders.get(result);
        if (!holding) holders.set(result, [key]);
        else if (!holding.some((other) => other.name === key.name && other.version === key.version)) holding.push(key);
        served++;
      }
      counts.push({ deployment: key, served, refused: refusedHere });
    }
    this.checked = checked;
    return { documents, added, holders, refused, deployments: counts };
  }

  /** The document to serve for this entry, or why not; checked once per id and body (new ones go to `added`). */
  private resultFor(
    id: string,
    body: string,
    key: DeploymentKey,
    base: TrustedDocuments,
    checked: Map<string, { body: string; result: TrustedDocument | string }>,
    added: TrustedDocument[],
  ): TrustedDocument | string {
    const normalized = normalizeDocumentId(id);
    const started = base.byId(id);
    if (started) {
      // The command refuses such a conflict; this gateway's TRUSTED_DOCUMENTS may differ from what the command saw.
      return started.body === body ? started : `the id names two different documents (the other in ${started.source})`;
    }
    const known = checked.get(normalized) ?? this.checked.get(normalized);
    if (known?.body === body) {
      checked.set(normalized, known);
      return known.result;
    }
    const result = checkOne(id, body, key, this.options.schema, this.options.maxCost);
    checked.set(normalized, { body, result });
    if (typeof result !== "string") added.push(result);
    return result;
  }
}

/** The start's checks of one document (load-trusted-documents.ts), or the reason it cannot be served. */
function checkOne(id: string, body: string, key: DeploymentKey, schema: GraphQLSchema, maxCost: number): TrustedDocument | string {
  const sha256 = sha256Hex(body);
  if (isSha256Id(id) && normalizeDocumentId(id) !== sha256)
    return `the id is a sha256 but not the sha256 of the document's body (${sha256})`;
  const checked = checkDocument(schema, body, maxCost);
  if (typeof checked === "string") return checked;
  const { document, operation } = checked;
  return { id, sha256, body, document, operation, operationName: operation.name?.value ?? null, source: sourceOf(key) };
}
