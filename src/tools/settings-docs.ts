import { readFileSync, writeFileSync } from "node:fs";
import { filesWithSettingsTable, renderEnvExample, TABLE_BEGIN, TABLE_END, withSettingsTable } from "../settings/settings-docs.js";

// `npm run settings:docs`: writes `.env.example` and the configuration table (between its markers, in README.md or
// a page of docs/) from the tables of src/settings/; test/unit/settings-docs.test.ts fails when either is stale.
writeFileSync(".env.example", renderEnvExample());
console.log("wrote .env.example");
const files = filesWithSettingsTable();
if (files.length === 0) {
  console.error(`No ${TABLE_BEGIN} ... ${TABLE_END} markers in README.md or docs/**/*.md: put them where the table belongs.`);
  process.exit(1);
}
for (const file of files) {
  writeFileSync(file, withSettingsTable(readFileSync(file, "utf8"))!);
  console.log(`wrote the configuration table of ${file}`);
}
