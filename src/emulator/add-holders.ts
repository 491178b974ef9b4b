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

export interface AddHoldersRequest {
  holders: JsonObject[];
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
  holders.forEach((holder: unknown, index) => checkHolder(holder, `.holders[${index}]`));
  return { holders: holders as JsonObject[], metadata };
}

function checkHolder(holder: unknown, at: string): void {
  if (!isJsonObject(holder)) throw invalidPayload(`Property ${at} must be object`);
  for (const key of ["id", "source_id", ...STRING_FIELDS, "birthdate", "birthday"]) {
    const value = holder[key];
    if (value !== undefined && value !== null && typeof value !== "string") throw invalidPayload(`Property ${at}.${key} must be string`);
  }
  if (!holder.id && !holder.source_id) throw invalidPayload(`Property ${at} must have either id or source_id`);
  for (const key of ["birthdate", "birthday"]) {
    if (typeof holder[key] === "string" && !DATE_ONLY.test(holder[key]))
      throw invalidPayload(`Property ${at}.${key} must match format "date" (YYYY-MM-DD)`);
  }
  if (holder.address !== undefined && holder.address !== null) {
    if (!isJsonObject(holder.address)) throw invalidPayload(`Property ${at}.address must be object`);
    for (const key of ADDRESS_FIELDS) {
      const value = holder.address[key];
      if (value !== undefined && value !== null && typeof value !== "string") {
        throw invalidPayload(`Property ${at}.address.${key} must be string`);
      }
    }
  }
  if (holder.metadata !== undefined && holder.metadata !== null && !isJsonObject(holder.metadata)) {
    throw invalidPayload(`Property ${at}.metadata must be object`);
  }
  // A top-level `country` (in the spec's own example) is accepted and ignored: it is not a Customer property.
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
function rejectBatchDuplicates(holders: JsonObject[]): void {
  const ids = new Set<string>();
  const sourceIds = new Set<string>();
  for (const holder of holders) {
    const [seen, key] = holder.id ? [ids, holder.id as string] : [sourceIds, holder.source_id as string];
    if (seen.has(key)) throw duplicateFound(key);
    seen.add(key);
  }
}

/** `id` wins over `source_id` (per the spec); a given field overwrites, an absent one is kept, null clears it. */
function upsertCustomer(store: EmulatorStore, input: JsonObject, createdAt: string): CustomerRow {
  const id = input.id ? (input.id as string) : undefined;
  const existing = id ? store.customerById(id) : store.customerBySourceId(input.source_id as string);
  if (id && !existing) throw notFound("customer", id);
  const row: CustomerRow = existing
    ? { ...existing }
    : {
        id: newCustomerId(),
        source_id: input.source_id as string,
        name: null,
        email: null,
        phone: null,
        description: null,
        birthdate: null,
        address: null,
        metadata: null,
        created_at: createdAt,
      };
  for (const key of STRING_FIELDS) if (input[key] !== undefined) row[key] = input[key] as string | null;
  const birthdate = input.birthdate !== undefined ? input.birthdate : input.birthday;
  if (birthdate !== undefined) row.birthdate = birthdate as string | null;
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
