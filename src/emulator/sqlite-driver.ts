import type BetterSqlite3 from "better-sqlite3";
import { createRequire } from "node:module";
import { EmulatorUnavailableError } from "./unavailable.js";
import { messageOf, systemCodeOf } from "../lib/thrown.js";

/**
 * better-sqlite3 for the running Node. Version 12 (built from source against this Node's headers) aborts the process on
 * Node 24: its Statement finaliser removes a node::ObjectWrap cleanup hook while no Node environment is current
 * (`Assertion failed: (env) != nullptr`). Version 13 is a prebuilt Node-API module without that code path, for Node 22
 * and later, but crashes on Node 20. Same API, so the emulator takes 13 from Node 22 on and 12 before.
 *
 * Both are development dependencies: only the emulator uses them, and src/main.ts imports the emulator only when it
 * starts it, so a production install without them runs the gateway in front of Voucherify.
 */
const require = createRequire(import.meta.url);
const nodeMajor = Number(process.versions.node.split(".")[0]);

export const SQLITE_DRIVER = nodeMajor >= 22 ? "better-sqlite3-napi" : "better-sqlite3";
export const Database = loadDriver();
export type Database = BetterSqlite3.Database;
/** A prepared statement: what it binds, and the rows it reads. */
export type Statement<Params extends unknown[] = unknown[], Row = unknown> = BetterSqlite3.Statement<Params, Row>;

function loadDriver(): typeof BetterSqlite3 {
  try {
    return require(SQLITE_DRIVER) as typeof BetterSqlite3;
  } catch (error) {
    // Only the driver itself missing means "not installed"; a driver that is there but fails to load keeps its own error.
    if (systemCodeOf(error) === "MODULE_NOT_FOUND" && messageOf(error).includes(`'${SQLITE_DRIVER}'`)) {
      throw new EmulatorUnavailableError(SQLITE_DRIVER);
    }
    throw error;
  }
}
