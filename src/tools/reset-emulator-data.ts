/**
 * `npm run emulator:reset`: deletes the emulator's SQLite file (EMULATOR_DB, with its WAL and shared-memory files),
 * so the next `npm start` or `npm run emulator` seeds the demo programs afresh. Stop them first: a running emulator
 * keeps writing to the file it opened.
 */
import { existsSync, rmSync } from "node:fs";
import { settingsReader } from "../settings/catalogue.js";

// Read as the gateway and `npm run emulator` read it (src/settings/emulator.ts): the same default, the same trimming.
const dbFile = settingsReader(process.env).read("EMULATOR_DB");
if (dbFile === ":memory:") {
  console.log("EMULATOR_DB=:memory: keeps nothing between starts: nothing to reset.");
} else {
  const files = [dbFile, `${dbFile}-wal`, `${dbFile}-shm`, `${dbFile}-journal`].filter((file) => existsSync(file));
  for (const file of files) rmSync(file);
  console.log(
    files.length > 0
      ? `Deleted ${files.join(", ")}: the next start seeds the demo data afresh.`
      : `No emulator data at ${dbFile}: the next start seeds the demo data.`,
  );
}
