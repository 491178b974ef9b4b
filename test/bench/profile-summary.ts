import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";

/** The parts of a V8 .cpuprofile (written by `node --cpu-prof`) that a summary needs. */
interface CpuProfile {
  nodes: Array<{ id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] }>;
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileSummary {
  totalMs: number;
  /** Where the CPU was when sampled: the function itself, not its callees. */
  selfByFunction: Array<{ name: string; where: string; ms: number; percent: number }>;
  selfByArea: Array<{ area: string; ms: number; percent: number }>;
  /** Time with at least one frame of the area on the stack (an area counts once per sample). */
  inclusiveByArea: Array<{ area: string; ms: number; percent: number }>;
  /** Time with the function on the stack, for this project's functions: where a request's time goes, step by step. */
  inclusiveByOwnFunction: Array<{ name: string; where: string; ms: number; percent: number }>;
}

/** Groups a frame by package (node_modules/<name>), node internals, this project's files, or V8's own entries. */
export function areaOf(url: string, functionName: string): string {
  if (!url) return functionName.startsWith("(") ? functionName : "(native)";
  const module = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (module) return module[1];
  if (url.startsWith("node:")) return "node internals";
  const own = /\/(src|test)\/(.*)$/.exec(url);
  if (own) return `project ${own[1]}/${own[2].split("/")[0].replace(/\.js$/, "")}`;
  return "(other)";
}

function shortWhere(url: string, line: number): string {
  const tail = url
    .replace(/^file:\/\//, "")
    .replace(/^.*node_modules\//, "")
    .replace(/^.*\/(src|test)\//, "$1/");
  return tail ? `${tail}:${line + 1}` : "";
}

export function summarizeProfile(profile: CpuProfile, top = 25): ProfileSummary {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const selfTime = new Map<number, number>();
  profile.samples.forEach((id, index) => selfTime.set(id, (selfTime.get(id) ?? 0) + (profile.timeDeltas[index] ?? 0)));
  const totalMicros = [...selfTime.values()].reduce((a, b) => a + b, 0);
  const busyMicros = totalMicros - (selfTime.get(profile.nodes.find((n) => n.callFrame.functionName === "(idle)")?.id ?? -1) ?? 0);

  const fn = new Map<string, { name: string; where: string; micros: number }>();
  const selfArea = new Map<string, number>();
  const inclusiveArea = new Map<string, number>();
  const inclusiveOwn = new Map<string, { name: string; where: string; micros: number }>();
  for (const [id, micros] of selfTime) {
    const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
    const key = `${functionName}|${url}|${lineNumber}`;
    const entry = fn.get(key) ?? { name: functionName || "(anonymous)", where: shortWhere(url, lineNumber), micros: 0 };
    entry.micros += micros;
    fn.set(key, entry);
    const area = areaOf(url, functionName);
    selfArea.set(area, (selfArea.get(area) ?? 0) + micros);
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const frame = byId.get(at)!.callFrame;
      if (frame.functionName === "(root)") continue;
      seen.add(areaOf(frame.url, frame.functionName));
    }
    for (const a of seen) inclusiveArea.set(a, (inclusiveArea.get(a) ?? 0) + micros);
    const own = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const { functionName: name, url: frameUrl, lineNumber: line } = byId.get(at)!.callFrame;
      if (!/\/src\//.test(frameUrl) || /node_modules/.test(frameUrl)) continue;
      const key = `${name}|${frameUrl}|${line}`;
      if (own.has(key)) continue;
      own.add(key);
      const entry = inclusiveOwn.get(key) ?? { name: name || "(anonymous)", where: shortWhere(frameUrl, line), micros: 0 };
      entry.micros += micros;
      inclusiveOwn.set(key, entry);
    }
  }
  const ms = (micros: number) => Math.round(micros / 100) / 10;
  const percent = (micros: number) => Math.round((micros / Math.max(1, busyMicros)) * 1000) / 10;
  const sorted = (map: Map<string, number>) =>
    [...map]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([area, micros]) => ({ area, ms: ms(micros), percent: percent(micros) }));
  return {
    totalMs: ms(totalMicros),
    selfByFunction: [...fn.values()]
      .sort((a, b) => b.micros - a.micros)
      .slice(0, top)
      .map((f) => ({ name: f.name, where: f.where, ms: ms(f.micros), percent: percent(f.micros) })),
    selfByArea: sorted(selfArea),
    inclusiveByArea: sorted(inclusiveArea),
    inclusiveByOwnFunction: [...inclusiveOwn.values()]
      .sort((a, b) => b.micros - a.micros)
      .slice(0, top)
      .map((f) => ({ name: f.name, where: f.where, ms: ms(f.micros), percent: percent(f.micros) })),
  };
}

export function profileMarkdown(summary: ProfileSummary, title: string): string {
  const lines = [`# ${title}`, "", `Sampled ${summary.totalMs} ms; percentages are of non-idle time.`, ""];
  lines.push("## Self time by area", "", "| area | ms | % |", "|---|---:|---:|");
  for (const a of summary.selfByArea) lines.push(`| ${a.area} | ${a.ms} | ${a.percent} |`);
  lines.push("", "## On the stack (inclusive) by area", "", "| area | ms | % |", "|---|---:|---:|");
  for (const a of summary.inclusiveByArea) lines.push(`| ${a.area} | ${a.ms} | ${a.percent} |`);
  lines.push("", "## Self time by function", "", "| function | where | ms | % |", "|---|---|---:|---:|");
  for (const f of summary.selfByFunction) lines.push(`| ${f.name} | ${f.where} | ${f.ms} | ${f.percent} |`);
  lines.push(
    "",
    "## On the stack (inclusive) by function, this project's (synchronous parts; awaited work counts where it resumes)",
    "",
    "| function | where | ms | % |",
    "|---|---|---:|---:|",
  );
  for (const f of summary.inclusiveByOwnFunction) lines.push(`| ${f.name} | ${f.where} | ${f.ms} | ${f.percent} |`);
  return `${lines.join("\n")}\n`;
}

// `node dist/test/bench/profile-summary.js FILE.cpuprofile`: the same summary for any profile.
if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const file = process.argv[2];
  if (!file) {
    console.error("usage: node dist/test/bench/profile-summary.js FILE.cpuprofile [top]");
    process.exit(2);
  }
  const summary = summarizeProfile(JSON.parse(readFileSync(file, "utf8")) as CpuProfile, Number(process.argv[3] ?? 25));
  process.stdout.write(profileMarkdown(summary, `CPU profile: ${file}`));
}
