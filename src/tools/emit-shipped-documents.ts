import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { shippedDocuments, shippedDocumentsModule } from "../documents/shipped-documents.js";

// `npm run documents:shipped`: the shipped operations as trusted documents, written into src/ so that dist/ needs
// nothing from schema/ at run time. Their names are the metrics' fixed operation labels too.
const dir = "schema/operations";
const files = readdirSync(dir)
  .filter((name) => name.endsWith(".graphql"))
  .map((name) => ({ name, text: readFileSync(join(dir, name), "utf8") }));
const out = "src/documents/shipped-documents.generated.ts";
writeFileSync(out, shippedDocumentsModule(shippedDocuments(files)));
console.log(`Wrote ${out}`);
