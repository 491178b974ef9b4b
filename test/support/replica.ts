import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { once } from "node:events";
import { existsSync } from "node:fs";

import { NO_APP_DEPLOYMENTS_DIR } from "./app-deployments.js";

const MAIN = "dist/src/main.js";

export interface Replica {
  graphqlUrl: string;
  url: string;
  /** The replica's process id (for its memory, read from /proc by the soak). */
  pid: number;
  /** Everything the process wrote to stdout (its JSON log lines included). */
  output(): string;
  stop(): Promise<void>;
}

/** One gateway replica as operators run it: the compiled entry point in its own process (npm test builds first). */
export async function startReplica(env: Record<string, string>): Promise<Replica> {
  if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run \`npm run build\` first (npm test does).`);
  const { PATH, HOME } = process.env;
  const child: ChildProcessWithoutNullStreams = spawn(process.execPath, [MAIN], {
    env: { PATH, HOME, PORT: "0", LOG_LEVEL: "warn", CALLER_BUDGET_PER_MINUTE: "0", APP_DEPLOYMENTS_DIR: NO_APP_DEPLOYMENTS_DIR, ...env },
  });
  let output = "";
  child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exited = once(child, "exit");
  const graphqlUrl = await new Promise<string>((resolve, reject) => {
    child.stdout.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      const match = /ready at (http:\/\/\S+\/graphql)/.exec(output);
      if (match) resolve(match[1]);
    });
    child.once("exit", (code) => reject(new Error(`replica exited (${code}) before it was ready: ${output}`)));
  });
  return {
    graphqlUrl,
    url: graphqlUrl.replace(/\/graphql$/, ""),
    pid: child.pid!,
    output: () => output,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
      await exited;
    },
  };
}
