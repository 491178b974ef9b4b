import { badUserInput } from "../errors.js";
import type { AddHoldersInput, HolderCustomerInput } from "./add-holders.input.js";
import type { HolderFilter } from "./holder-filter.input.js";

/** Holders per addHolders call: the upstream's own cap. */
export const MAX_HOLDERS_PER_CALL = 100;
const MAX_ID_LENGTH = 200;
const MAX_TEXT_LENGTH = 1000;
const MAX_FILTER_VALUES = 100;
// Deliberately loose (one @, a dot in the domain, no spaces): the upstream is the authority on deliverability.
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** An id argument the upstream can take in a URL path: not empty, not huge, no control characters, no dot segment. */
export function checkId(value: string, field: string): string {
  if (value.trim().length === 0) throw badUserInput(`${field} must not be empty.`, field);
  if (value.length > MAX_ID_LENGTH) throw badUserInput(`${field} is longer than ${MAX_ID_LENGTH} characters.`, field);
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(value)) throw badUserInput(`${field} contains control characters.`, field);
  // "." and ".." are path segments URL parsing resolves away: they would address another upstream endpoint.
  if (value === "." || value === "..") throw badUserInput(`${field} must not be "." or "..".`, field);
  return value;
}

function isCalendarDate(value: string): boolean {
  const match = DATE.exec(value);
  if (!match) return false;
  const date = new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])));
  return date.toISOString().startsWith(value);
}

function checkHolder(holder: HolderCustomerInput, index: number): void {
  const where = `holders[${index}]`;
  const hasId = holder.id !== undefined && holder.id !== null;
  const hasSourceId = holder.sourceId !== undefined && holder.sourceId !== null;
  if (!hasId && !hasSourceId) throw badUserInput(`${where} needs an id or a sourceId.`, `${where}`);
  if (hasId) checkId(holder.id!, `${where}.id`);
  if (hasSourceId) checkId(holder.sourceId!, `${where}.sourceId`);
  for (const field of ["name", "phone", "description"] as const) {
    const value = holder[field];
    if (typeof value === "string" && value.length > MAX_TEXT_LENGTH) {
      throw badUserInput(`${where}.${field} is longer than ${MAX_TEXT_LENGTH} characters.`, `${where}.${field}`);
    }
  }
  if (holder.email !== undefined && holder.email !== null && (holder.email.length > 254 || !EMAIL.test(holder.email))) {
    throw badUserInput(`${where}.email is not an email address.`, `${where}.email`);
  }
  if (holder.birthdate !== undefined && holder.birthdate !== null && !isCalendarDate(holder.birthdate)) {
    throw badUserInput(`${where}.birthdate must be a calendar date YYYY-MM-DD.`, `${where}.birthdate`);
  }
}

/** Everything the gateway can tell is wrong with an addHolders input, before the upstream is called. */
export function checkAddHoldersInput(input: AddHoldersInput): void {
  checkId(input.memberId, "memberId");
  if (input.campaignId !== undefined && input.campaignId !== null) checkId(input.campaignId, "campaignId");
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
