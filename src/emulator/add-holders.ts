import { randomInt } from "node:crypto";
import { UPSTREAM_MAX_HOLDERS_PER_CALL } from "../voucherify/domain.js";
import { isJsonObject, type JsonObject } from "../lib/json-object.js";
import type { UpstreamHolder } from "../voucherify/upstream-types.js";
import { alreadyAssigned, duplicateFound, invalidPayload, notFound, notPublished } from "./errors.js";
import type { CustomerRow, EmulatorStore, VoucherRow } from "./store.js";
import { toUpstreamHolder } from "./views.js";

const STRING_FIELDS = ["name", "email", "phone", "description"] as const;
const ADDRESS_FIELDS = ["city", "state", "line_1", "line_2", "country", "postal_code"];
const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const ALPHANUMERIC = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

type Text = string | null | undefined;

/**
 * One holder of the request, checked. A given field overwrites the customer's, null clears it, an absent one
 * (undefined) is kept.
 */
export interface HolderInput {
  /** Whom it names: by id when it has one (which must exist; the spec's rule), else by source_id (created when new). */
  customer: { id: string } | { sourceId: string };
  name: Text;
  email: Text;
  phone: Text;
  description: Text;
  /** `birthdate`, or its alias `birthday`. */
  birthdate: Text;
  address: JsonObject | null | undefined;
  metadata: JsonObject | null | undefined;
}

export interface AddHoldersRequest {
  holders: HolderInput[];
  metadata?: JsonObject;
}

/** Shape checks that need no data: every message names the offending property, like Voucherify's `details`. */
export function checkAddHoldersBody(body: unknown): AddHoldersRequest {
  if (!isJsonObject(body)) throw invalidPayload("Request body must be a JSON object");
  const { holders, metadata } = body;
  if (holders === undefined) throw invalidPayload("Property .holders is required");
  if (!Array.isArray(holders)) throw invalidPayload("Property .holders must be array");
  if (holders.length < 1) throw invalidPayload("Property .holders must NOT have fewer than 1 items");
  if (holders.length > UPSTREAM_MAX_HOLDERS_PER_CALL)
    throw invalidPayload(`Property .holders must NOT have more than ${UPSTREAM_MAX_HOLDERS_PER_CALL} items`);
  if (metadata !== undefined && !isJsonObject(metadata)) throw invalidPayload("Property .metadata must be object");
  return { holders: holders.map((holder: unknown, index) => checkHolder(holder, `.holders[${index}]`)), metadata };
}

function checkHolder(holder: unknown, at: string): HolderInput {
  if (!isJsonObject(holder)) throw invalidPayload(`Property ${at} must be object`);
  const text = (key: string): Text => {
    const value = holder[key];
    if (value !== undefined && value !== null && typeof value !== "string") throw invalidPayload(`Property ${at}.${key} must be string`);
    return value;
  };
  const id = text("id");
  const sourceId = text("source_id");
  const fields = { name: text("name"), email: text("email"), phone: text("phone"), description: text("description") };
  const dates = { birthdate: text("birthdate"), birthday: text("birthday") };
  const customer = id ? { id } : sourceId ? { sourceId } : null;
  if (!customer) throw invalidPayload(`Property ${at} must have either id or source_id`);
  for (const [key, value] of Object.entries(dates)) {
    if (typeof value === "string" && !DATE_ONLY.test(value))
      throw invalidPayload(`Property ${at}.${key} must match format "date" (YYYY-MM-DD)`);
  }
  const { address } = holder;
  if (address !== undefined && address !== null) {
    if (!isJsonObject(address)) throw invalidPayload(`Property ${at}.address must be object`);
    for (const key of ADDRESS_FIELDS) {
      const value = address[key];
      if (value !== undefined && value !== null && typeof value !== "string") {
        throw invalidPayload(`Property ${at}.address.${key} must be string`);
      }
    }
  }
  const { metadata } = holder;
  if (metadata !== undefined && metadata !== null && !isJsonObject(metadata))
    throw invalidPayload(`Property ${at}.metadata must be object`);
  // A top-level `country` (in the spec's own example) is accepted and ignored: it is not a Customer property.
  return {
    customer,
    ...fields,
    birthdate: dates.birthdate !== undefined ? dates.birthdate : dates.birthday,
    address,
    metadata,
  };
}

/**
 * Upserts the customers and assigns them as REFEREEs, all in one transaction: the first failure throws, and
 * better-sqlite3 rolls back every customer and holder written before it.
 */
export function addHolders(store: EmulatorStore, voucher: VoucherRow, req: AddHoldersRequest, now = Date.now()): UpstreamHolder[] {
  return store.transaction(() => {
    if (!store.hasReferrer(voucher.id)) throw notPublished();
    rejectBatchDuplicates(req.holders);
    const createdAt = new Date(now).toISOString();
    const metadata = req.metadata === undefined ? null : JSON.stringify(req.metadata);
    const assigned = new Set<string>();
    const result: UpstreamHolder[] = [];
    for (const input of req.holders) {
      const customer = upsertCustomer(store, input, createdAt);
      if (assigned.has(customer.id)) throw duplicateFound(customer.id);
      assigned.add(customer.id);
      if (store.holderOfCustomer(voucher.id, customer.id)) throw alreadyAssigned(customer.id, voucher.id);
      const row = {
        id: store.nextHolderId(now),
        voucher_id: voucher.id,
        customer_id: customer.id,
        holder_role: "REFEREE" as const,
        metadata,
        created_at: createdAt,
      };
      store.insertHolder(row);
      result.push(toUpstreamHolder(row, voucher));
    }
    return result;
  });
}

/** The same id (or, for holders without id, the same source_id) twice in one call is Voucherify's `duplicate_found`. */
function rejectBatchDuplicates(holders: HolderInput[]): void {
  const ids = new Set<string>();
  const sourceIds = new Set<string>();
  for (const { customer } of holders) {
    const [seen, key] = "id" in customer ? [ids, customer.id] : [sourceIds, customer.sourceId];
    if (seen.has(key)) throw duplicateFound(key);
    seen.add(key);
  }
}

/** `id` wins over `source_id` (per the spec); a given field overwrites, an absent one is kept, null clears it. */
function upsertCustomer(store: EmulatorStore, input: HolderInput, createdAt: string): CustomerRow {
  const { customer } = input;
  const existing = "id" in customer ? store.customerById(customer.id) : store.customerBySourceId(customer.sourceId);
  if ("id" in customer && !existing) throw notFound("customer", customer.id);
  const row: CustomerRow = existing
    ? { ...existing }
    : {
        id: newCustomerId(),
        source_id: "sourceId" in customer ? customer.sourceId : null,
        name: null,
        email: null,
        phone: null,
        description: null,
        birthdate: null,
        address: null,
        metadata: null,
        created_at: createdAt,
      };
  for (const key of STRING_FIELDS) {
    const value = input[key];
    if (value !== undefined) row[key] = value;
  }
  if (input.birthdate !== undefined) row.birthdate = input.birthdate;
  if (input.address !== undefined) row.address = input.address === null ? null : JSON.stringify(input.address);
  if (input.metadata !== undefined) row.metadata = input.metadata === null ? null : JSON.stringify(input.metadata);
  if (existing) store.updateCustomer(row);
  else store.insertCustomer(row);
  return row;
}

function newCustomerId(): string {
  let id = "cust_";
  for (let i = 0; i < 24; i++) id += ALPHANUMERIC[randomInt(ALPHANUMERIC.length)];
  return id;
}
