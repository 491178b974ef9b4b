import { badUserInput } from "../errors/graphql-errors.js";
import { MAX_FILTER_VALUES } from "../limits/operation-limits.js";
import { UPSTREAM_MAX_HOLDERS_PER_CALL as MAX_HOLDERS_PER_CALL } from "../voucherify/domain.js";
import type { AddHoldersInput, AddressInput, HolderCustomerInput } from "./add-holders.input.js";
import type { HolderFilter } from "./holder-filter.input.js";
import { MAX_LENGTH, MAX_METADATA_BYTES, MAX_METADATA_DEPTH, type LengthLimit } from "./input-limits.js";

// Deliberately loose (one @, a dot in the domain, no spaces): the upstream is the authority on deliverability.
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
// C0 controls, DEL and C1 controls: invisible, and NUL or ESC in stored text reach CRM exports, terminals and logs.
// eslint-disable-next-line no-control-regex -- matching control characters is what this pattern is for
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
// The same, except tab, line feed and carriage return: multi-line free text (a description) legitimately has them.
// eslint-disable-next-line no-control-regex -- matching control characters is what this pattern is for
const CONTROL_EXCEPT_LINE_BREAKS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/;

/** Length in code points; the cheap UTF-16 length decides when it can (it is never smaller). */
function isLongerThan(value: string, max: number): boolean {
  if (value.length <= max) return false;
  let count = 0;
  for (const _codePoint of value) if (++count > max) return true;
  return false;
}

/** A free-text input: bounded, and without control characters (line breaks and tabs only where `multiline`). */
function checkText(value: string | null | undefined, field: string, limit: LengthLimit, multiline = false): void {
  if (value === undefined || value === null) return;
  const max = MAX_LENGTH[limit];
  if (isLongerThan(value, max)) throw badUserInput(`${field} is longer than ${max} characters.`, field);
  if ((multiline ? CONTROL_EXCEPT_LINE_BREAKS : CONTROL).test(value)) {
    throw badUserInput(`${field} contains control characters${multiline ? " (only tab and line breaks are allowed)" : ""}.`, field);
  }
}

/** An id argument the upstream can take in a URL path: not empty, not huge, no control characters, no dot segment. */
export function checkId(value: string, field: string): string {
  if (value.trim().length === 0) throw badUserInput(`${field} must not be empty.`, field);
  checkText(value, field, "id");
  // "." and ".." are path segments URL parsing resolves away: they would address another upstream endpoint.
  if (value === "." || value === "..") throw badUserInput(`${field} must not be "." or "..".`, field);
  return value;
}

/** An optional id: absent (null) is fine, but a given one must be a real id ("" does not mean "absent"). */
export function checkOptionalId(value: string | null | undefined, field: string): string | null {
  return value === undefined || value === null ? null : checkId(value, field);
}

function isCalendarDate(value: string): boolean {
  const match = DATE.exec(value);
  if (!match) return false;
  const date = new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])));
  return date.toISOString().startsWith(value);
}

/**
 * Walks a JSONObject value to MAX_METADATA_DEPTH and no further (so a deep value cannot exhaust the stack here),
 * checking keys on the way. Values are not checked beyond the total size: metadata is machine data stored as JSON,
 * which carries any character faithfully.
 */
function checkMetadataNode(value: unknown, path: string, depth: number, field: string): void {
  if (value === null || typeof value !== "object") return;
  if (depth > MAX_METADATA_DEPTH) throw badUserInput(`${field} is nested deeper than ${MAX_METADATA_DEPTH} levels (at ${path}).`, field);
  if (Array.isArray(value)) {
    value.forEach((item, index) => checkMetadataNode(item, `${path}[${index}]`, depth + 1, field));
    return;
  }
  for (const [key, item] of Object.entries(value)) {
    if (key.length === 0 || isLongerThan(key, MAX_LENGTH.metadataKey) || CONTROL.test(key)) {
      const problem = `has a key that is empty, longer than ${MAX_LENGTH.metadataKey} characters or has control characters`;
      throw badUserInput(`${field} ${problem} (in ${path}).`, field);
    }
    checkMetadataNode(item, `${path}.${key}`, depth + 1, field);
  }
}

