import { spawn, execFileSync } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { onPath } from "../support/on-path.js";
import { startFront, type FrontContext } from "./fronts.js";
import type { LaneDefinition } from "./lane-catalogue.js";
import type { Build } from "./lane-runner.js";
import type { LaneRequest } from "./lanes.js";
import { measure, warmUp, type LoadSpec } from "./load.js";

/**
 * What one request costs a front, counted rather than timed: the user-space instructions it executes (valgrind's
 * callgrind, every thread) and the system calls it makes (strace -c -f), over a fixed number of requests after a
 * warm-up. Counts do not move with whatever else runs on the machine, so a before and after, or a lane and the proxy,
 * compare on a busy shared machine where CPU time per request swings several-fold from one run to the next. They are
 * not CPU time: an instruction that misses the cache and a system call's kernel work cost more than they count for.
 */
export interface CostCounts {
  lane: string;
  build: Build;
  /** Instructions per request, measured run only; null when valgrind is not installed. */
  instructionsPerRequest: number | null;
  /**
   * Of them, V8's optimising compilers (TurboFan, Maglev) at work: after 1,000 requests a front is still tiering up
   * (a gateway for about 20,000 more), work a long-running process no longer does. Null when not counted.
   */
  jitInstructionsPerRequest: number | null;
  /** System calls per request, measured run only; null when strace is not installed. */
  syscallsPerRequest: number | null;
  /** The most frequent system calls, per request. */
  syscalls: Record<string, number>;
}

/** Requests before counting (the JIT's tiers settle) and counted, under valgrind (about 50 times slower) and not. */
const INSTRUCTION_RUN = { warmup: 1000, measured: 500, connections: 8 };
const SYSCALL_RUN = { warmup: 3000, measured: 5000, connections: 32 };
/** A gateway under valgrind starts in about a minute on a busy two-core machine. */
const VALGRIND_START_MS = 600_000;

const round = (value: number, digits: number) => Math.round(value * 10 ** digits) / 10 ** digits;

function spec(url: string, request: LaneRequest, expectBody: string, connections: number): LoadSpec {
  return {
    url: new URL(request.path, url).href,
    method: request.method,
    headers: request.headers,
    body: request.body,
    connections,
    warmupSeconds: 0,
    durationSeconds: 0,
    expectBody,
  };
}

/** V8's compilers' functions (callgrind_annotate names them by their C++ namespaces). */
const JIT_FUNCTION = /v8::internal::(compiler|maglev)::/;

/** Instructions of V8's compilers in a callgrind output, from callgrind_annotate's per-function totals; null without it. */
function jitInstructions(callgrindOut: string): number | null {
  const annotate = onPath("callgrind_annotate");
  if (!annotate) return null;
  const table = execFileSync(annotate, ["--threshold=100", callgrindOut], { encoding: "utf8", maxBuffer: 256 * 1024 * 1024 });
  let total = 0;
  for (const line of table.split("\n")) {
    const match = /^\s*([\d,]+) /.exec(line);
    if (match && JIT_FUNCTION.test(line)) total += Number(match[1].replaceAll(",", ""));
  }
  return total;
}

