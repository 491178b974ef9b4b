import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { Ajv, type ValidateFunction } from "ajv";
import addFormatsModule from "ajv-formats";

/**
 * Validates response bodies against schema/upstream/openapi-referral-holders.json, so the emulator (and anything
 * else that claims to speak Voucherify) is checked against the contract itself, not a hand-copied shape.
 *
 * The whole document is registered under one $id: the spec's `#/components/...` refs then resolve inside it
 * unchanged, and each operation's response schema is compiled by JSON pointer.
 */
const DOC_ID = "voucherify-referral-holders";
type Method = "get" | "post" | "delete";
interface Doc {
  paths: Record<string, Partial<Record<Method, { responses: Record<string, { content?: Record<string, { schema?: unknown }> }> }>>>;
}

// ajv-formats is CommonJS: under ESM its default export may arrive wrapped once more.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (a: Ajv) => Ajv;

let loaded: { ajv: Ajv; doc: Doc } | undefined;
const compiled = new Map<string, ValidateFunction>();

function load(): { ajv: Ajv; doc: Doc } {
  if (!loaded) {
    const doc = JSON.parse(readFileSync(resolve(process.cwd(), "schema/upstream/openapi-referral-holders.json"), "utf8")) as Doc;
    // strict:false: OpenAPI keywords (example, nullable handled by ajv's own support) are not JSON Schema vocabulary.
    const ajv = new Ajv({ strict: false, allErrors: true });
    addFormats(ajv);
    ajv.addSchema({ ...doc, $id: DOC_ID });
    loaded = { ajv, doc };
  }
  return loaded;
}

const pointer = (...parts: string[]) => parts.map((p) => "/" + p.replace(/~/g, "~0").replace(/\//g, "~1")).join("");

/**
 * Errors of `body` against the documented response of METHOD PATH for STATUS ([] = valid).
 * A status the operation does not document: 4xx/5xx are checked against the spec's common `Error` envelope (the
 * spec documents 401/429 only on other endpoints); anything else is reported as undocumented. A response documented
 * without content (204) must have an empty body (undefined, null or "").
 */
export function validateUpstreamResponse(method: Method, pathTemplate: string, status: number, body: unknown): string[] {
  const { ajv, doc } = load();
  const operation = doc.paths[pathTemplate]?.[method];
  if (!operation) return [`${method.toUpperCase()} ${pathTemplate} is not an operation of the spec`];
  const response = operation.responses[String(status)];
  let ref: string;
  if (!response) {
    if (status < 400) return [`${method.toUpperCase()} ${pathTemplate} does not document status ${status}`];
    ref = `${DOC_ID}#/components/schemas/Error`;
  } else if (!response.content?.["application/json"]?.schema) {
    return body === undefined || body === null || body === ""
      ? []
      : [`status ${status} is documented without a body, got ${JSON.stringify(body).slice(0, 200)}`];
  } else {
    ref = `${DOC_ID}#${pointer("paths", pathTemplate, method, "responses", String(status), "content", "application/json", "schema")}`;
  }
  let validate = compiled.get(ref);
  if (!validate) {
    validate = ajv.compile({ $ref: ref });
    compiled.set(ref, validate);
  }
  if (validate(body)) return [];
  return (validate.errors ?? []).map(
    (e) => `${e.instancePath || "(root)"} ${e.message ?? "is invalid"}${e.params ? " " + JSON.stringify(e.params) : ""}`,
  );
}