export function checkMetadata(value: Record<string, unknown> | null | undefined, field: string): void {
  if (value === undefined || value === null) return;
  checkMetadataNode(value, field, 1, field);
  // Safe now: the depth is bounded, so stringify cannot recurse far.
  const bytes = Buffer.byteLength(JSON.stringify(value), "utf8");
  if (bytes > MAX_METADATA_BYTES) {
    throw badUserInput(`${field} is ${bytes} bytes as JSON; at most ${MAX_METADATA_BYTES} are allowed.`, field);
  }
}

function checkAddress(address: AddressInput | null | undefined, where: string): void {
  if (!address) return;
  checkText(address.line1, `${where}.line1`, "addressLine");
  checkText(address.line2, `${where}.line2`, "addressLine");
  checkText(address.city, `${where}.city`, "city");
  checkText(address.state, `${where}.state`, "state");
  checkText(address.country, `${where}.country`, "country");
  checkText(address.postalCode, `${where}.postalCode`, "postalCode");
}

function checkHolder(holder: HolderCustomerInput, index: number): void {
  const where = `holders[${index}]`;
  const hasId = holder.id !== undefined && holder.id !== null;
  const hasSourceId = holder.sourceId !== undefined && holder.sourceId !== null;
  if (!hasId && !hasSourceId) throw badUserInput(`${where} needs an id or a sourceId.`, `${where}`);
  if (hasId) checkId(holder.id!, `${where}.id`);
  if (hasSourceId) checkId(holder.sourceId!, `${where}.sourceId`);
  checkText(holder.name, `${where}.name`, "name");
  checkText(holder.phone, `${where}.phone`, "phone");
  checkText(holder.description, `${where}.description`, "description", true);
  if (holder.email !== undefined && holder.email !== null) {
    checkText(holder.email, `${where}.email`, "email");
    if (!EMAIL.test(holder.email)) throw badUserInput(`${where}.email is not an email address.`, `${where}.email`);
  }
  if (holder.birthdate !== undefined && holder.birthdate !== null) {
    checkText(holder.birthdate, `${where}.birthdate`, "birthdate");
    if (!isCalendarDate(holder.birthdate)) {
      throw badUserInput(`${where}.birthdate must be a calendar date YYYY-MM-DD.`, `${where}.birthdate`);
    }
  }
  checkAddress(holder.address, `${where}.address`);
  checkMetadata(holder.metadata, `${where}.metadata`);
}

/** Everything the gateway can tell is wrong with an addHolders input, before the upstream is called. */
export function checkAddHoldersInput(input: AddHoldersInput): void {
  checkId(input.memberId, "memberId");
  checkOptionalId(input.campaignId, "campaignId");
  checkMetadata(input.metadata, "metadata");
  const count = input.holders.length;
  if (count === 0 || count > MAX_HOLDERS_PER_CALL) {
    throw badUserInput(`holders must have 1 to ${MAX_HOLDERS_PER_CALL} entries; got ${count}.`, "holders");
  }
  input.holders.forEach(checkHolder);
  // The same customer twice in one batch would make the upstream refuse the whole batch: say which entries.
  const seen = new Map<string, number>();
  input.holders.forEach((holder, index) => {
    for (const key of [holder.id ? `id ${holder.id}` : null, holder.sourceId ? `sourceId ${holder.sourceId}` : null]) {
      if (!key) continue;
      const first = seen.get(key);
      if (first !== undefined) throw badUserInput(`holders[${index}] repeats the ${key} of holders[${first}].`, `holders[${index}]`);
      seen.set(key, index);
    }
  });
}

export function checkHolderFilter(filter: HolderFilter | null | undefined): void {
  if (!filter) return;
  for (const field of ["roles", "customerIds", "holderIds"] as const) {
    const values = filter[field];
    if (values === undefined || values === null) continue;
    if (values.length === 0) throw badUserInput(`filter.${field} must not be empty; leave it out to match all.`, `filter.${field}`);
    if (values.length > MAX_FILTER_VALUES) {
      throw badUserInput(`filter.${field} takes at most ${MAX_FILTER_VALUES} values.`, `filter.${field}`);
    }
    values.forEach((value, index) => checkId(value, `filter.${field}[${index}]`));
  }
}
