import type BetterSqlite3 from "better-sqlite3";
import { createRequire } from "node:module";

/**
 * better-sqlite3 for the running Node. Version 12 (built from source against this Node's headers) aborts the process on
 * Node 24: its Statement finaliser removes a node::ObjectWrap cleanup hook while no Node environment is current
 * (`Assertion failed: (env) != nullptr`). Version 13 is a prebuilt Node-API module without that code path, for Node 22
 * and later, but crashes on Node 20. Same API, so the emulator takes 13 from Node 22 on and 12 before.
 */
const require = createRequire(import.meta.url);
const nodeMajor = Number(process.versions.node.split(".")[0]);

export const SQLITE_DRIVER = nodeMajor >= 22 ? "better-sqlite3-napi" : "better-sqlite3";
export const Database = require(SQLITE_DRIVER) as typeof BetterSqlite3;
export type Database = BetterSqlite3.Database;
export type Statement = BetterSqlite3.Statement;
