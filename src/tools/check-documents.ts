import "reflect-metadata";
import { ConfigError } from "../config.js";
import { formatDocumentProblem, loadTrustedDocuments } from "../documents/load-trusted-documents.js";
import { buildGatewaySchema } from "../graphql/schema.js";
import { settingsReader } from "../settings/catalogue.js";

// `npm run documents:check -- <manifest>...`: the checks the gateway makes of TRUSTED_DOCUMENTS at start (parse,
// one operation, validation against the served schema with the operation limits, cost, ids and their bodies), without
// starting it: what a frontend's CI runs before it ships. Exit 0 and a summary, or exit 2 and one line per problem.
const manifests = process.argv.slice(2);
if (manifests.length === 0 || manifests.some((arg) => arg === "--help" || arg === "-h")) {
  console.error(
    "Usage: npm run documents:check -- <manifest.json> [<manifest.json>...]  (GRAPHQL_MAX_COST is read as the gateway reads it)",
  );
  process.exit(2);
}
// Only the setting the checks use, read alone: a frontend's CI has none of the gateway's other configuration, and
// the rules that combine settings (a GRAPHQL_MAX_COST above the default caller budget) are the gateway's to apply.
const settings = settingsReader({ GRAPHQL_MAX_COST: process.env.GRAPHQL_MAX_COST });
const maxCost = settings.read("GRAPHQL_MAX_COST");
if (settings.problems.length > 0) {
  console.error(new ConfigError(settings.problems).message);
  process.exit(2);
}
const { documents, fromManifests, problems } = loadTrustedDocuments({ schema: await buildGatewaySchema(), manifests, maxCost });
if (problems.length > 0) {
  for (const problem of problems) console.error(formatDocumentProblem(problem));
  console.error(`${problems.length} problem(s): the gateway would refuse to start with ${manifests.join(", ")}.`);
  process.exit(2);
}
console.log(
  `OK: ${fromManifests} document(s) from ${manifests.length} manifest(s) parse, validate against the served schema and fit ` +
    `GRAPHQL_MAX_COST (${maxCost}); ${documents.size} trusted with the shipped operations.`,
);
