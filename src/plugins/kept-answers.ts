import { createHash } from "node:crypto";
import { printSchema, type GraphQLSchema } from "graphql";
import { ROUTER_SECRET_HEADER } from "../auth/authenticator.js";
import { callerRights } from "../auth/caller.js";
import type { GatewayContext } from "../request-context/gateway-context.js";
import { canonicalJson } from "../lib/canonical-json.js";
import { INLINE_TRACE_HEADER, resultBody } from "./apollo-http-behaviour.js";
import type { AnswerCache } from "../shared-state/answer-cache.js";
import type { AnswerName } from "../shared-state/cache-store.js";
import { CUSTOMER_ENTRY, HOLDER_PAGE_ENTRY } from "../voucherify/record-shapes.js";

/** Document texts whose digest is remembered (a gateway serves a few dozen distinct documents); all forgotten when full. */
const MAX_REMEMBERED_DIGESTS = 256;
/** Longer texts are digested every time: remembering them would cost more memory than the digest costs CPU. */
const MAX_REMEMBERED_TEXT = 4096;
/** Answers' names remembered, one per distinct request (tenant, document, variables, rights); all forgotten when full. */
const MAX_REMEMBERED_NAMES = 2000;

/** One query, as both execution paths describe it to the answers kept whole. */
export interface AnswerRequest {
  /** KeptAnswers.digestOf the document's text (a trusted document's, once at start). */
  documentDigest: string;
  /** The operation the request resolved to, by name (null: the document's only, anonymous, operation). */
  operationName: string | null;
  operationType: string;
  variables: Record<string, unknown> | undefined;
  /** A request header, by lower-case name. */
  header(name: string): string | undefined;
}

/**
 * GraphQL's side of the answers kept whole (src/shared-state/answer-cache.ts): which requests may be served one, and
 * by which answer. Both execution paths use it (the trusted documents' fast path and, through the admission plugin,
 * Apollo Server's), with the same keys: a trusted document sent by id and the same text sent as a query share
 * answers. An answer is keyed by the tenant, the document's text key (src/documents/document-text-key.ts), the
 * operation, the variables in canonical order and the caller's rights (callerRights: authenticated or not, router
 * or not, scopes, member rules), so two callers share an answer only when nothing about them can change it.
 *
 * Only queries. Never for a request that carries the router's secret or asks for inline traces (the router's own
 * answers), nor with `Cache-Control: no-cache` (which also drops the answer it bypassed, so it is not served after).
 * Only answers without any error (so without partial data), whose every upstream read went through the cache.
 */
export class KeptAnswers {
  /** Apollo's documents arrive as texts, the same few again and again: each digested once (bounded). */
  private readonly digests = new Map<string, string>();
  /** The same requests (tenant, document, variables, rights) come again and again: each answer is named once (bounded). */
  private readonly names = new Map<string, AnswerName>();

  constructor(
    private readonly cache: AnswerCache,
    /**
     * A document's tokens without whitespace and comments (documents/document-text-key.ts), given by the composition
     * root (src/server.ts): this folder sits below documents/.
     */
    private readonly textKey: (document: string) => string,
  ) {}

  /** The answers' format: the schema they follow and the shapes of the records they are built from. */
  static formatOf(schema: GraphQLSchema): string {
    const digest = createHash("sha256")
      .update(printSchema(schema))
      .update(HOLDER_PAGE_ENTRY.format)
      .update(CUSTOMER_ENTRY.format)
      .digest("base64url");
    return `answer.${digest.slice(0, 10)}`;
  }

  /** Names a document by its tokens (whitespace and comments aside), short; remembered for the texts seen last. */
  digestOf(document: string): string {
    const digest = (text: string) => createHash("sha256").update(this.textKey(text)).digest("base64url");
    if (document.length > MAX_REMEMBERED_TEXT) return digest(document);
    let known = this.digests.get(document);
    if (known === undefined) {
      if (this.digests.size >= MAX_REMEMBERED_DIGESTS) this.digests.clear();
      this.digests.set(document, (known = digest(document)));
    }
    return known;
  }

  /** The bytes an answer of `data` alone is written as, on either path (resultBody: Apollo's serialisation). */
  answerBody(data: unknown): Buffer {
    return Buffer.from(resultBody({ data }));
  }

  /** This request's ticket, or null when its answer is none of the cache's business (not a query). */
  ticket(request: AnswerRequest, context: GatewayContext): AnswerTicket | null {
    if (request.operationType !== "query") return null;
    const { reads } = context;
    const bypass =
      reads.fresh ||
      reads.sources === undefined ||
      request.header(ROUTER_SECRET_HEADER) !== undefined ||
      request.header(INLINE_TRACE_HEADER) !== undefined;
    const variables = request.variables === undefined ? "" : canonicalJson(request.variables);
    // NUL never appears in a digest, an operation name or JSON text (it is escaped there): the parts cannot run together.
    const asked = `${request.documentDigest}\0${request.operationName ?? ""}\0${variables}\0${callerRights(context.caller)}`;
    return new AnswerTicket(this.cache, this.nameOf(reads.tenant, asked), context, bypass);
  }

  private nameOf(tenant: string, asked: string): AnswerName {
    if (asked.length > MAX_REMEMBERED_TEXT) return this.cache.nameOf(tenant, asked);
    const remembered = `${tenant}\0${asked}`;
    let name = this.names.get(remembered);
    if (name === undefined) {
      if (this.names.size >= MAX_REMEMBERED_NAMES) this.names.clear();
      this.names.set(remembered, (name = this.cache.nameOf(tenant, asked)));
    }
    return name;
  }
}

/** One query's dealings with the answers kept whole: looked up during admission, kept (or dropped) once answered. */
export class AnswerTicket {
  /** The kept answer's bytes, when it serves this request. */
  hit: Buffer | null = null;
  private looked = false;

  constructor(
    private readonly cache: AnswerCache,
    private readonly name: AnswerName,
    private readonly context: GatewayContext,
    private readonly bypass: boolean,
  ) {}

  /**
   * For the admission (its step 8, reached only by an admitted request): true when a kept answer serves this request.
   * Records the outcome on the context, for the operation's metrics and log line.
   */
  readonly lookup = async (): Promise<boolean> => {
    this.looked = true;
    if (this.bypass) {
      this.context.keptAnswer = "bypass";
      return false;
    }
    this.hit = await this.cache.lookup(this.name);
    this.context.keptAnswer = this.hit === null ? "miss" : "hit";
    return this.hit !== null;
  };

  /**
   * After execution: `body` is the answer's bytes when it had no error (null otherwise). A miss keeps it when every
   * upstream read is accounted for; a no-cache request drops the answer it bypassed.
   */
  async settle(body: Buffer | null): Promise<void> {
    if (!this.looked || this.hit !== null) return;
    const { reads, voucherify } = this.context;
    if (this.bypass) {
      if (reads.noCache && reads.sources) await this.cache.drop(this.name);
      return;
    }
    if (body === null || !reads.sources) return;
    // An upstream call the cache did not see (none today: every read goes through it) would be a source unaccounted for.
    if (voucherify.upstreamCalls > reads.sources.fetches) return;
    await this.cache.keep(this.name, body, reads.sources);
  }
}
