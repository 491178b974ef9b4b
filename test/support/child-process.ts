import type { ChildProcessWithoutNullStreams } from "node:child_process";
import { once } from "node:events";

/** Everything a child has printed so far, read after the fact. */
export function collect(child: ChildProcessWithoutNullStreams): { stdout(): string; stderr(): string } {
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  return { stdout: () => stdout, stderr: () => stderr };
}

export async function exitOf(child: ChildProcessWithoutNullStreams): Promise<number | null> {
  if (child.exitCode !== null) return child.exitCode;
  const [code] = (await once(child, "exit")) as [number | null];
  return code;
}

/** Resolves with the GraphQL URL once the gateway prints that it is ready; rejects if it exits first. */
export function readyUrl(child: ChildProcessWithoutNullStreams): Promise<string> {
  return new Promise((resolve, reject) => {
    let seen = "";
    child.stdout.on("data", (chunk: Buffer) => {
      seen += chunk.toString();
      const match = /ready at (http:\/\/\S+\/graphql)/.exec(seen);
      if (match) resolve(match[1]);
    });
    child.once("exit", (code) => reject(new Error(`gateway exited (${code}) before it was ready: ${seen}`)));
  });
}

/**
 * This machine's environment without npm's own variables, for commands run as a reader would in another folder:
 * `npm run` sets npm_config_local_prefix and friends, which would point an inner npm (npm ci, npx) at this tree.
 */
export function environmentWithoutNpm(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^npm_/i.test(name) && name !== "INIT_CWD"));
}
