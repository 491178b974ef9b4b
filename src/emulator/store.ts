import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { LRUCache } from "lru-cache";
import type { HolderWhere } from "./filters.js";
import { Database, type Statement } from "./sqlite-driver.js";
import type { UpstreamHolder } from "../voucherify/upstream-types.js";

export type HolderRole = "OWNER" | "REFERRER" | "REFEREE";
export type ListOrder = "id" | "-id";

export interface CampaignRow {
  id: string;
  name: string;
}
export interface VoucherRow {
  id: string;
  code: string;
  campaign_id: string;
  /** Written by the table's default only (DISCOUNT_VOUCHER), as the upstream names voucher types. */
  type: UpstreamHolder["voucher_type"];
}
export interface CustomerRow {
  id: string;
  source_id: string | null;
  name: string | null;
  email: string | null;
  phone: string | null;
  description: string | null;
  birthdate: string | null;
  address: string | null; // JSON text
  metadata: string | null; // JSON text
  created_at: string;
}
export interface HolderRow {
  id: string;
  voucher_id: string;
  customer_id: string;
  holder_role: HolderRole;
  metadata: string | null; // JSON text
  created_at: string;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS campaigns (id TEXT PRIMARY KEY, name TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS vouchers (
  id TEXT PRIMARY KEY, code TEXT NOT NULL UNIQUE, campaign_id TEXT NOT NULL REFERENCES campaigns(id),
  type TEXT NOT NULL DEFAULT 'DISCOUNT_VOUCHER');
CREATE TABLE IF NOT EXISTS customers (
  id TEXT PRIMARY KEY, source_id TEXT UNIQUE, name TEXT, email TEXT, phone TEXT, description TEXT, birthdate TEXT,
  address TEXT, metadata TEXT, created_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS holders (
  id TEXT PRIMARY KEY, voucher_id TEXT NOT NULL REFERENCES vouchers(id), customer_id TEXT NOT NULL REFERENCES customers(id),
  holder_role TEXT NOT NULL, metadata TEXT, created_at TEXT NOT NULL, UNIQUE (voucher_id, customer_id));
CREATE INDEX IF NOT EXISTS holders_by_voucher ON holders (voucher_id, id);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
`;

const HOLDER_COLS = "id, voucher_id, customer_id, holder_role, metadata, created_at";
// Filter shapes come from clients: the prepared statements kept are bounded, least recently used out first.
const STATEMENT_CACHE_LIMIT = 256;

/**
 * SQLite access for the emulator. Every fixed statement is prepared once here; list statements depend on the filter
 * shape and are cached by SQL text, so the hot path (list a page) never re-prepares.
 */
export class EmulatorStore {
  readonly db: Database;
  private lastHolderSeq: bigint;
  private readonly listCache = new LRUCache<string, { page: Statement<unknown[], HolderRow>; count: Statement<unknown[], { n: number }> }>({
    max: STATEMENT_CACHE_LIMIT,
  });

  private readonly stmts;

  constructor(file = ":memory:") {
    if (file !== ":memory:") mkdirSync(dirname(file), { recursive: true });
    this.db = new Database(file);
    if (file !== ":memory:") this.db.pragma("journal_mode = WAL");
    this.db.pragma("foreign_keys = ON");
    this.db.exec(SCHEMA);
    const db = this.db;
    this.stmts = {
      campaign: db.prepare<[string], CampaignRow>("SELECT id, name FROM campaigns WHERE id = ?"),
      voucher: db.prepare<[string, string], VoucherRow>(
        "SELECT id, code, campaign_id, type FROM vouchers WHERE id = ? OR code = ? LIMIT 1",
      ),
      customerById: db.prepare<[string], CustomerRow>("SELECT * FROM customers WHERE id = ?"),
      customerBySourceId: db.prepare<[string], CustomerRow>("SELECT * FROM customers WHERE source_id = ?"),
      insertCampaign: db.prepare<[string, string]>("INSERT INTO campaigns (id, name) VALUES (?, ?)"),
      insertVoucher: db.prepare<[string, string, string]>("INSERT INTO vouchers (id, code, campaign_id) VALUES (?, ?, ?)"),
      insertCustomer: db.prepare<CustomerRow>(
        `INSERT INTO customers (id, source_id, name, email, phone, description, birthdate, address, metadata, created_at)
         VALUES (@id, @source_id, @name, @email, @phone, @description, @birthdate, @address, @metadata, @created_at)`,
      ),
      updateCustomer: db.prepare<CustomerRow>(
        `UPDATE customers SET name = @name, email = @email, phone = @phone, description = @description,
         birthdate = @birthdate, address = @address, metadata = @metadata WHERE id = @id`,
      ),
      holder: db.prepare<[string], HolderRow>(`SELECT ${HOLDER_COLS} FROM holders WHERE id = ?`),
      holderOfCustomer: db.prepare<[string, string], HolderRow>(
        `SELECT ${HOLDER_COLS} FROM holders WHERE voucher_id = ? AND customer_id = ?`,
      ),
      referrerOf: db.prepare<[string], { id: string }>("SELECT id FROM holders WHERE voucher_id = ? AND holder_role = 'REFERRER' LIMIT 1"),
      insertHolder: db.prepare<HolderRow>(
        `INSERT INTO holders (${HOLDER_COLS}) VALUES (@id, @voucher_id, @customer_id, @holder_role, @metadata, @created_at)`,
      ),
      deleteHolder: db.prepare<[string]>("DELETE FROM holders WHERE id = ?"),
      getMeta: db.prepare<[string], { value: string }>("SELECT value FROM meta WHERE key = ?"),
      setMeta: db.prepare<[string, string]>(
        "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
      ),
      maxHolderId: db.prepare<[], { id: string | null }>("SELECT max(id) AS id FROM holders"),
      countCampaigns: db.prepare<[], { n: number }>("SELECT count(*) AS n FROM campaigns"),
    };
    // The counter survives deletes and restarts, so a holder id is never handed out twice.
    const stored = this.stmts.getMeta.get("holder_seq")?.value;
    const maxId = this.stmts.maxHolderId.get()?.id;
    this.lastHolderSeq = [stored ? BigInt(stored) : 0n, maxId ? BigInt("0x" + maxId.slice(3)) : 0n].reduce((a, b) => (a > b ? a : b));
  }

  /**
   * Holder ids are `rh_` + 18 hex digits of (milliseconds << 16 | sequence), never below the last one issued: string
   * order is creation order, which is what `order=id` and `starting_after_id` rely on.
   */
  nextHolderId(atMs: number = Date.now()): string {
    const fromClock = BigInt(atMs) << 16n;
    this.lastHolderSeq = fromClock > this.lastHolderSeq ? fromClock : this.lastHolderSeq + 1n;
    this.stmts.setMeta.run("holder_seq", this.lastHolderSeq.toString());
    return "rh_" + this.lastHolderSeq.toString(16).padStart(18, "0");
  }

  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }

  isEmpty(): boolean {
    return this.stmts.countCampaigns.get()!.n === 0;
  }

  campaign(id: string): CampaignRow | undefined {
    return this.stmts.campaign.get(id);
  }
  /** A member is a referral code or its voucher id. */
  voucher(memberId: string): VoucherRow | undefined {
    return this.stmts.voucher.get(memberId, memberId);
  }
  customerById(id: string): CustomerRow | undefined {
    return this.stmts.customerById.get(id);
  }
  customerBySourceId(sourceId: string): CustomerRow | undefined {
    return this.stmts.customerBySourceId.get(sourceId);
  }
  holder(id: string): HolderRow | undefined {
    return this.stmts.holder.get(id);
  }
  holderOfCustomer(voucherId: string, customerId: string): HolderRow | undefined {
    return this.stmts.holderOfCustomer.get(voucherId, customerId);
  }
  hasReferrer(voucherId: string): boolean {
    return this.stmts.referrerOf.get(voucherId) !== undefined;
  }

  insertCampaign(campaign: CampaignRow): void {
    this.stmts.insertCampaign.run(campaign.id, campaign.name);
  }
  insertVoucher(voucher: Pick<VoucherRow, "id" | "code" | "campaign_id">): void {
    this.stmts.insertVoucher.run(voucher.id, voucher.code, voucher.campaign_id);
  }
  insertCustomer(customer: CustomerRow): void {
    this.stmts.insertCustomer.run(customer);
  }
  updateCustomer(customer: CustomerRow): void {
    this.stmts.updateCustomer.run(customer);
  }
  insertHolder(holder: HolderRow): void {
    this.stmts.insertHolder.run(holder);
  }
  deleteHolder(id: string): void {
    this.stmts.deleteHolder.run(id);
  }

  /** One page (limit + 1 rows, so the caller can tell has_more) and the total matching the filters. */
  listHolders(voucherId: string, where: HolderWhere, order: ListOrder, afterId: string | undefined, limit: number) {
    const statements = this.listStatements(where.sql, order, afterId !== undefined);
    const rows =
      afterId === undefined
        ? statements.page.all(voucherId, ...where.params, limit + 1)
        : statements.page.all(voucherId, ...where.params, afterId, limit + 1);
    // count(*) always reads one row.
    const total = statements.count.get(voucherId, ...where.params)?.n ?? 0;
    return { rows, total };
  }

  private listStatements(whereSql: string, order: ListOrder, withCursor: boolean) {
    const key = `${order}|${withCursor ? 1 : 0}|${whereSql}`;
    let statements = this.listCache.get(key);
    if (!statements) {
      const filter = whereSql ? ` AND ${whereSql}` : "";
      const cursor = withCursor ? (order === "id" ? " AND id > ?" : " AND id < ?") : "";
      const direction = order === "id" ? "ASC" : "DESC";
      statements = {
        page: this.db.prepare<unknown[], HolderRow>(
          `SELECT ${HOLDER_COLS} FROM holders WHERE voucher_id = ?${filter}${cursor} ORDER BY id ${direction} LIMIT ?`,
        ),
        count: this.db.prepare<unknown[], { n: number }>(`SELECT count(*) AS n FROM holders WHERE voucher_id = ?${filter}`),
      };
      this.listCache.set(key, statements);
    }
    return statements;
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
