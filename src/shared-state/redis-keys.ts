/**
 * The one key layout of the shared state: the TypeScript builds keys with `keys.*`, and the Lua read scripts
 * (redis-cache-store.ts) are generated from the same templates with `luaKey`, so the two cannot drift. The
 * in-process cache (MemoryCacheStore) uses the same names. `{tenant}` is a Redis Cluster hash tag: a tenant's keys
 * share a slot, so one script may touch them all.
 *
 * Ids (`<name>` in a template) are escaped with encodeURIComponent, so no ':' or '{' in an id can end a part early
 * or move a key to another tenant's hash tag. Lua has no such function: a script's variables hold ids escaped
 * already (passed escaped in ARGV, or read from an alias, which stores the voucher id escaped).
 */
const NAMESPACE = "rg";

/** A literal, an id (escaped) or a value used as it is (generations, formats, page and answer ids: never user input). */
type Part = string | { id: string } | { raw: string };

const id = (name: string): Part => ({ id: name });
const raw = (name: string): Part => ({ raw: name });

/** Per-tenant keys, after the tenant's prefix. */
const TEMPLATES = {
  /** Bumped by a write whose effect is unknown: every cached entry of the tenant. */
  tenantGeneration: ["gen"],
  /** Counts the tenant's holder writes: equal before and after a fetch means none came between. */
  tenantWrites: ["writes"],
  /** The upstream's back-off (a 429): its TTL is the time left. */
  upstreamBackOff: ["blocked"],
  /** A member name (code or voucher id) to the voucher id it names. */
  alias: ["alias:", id("memberName")],
  memberGeneration: ["mgen:", id("voucherId")],
  customerGeneration: ["cgen:", id("customerId")],
  // Entries carry their format (src/shared-state/entry-shape.ts) in their keys as well as in their values: builds
  // whose records differ never even address each other's entries during a rolling deploy.
  page: ["page:", raw("format"), ":", raw("tenantGen"), ":", id("voucherId"), ":", raw("memberGen"), ":", raw("pageId")],
  customer: ["cust:", raw("format"), ":", raw("tenantGen"), ":", id("customerId"), ":", raw("customerGen")],
  /** A GraphQL answer kept whole: its id hashes what was asked and the caller's rights (answer-cache.ts). */
  answer: ["ans:", raw("format"), ":", raw("answerId")],
} satisfies Record<string, Part[]>;

export type KeyName = keyof typeof TEMPLATES;

function render(tenant: string, template: Part[], values: Record<string, string>): string {
  let key = prefix(tenant);
  for (const part of template) {
    if (typeof part === "string") key += part;
    else if ("id" in part) key += encodeURIComponent(values[part.id]);
    else key += values[part.raw];
  }
  return key;
}

function prefix(tenant: string): string {
  return `${NAMESPACE}:{${tenant}}:`;
}

export const keys = {
  prefix,
  tenantGeneration: (tenant: string) => render(tenant, TEMPLATES.tenantGeneration, {}),
  tenantWrites: (tenant: string) => render(tenant, TEMPLATES.tenantWrites, {}),
  upstreamBackOff: (tenant: string) => render(tenant, TEMPLATES.upstreamBackOff, {}),
  alias: (tenant: string, memberName: string) => render(tenant, TEMPLATES.alias, { memberName }),
  memberGeneration: (tenant: string, voucherId: string) => render(tenant, TEMPLATES.memberGeneration, { voucherId }),
  customerGeneration: (tenant: string, customerId: string) => render(tenant, TEMPLATES.customerGeneration, { customerId }),
  page: (tenant: string, format: string, tenantGen: string, voucherId: string, memberGen: string, pageId: string) =>
    render(tenant, TEMPLATES.page, { format, tenantGen, voucherId, memberGen, pageId }),
  customer: (tenant: string, format: string, tenantGen: string, customerId: string, customerGen: string) =>
    render(tenant, TEMPLATES.customer, { format, tenantGen, customerId, customerGen }),
  answer: (tenant: string, format: string, answerId: string) => render(tenant, TEMPLATES.answer, { format, answerId }),
  /** rate-limiter-flexible's prefix for a limiter's keys (it appends `:<key>`). */
  limiter: (name: string) => `${NAMESPACE}:${name}`,
};

/**
 * The app deployments' registry (src/app-deployments). Not a cache: these keys have no TTL and must survive a restart
 * (Redis persistence). `{apps}` is their hash tag: one script may touch them all, in Redis Cluster too.
 */
export const appDeploymentKeys = {
  /** Hash: `name@version` -> the deployment (JSON: name, version, ids, created at and by); never changed. */
  deployments: `${NAMESPACE}:{apps}:deployments`,
  /** Hash: `name@version` -> its state (JSON: state, since, by). */
  states: `${NAMESPACE}:{apps}:states`,
  /** Hash: document id (normalised) -> its body: one id, one body, across every deployment. */
  bodies: `${NAMESPACE}:{apps}:bodies`,
  /** String: changes with every publish and retire; gateways poll it. */
  stamp: `${NAMESPACE}:{apps}:stamp`,
  /** List: the audit entries (JSON), oldest first, the last AUDIT_KEPT of them. */
  audit: `${NAMESPACE}:{apps}:audit`,
  /** Hash: `["name@version","<id>"]` -> requests counted by every gateway. */
  usage: `${NAMESPACE}:{apps}:usage`,
  /** Hash: the same fields -> epoch milliseconds of the last request. */
  usedAt: `${NAMESPACE}:{apps}:used-at`,
};

/**
 * The Lua expression that builds key `name`, given Lua expressions for the tenant's prefix and for each of the
 * template's values (ids already escaped). Throws at load time when a value is missing, so a script and a template
 * that drift apart fail every test that loads the module, not one lookup in production.
 */
export function luaKey(name: KeyName, prefixExpression: string, values: Record<string, string>): string {
  const parts = [prefixExpression];
  for (const part of TEMPLATES[name] as Part[]) {
    if (typeof part === "string") {
      if (!/^[a-z:]+$/.test(part)) throw new Error(`key template ${name}: literal ${JSON.stringify(part)} needs quoting`);
      parts.push(`'${part}'`);
      continue;
    }
    const field = "id" in part ? part.id : part.raw;
    const expression = values[field];
    if (!expression) throw new Error(`key template ${name}: no Lua value for ${field}`);
    parts.push(expression);
  }
  return parts.join(" .. ");
}
