/**
 * The gateway's limits on one GraphQL request, in one place (the table in docs/operators/limits.md is
 * written from this file). Every one is checked before any upstream call.
 */
import { OPERATION_SETTINGS } from "../settings/operations.js";

/** Request body, in bytes (HTTP 413 above it): 100 holders with metadata fit with room to spare. */
export const MAX_REQUEST_BODY_BYTES = 1024 * 1024;

/**
 * Lexical tokens in one document: graphql-js stops parsing past it, so a 1 MiB body of `__typename` repeated
 * cannot reach validation (OverlappingFieldsCanBeMerged is quadratic in the number of fields).
 */
export const MAX_QUERY_TOKENS = 5_000;

/**
 * Nesting of `{`, `[` and `(` in a document's text (selection sets, lists, input objects), checked before parsing:
 * graphql-js's recursive parser would otherwise exhaust the stack on a deep inline value before MAX_QUERY_TOKENS
 * stops it. Real documents stay under 30 (20 levels of fields, then an argument's input objects and lists).
 */
export const MAX_DOCUMENT_NESTING = 64;

/**
 * Field nesting, introspection included. This schema's deepest real selection is 8 levels
 * (addHolders > member > holders > edges > node > customer > email) and graphql-js's own introspection query is
 * 15; only introspection's type cycles (`fields { type { fields ...`) can go further.
 */
export const MAX_QUERY_DEPTH = 20;

/** Aliased fields in one document: aliases are how one operation repeats an expensive field. */
export const MAX_ALIASES = 20;

/**
 * Estimated upstream calls of one operation, worst case (see operation-cost.ts for the model). One upstream page of
 * 100 holders with customer fields costs 101 and fits; 500 holders cost 5 without customer fields and 505 with them,
 * which does not: on a plan of 100 requests a minute one such operation would spend five minutes of quota.
 */
// The default of GRAPHQL_MAX_COST, declared with the setting.
export const MAX_OPERATION_COST: number = OPERATION_SETTINGS.settings.GRAPHQL_MAX_COST.default;

// Holders in one addHolders call are Voucherify's own cap, not a gateway limit: UPSTREAM_MAX_HOLDERS_PER_CALL in
// src/voucherify/domain.ts, written once for the emulator (which models it) and the gateway (which checks it first).
// Importing it here would make limits/ depend on the data source (config.ts -> limits -> voucherify -> config.ts).

/** Largest `first`/`last`; above the upstream's 100 a page is served by chaining upstream pages. */
export const MAX_PAGE_SIZE = 500;

/** Values in one filter list (`roles`, `customerIds`, `holderIds`, ...): each becomes an upstream query parameter. */
export const MAX_FILTER_VALUES = 100;

/** Representations in one `_entities` call: a router batches one plan step's entities, well under this. */
export const MAX_ENTITY_REPRESENTATIONS = 100;
