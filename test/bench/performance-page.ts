import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { CacheBenchResults } from "./cache-bench.js";
import { cacheTable } from "./cache-report.js";
import { LANES } from "./lane-catalogue.js";
import type { ProfileSummary } from "./profile-summary.js";
import {
  baselineTable,
  countsTable,
  lanesTable,
  turnsClause,
  scalingTable,
  targetsTable,
  type BenchResults,
  type TargetCheck,
} from "./report.js";

/**
 * The tables of docs/contributors/performance.md, made from one bench run's results (test/bench/results/bench.json and
 * the profiles of the lanes that missed a target). Each lives in the page between `<!-- bench:NAME -->` and
 * `<!-- /bench:NAME -->`; the prose around them is the page's own. A full `npm run bench` rewrites them, and so does
 * `npm run bench:page` from the committed results; test/docs/performance-page.test.ts keeps them in step.
 */

export const PAGE = "docs/contributors/performance.md";
export const RESULTS = "test/bench/results";

export type BenchJson = BenchResults & { cache: (CacheBenchResults & { targets: TargetCheck[] }) | null };

export interface LaneProfile {
  lane: string;
  connections: number;
  requestsPerSecond: number;
  cpuMicrosPerRequest: number | null;
  summary: ProfileSummary;
}

const row = (cells: Array<string | number>) => `| ${cells.join(" | ")} |`;

function describeLane(lane: (typeof LANES)[number]): string {
  if (lane.front !== "gateway") return "–";
  const settings = [
    lane.cache ? `cache ${lane.cache}` : "cache off",
    ...(lane.tracing
      ? [lane.tracing.sampler === "always_on" ? "tracing always_on" : `tracing ${lane.tracing.sampler} ${lane.tracing.ratio}`]
      : []),
    ...Object.entries(lane.env ?? {}).map(([name, value]) => `${name}=${value}`),
  ];
  return settings.join(", ");
}

function lanesBlock(): string {
  const rows = ["| lane | what answers | sends | gateway settings |", "|---|---|---|---|"];
  for (const lane of LANES) rows.push(row([`\`${lane.name}\``, lane.label, lane.request, describeLane(lane)]));
  return rows.join("\n");
}

function resultsBlock(results: BenchJson): string {
  const m = results.machine;
  const turns = turnsClause(results);
  const s = results.settings;
  const high = Math.max(...s.concurrency);
  const parts = [
    `One run, ${results.startedAt.slice(0, 10)} (${results.kind}): ${m.nproc} CPUs (${m.cpuModel}), ${m.memoryGiB} GiB, Node ${m.node}; ` +
      `${s.warmupSeconds} s warm-up then ${s.durationSeconds} s per lane` +
      (turns ? `, every lane ${turns.taken} (${turns.read})` : "") +
      (results.baseline ? `; the baseline is ${results.baseline.label}, run beside this build in the same run` : "") +
      ".",
    ...results.skipped.map((skip) => `Skipped here: \`${skip.lane}\` (${skip.reason}).`),
    "",
    ...s.concurrency.flatMap((c) => [`At ${c} connection${c === 1 ? "" : "s"}:`, "", lanesTable(results, c), ""]),
  ];
  const before = results.baseline ? baselineTable(results, high) : "";
  if (before) parts.push(`Before and after, ${high} connections, same run:`, "", before, "");
  parts.push("Targets:", "", targetsTable(results.targets));
  return parts.join("\n").trimEnd();
}

function profilesBlock(results: BenchJson, profiles: readonly LaneProfile[]): string {
  if (profiles.length === 0) return "No lane missed a target in this run: no profile was taken.";
  const missed = (lane: string) =>
    results.targets
      .filter((t) => t.lane === lane && !t.met)
      .map((t) => `${t.name}: ${t.measured} (wanted ${t.target})`)
      .join("; ");
  const parts: string[] = [];
  for (const profile of profiles) {
    const { summary } = profile;
    parts.push(
      `**\`${profile.lane}\`** (missed: ${missed(profile.lane)}). Profiled run at c=${profile.connections}: ` +
        `${profile.requestsPerSecond} req/s, ${profile.cpuMicrosPerRequest} µs CPU/request with the profiler on; ` +
        `[the whole summary](../../${RESULTS}/profile-${encodeURIComponent(profile.lane)}.md).`,
      "",
      "| self time by area | % of busy | | on the stack, this project's functions | % of busy |",
      "|---|---:|---|---|---:|",
    );
    const areas = summary.selfByArea.filter((a) => a.area !== "(idle)").slice(0, 10);
    const own = summary.inclusiveByOwnFunction.slice(0, 10);
    for (let i = 0; i < Math.max(areas.length, own.length); i++) {
      const area = areas[i];
      const fn = own[i];
      parts.push(row([area?.area ?? "", area?.percent ?? "", "", fn ? `${fn.name} (${fn.where})` : "", fn?.percent ?? ""]));
    }
    parts.push("");
  }
  return parts.join("\n").trimEnd();
}

/** Every generated block of the page, by name. */
export function renderBlocks(results: BenchJson, profiles: readonly LaneProfile[]): Record<string, string> {
  return {
    lanes: lanesBlock(),
    results: resultsBlock(results),
    counts:
      results.counts && results.counts.length > 0
        ? countsTable(results)
        : "Not counted in this bench run (`BENCH_COUNTS=1`; needs valgrind and strace).",
    scaling: results.scaling.length > 0 ? scalingTable(results) : "The page-size runs did not run in this bench run.",
    cache: results.cache ? cacheTable(results.cache, results.lanes) : "The cache section did not run in this bench run.",
    profiles: profilesBlock(results, profiles),
  };
}

/** The page with each `<!-- bench:NAME -->` block replaced; a block the page lacks is an error (the page is out of date). */
export function applyBlocks(page: string, blocks: Record<string, string>): string {
  let out = page;
  for (const [name, content] of Object.entries(blocks)) {
    const start = `<!-- bench:${name} -->`;
    const end = `<!-- /bench:${name} -->`;
    const from = out.indexOf(start);
    const to = out.indexOf(end);
    if (from === -1 || to < from) throw new Error(`${PAGE} has no ${start} ... ${end} block`);
    out = `${out.slice(0, from + start.length)}\n${content}\n${out.slice(to)}`;
  }
  return out;
}

/** The results committed under `root` (bench.json and the profiles it names). */
export function readResults(root: string): { results: BenchJson; profiles: LaneProfile[] } {
  const results = JSON.parse(readFileSync(join(root, RESULTS, "bench.json"), "utf8")) as BenchJson;
  const profiles = (results.profiles ?? []).map(
    (lane) => JSON.parse(readFileSync(join(root, RESULTS, `profile-${lane}.json`), "utf8")) as LaneProfile,
  );
  return { results, profiles };
}

/** Rewrites the page's generated blocks from the results under `root`. */
export function updatePerformancePage(root: string): void {
  const { results, profiles } = readResults(root);
  const file = join(root, PAGE);
  writeFileSync(file, applyBlocks(readFileSync(file, "utf8"), renderBlocks(results, profiles)));
}

// `npm run bench:page`: the page's tables from the committed results.
if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const root = join(dirname(fileURLToPath(import.meta.url)), "../../..");
  updatePerformancePage(root);
  console.log(`updated ${PAGE} from ${RESULTS}/bench.json`);
}