async function countInstructions(
  lane: LaneDefinition,
  build: Build,
  context: FrontContext,
  request: LaneRequest,
  expectBody: string,
): Promise<{ total: number; jit: number | null } | null> {
  const valgrind = onPath("valgrind");
  const control = onPath("callgrind_control");
  if (!valgrind || !control) return null;
  const dir = mkdtempSync(join(tmpdir(), "bench-callgrind-"));
  const out = join(dir, "callgrind.out");
  // Not instrumented until the warm-up is over: the start and the JIT's first tiers run at valgrind's plain speed.
  const wrapper = [valgrind, "--tool=callgrind", "--instr-atstart=no", `--callgrind-out-file=${out}`];
  const front = await startFront(lane, build, context, { wrapper, startTimeoutMs: VALGRIND_START_MS });
  try {
    const pid = String(front.front!.pid);
    const load = spec(front.url, request, expectBody, INSTRUCTION_RUN.connections);
    await warmUp(load, { requests: INSTRUCTION_RUN.warmup });
    execFileSync(control, ["--instr=on", pid], { stdio: "ignore" });
    const measured = await measure(load, { requests: INSTRUCTION_RUN.measured });
    execFileSync(control, ["--dump", pid], { stdio: "ignore" });
    if (measured.errors.total > 0) throw new Error(`${lane.name} (${build}) answered wrongly under valgrind`);
    const summary = /^summary: (\d+)$/m.exec(readFileSync(`${out}.1`, "utf8"));
    if (!summary) return null;
    const jit = jitInstructions(`${out}.1`);
    const perRequest = (instructions: number) => Math.round(instructions / measured.requests);
    return { total: perRequest(Number(summary[1])), jit: jit === null ? null : perRequest(jit) };
  } finally {
    await front.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function countSyscalls(
  lane: LaneDefinition,
  build: Build,
  context: FrontContext,
  request: LaneRequest,
  expectBody: string,
): Promise<{ perRequest: number; byName: Record<string, number> } | null> {
  const strace = onPath("strace");
  if (!strace) return null;
  const dir = mkdtempSync(join(tmpdir(), "bench-strace-"));
  const out = join(dir, "strace.txt");
  const front = await startFront(lane, build, context);
  try {
    const load = spec(front.url, request, expectBody, SYSCALL_RUN.connections);
    await warmUp(load, { requests: SYSCALL_RUN.warmup });
    const tracer = spawn(strace, ["-c", "-f", "-o", out, "-p", String(front.front!.pid)], { stdio: ["ignore", "ignore", "pipe"] });
    // Attached (to every thread) once it says so; the count runs from then until it is interrupted.
    let said = "";
    while (!/attached/.test(said)) said += String((await once(tracer.stderr, "data"))[0]);
    const measured = await measure(load, { requests: SYSCALL_RUN.measured });
    tracer.kill("SIGINT");
    await once(tracer, "exit");
    if (measured.errors.total > 0) throw new Error(`${lane.name} (${build}) answered wrongly under strace`);
    // strace -c's table: % time, seconds, usecs/call, calls, [errors,] syscall; then a "total" row.
    const counts = readFileSync(out, "utf8")
      .split("\n")
      .map((line) => line.trim().split(/\s+/))
      .filter((fields) => fields.length >= 5 && /^\d+$/.test(fields[3]) && fields.at(-1) !== "total")
      .map((fields) => ({ name: fields.at(-1)!, calls: Number(fields[3]) }));
    const per = (calls: number) => round(calls / measured.requests, 2);
    const byName = Object.fromEntries(
      counts
        .sort((a, b) => b.calls - a.calls)
        .slice(0, 6)
        .map(({ name, calls }) => [name, per(calls)]),
    );
    return { perRequest: per(counts.reduce((sum, c) => sum + c.calls, 0)), byName };
  } finally {
    await front.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Both counts for one lane on one build, each on a fresh front. */
export async function countCosts(
  lane: LaneDefinition,
  build: Build,
  context: FrontContext,
  request: LaneRequest,
  expectBody: string,
): Promise<CostCounts> {
  const syscalls = await countSyscalls(lane, build, context, request, expectBody);
  const instructions = await countInstructions(lane, build, context, request, expectBody);
  return {
    lane: lane.name,
    build,
    instructionsPerRequest: instructions?.total ?? null,
    jitInstructionsPerRequest: instructions?.jit ?? null,
    syscallsPerRequest: syscalls?.perRequest ?? null,
    syscalls: syscalls?.byName ?? {},
  };
}

/** Why the counts cannot be taken here, or null. */
export function countsUnavailable(): string | null {
  const missing = ["valgrind", "callgrind_control", "strace"].filter((tool) => !onPath(tool));
  return missing.length === 0 ? null : `${missing.join(", ")} not on PATH (Debian: apt-get install -y valgrind strace)`;
}
