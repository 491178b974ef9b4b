import { composeCommand } from "./compose-command.js";

// `npm run compose -- [--config supergraph.yaml] [--output supergraph.graphql]` (see compose-command.ts). Paths are the
// caller's: npm runs scripts in the package's folder and says in INIT_CWD where it was started.
process.exitCode = await composeCommand(process.argv.slice(2), {
  cwd: process.env.INIT_CWD ?? process.cwd(),
  env: process.env,
  out: (text) => process.stdout.write(text),
  err: (line) => process.stderr.write(`${line}\n`),
});
