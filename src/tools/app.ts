import "reflect-metadata";
import { APP_USAGE, defaultActor, parseAppCommand } from "./app-command.js";
import { formatSettingsProblems, readAppSettings } from "./app-settings.js";
import { EXIT, runAppCommand } from "./app-verbs.js";

// `npm run app -- <command>`: app deployments (src/app-deployments). See APP_USAGE, or docs/frontend/trusted-documents.md.

const command = parseAppCommand(process.argv.slice(2), defaultActor());
if (command.kind === "help") {
  process.stdout.write(APP_USAGE);
  process.exit(EXIT.done);
}
if (command.kind === "refused") {
  console.error(command.problem);
  process.exit(EXIT.refused);
}
const { settings: config, problems } = readAppSettings(process.env);
if (problems.length > 0) {
  console.error(formatSettingsProblems(problems));
  process.exit(EXIT.refused);
}
const output = { out: (line: string) => console.log(line), err: (line: string) => console.error(line) };
// The schema (TypeGraphQL and every resolver) is built by check and create only.
const schema = async () => (await import("../graphql/schema.js")).buildGatewaySchema();
process.exitCode = await runAppCommand(command, config, schema, output);
