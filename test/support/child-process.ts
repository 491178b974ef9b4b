import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { once } from "node:events";
import { childEnv } from "./process-env.js";

// How tests run programs (the gateway, its tools, npm, bash, the OS's servers): one launcher, its output kept,
// readiness awaited on what the program prints, never on time.

export interface Launched {
  child: ChildProcessWithoutNullStreams;
  pid: number;
  /** Everything printed so far, read after the fact: standard output, standard error, and both as they came. */
  stdout: () => string;
  stderr: () => string;
  output: () => string;
  /** The exit code once it has exited (null: ended by a signal). */
  exited: Promise<number | null>;
  /**
   * The first match of `pattern` in standard output (or `stream`), from its character `from` on (0), once printed;
   * rejects if the program exits first.
   */
  waitFor: (pattern: RegExp, options?: { stream?: "stdout" | "stderr"; from?: number }) => Promise<RegExpExecArray>;
  /** Sends `signal` (SIGTERM) unless the program has exited; `exited` tells the outcome. */
  kill: (signal?: NodeJS.Signals) => void;
  /** kill(), then waits for the exit code. */
  stop: (signal?: NodeJS.Signals) => Promise<number | null>;
}

/** Starts `command` with `env` over childEnv() (PATH and HOME only), in `cwd`. */
export function launch(
  command: string,
  args: string[],
  options: { env?: Record<string, string | undefined>; cwd?: string } = {},
): Launched {
  const child = spawn(command, args, { cwd: options.cwd, env: childEnv(options.env) });
  const printed = { stdout: "", stderr: "", output: "" };
  for (const stream of ["stdout", "stderr"] as const) {
    child[stream].on("data", (chunk: Buffer) => {
      const text = chunk.toString();
      printed[stream] += text;
      printed.output += text;
    });
  }
  const exited = once(child, "exit").then(([code]) => code as number | null);
  const kill = (signal: NodeJS.Signals = "SIGTERM") => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
  };
  return {
    child,
    pid: child.pid!,
    stdout: () => printed.stdout,
    stderr: () => printed.stderr,
    output: () => printed.output,
    exited,
    waitFor: (pattern, { stream = "stdout", from = 0 } = {}) => {
      return new Promise((resolve, reject) => {
        const look = () => {
          const match = pattern.exec(printed[stream].slice(from));
          if (!match) return false;
          child[stream].off("data", look);
          resolve(match);
          return true;
        };
        if (look()) return;
        child[stream].on("data", look);
        void exited.then((code) => {
          // What the exit left unread is read first: the line may have come with it.
          if (!look()) reject(new Error(`${command} exited (${code}) before printing ${pattern}:\n${printed.output}`));
        });
      });
    },
    kill,
    stop: (signal = "SIGTERM") => {
      kill(signal);
      return exited;
    },
  };
}

export interface CommandResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `command` to its end: its exit code and what it printed. */
export async function runCommand(
  command: string,
  args: string[],
  options: { env?: Record<string, string | undefined>; cwd?: string } = {},
): Promise<CommandResult> {
  const launched = launch(command, args, options);
  const status = await launched.exited;
  return { status, stdout: launched.stdout(), stderr: launched.stderr() };
}

/** A shell script as a reader would paste it (bash, strict: -e and pipefail, no rc files); its stdout, or a throw on failure. */
export async function runScript(script: string, options: { env?: Record<string, string | undefined>; cwd?: string } = {}): Promise<string> {
  const { status, stdout, stderr } = await runCommand("bash", ["--norc", "--noprofile", "-eo", "pipefail", "-c", script], options);
  if (status !== 0) throw new Error(`${script}\nexited ${status}:\n${stdout}\n${stderr}`);
  return stdout;
}

/** The GraphQL URL a gateway prints when it is ready; rejects if it exits first. */
export async function readyUrl(launched: Launched): Promise<string> {
  return (await launched.waitFor(/ready at (http:\/\/\S+\/graphql)/))[1];
}
