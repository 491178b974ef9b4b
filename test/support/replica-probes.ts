import type { EmulatorHandle } from "../../src/emulator/emulator.js";
import type { GatewayProcess } from "./gateway-process.js";

// What tests of several gateway replicas ask of them and of the emulator behind them.

/** The holder-list calls the emulator received since its last resetRequests(): the upstream calls the cache saves. */
export const listCalls = (emulator: EmulatorHandle) =>
  emulator.requests.filter((r) => r.method === "GET" && r.path.endsWith("/holders")).length;

export async function readyz(replica: GatewayProcess): Promise<{ ready: boolean; checks: { cache: string } }> {
  return (await fetch(`${replica.url}/readyz`)).json() as Promise<{ ready: boolean; checks: { cache: string } }>;
}

/** The sum of a replica's /metrics samples whose line starts with `prefix` (a name, or a name and its first labels). */
export async function metric(replica: GatewayProcess, prefix: string): Promise<number> {
  const text = await (await fetch(`${replica.url}/metrics`)).text();
  return text
    .split("\n")
    .filter((line) => line.startsWith(prefix))
    .reduce((sum, line) => sum + Number(line.split(" ").at(-1)), 0);
}

/** Runs `count` tasks, `concurrency` at a time. */
export async function pool<T>(count: number, concurrency: number, task: (index: number) => Promise<T>): Promise<T[]> {
  const results: T[] = new Array(count);
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        const index = next++;
        results[index] = await task(index);
      }
    }),
  );
  return results;
}

/**
 * Polls `probe` until it holds, for conditions with no event to wait on (a background health probe, a promotion
 * seen by another process); rejects after `timeoutMs`.
 */
export async function eventually(probe: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > until) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
