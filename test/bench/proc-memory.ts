import { readFileSync, writeFileSync } from "node:fs";

/**
 * The kernel's view of a process's memory (`/proc/<pid>/status`), in bytes: its resident set now (VmRSS) and the
 * high-water mark since start or the last resetPeak (VmHWM). Exact, where sampling RSS misses what lies between two
 * samples, and it costs the process nothing. Null off Linux.
 */
export function procMemory(pid: number | "self"): { rssBytes: number; peakBytes: number } | null {
  let status: string;
  try {
    status = readFileSync(`/proc/${pid}/status`, "utf8");
  } catch {
    return null;
  }
  const bytes = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? NaN) * 1024;
  const memory = { rssBytes: bytes("VmRSS"), peakBytes: bytes("VmHWM") };
  return Number.isFinite(memory.rssBytes) && Number.isFinite(memory.peakBytes) ? memory : null;
}

/** Restarts the high-water mark (VmHWM) at the current RSS: the next peak is that of what runs next. False off Linux. */
export function resetPeak(pid: number | "self"): boolean {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, "5");
    return true;
  } catch {
    return false;
  }
}
