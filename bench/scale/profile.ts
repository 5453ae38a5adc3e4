/**
 * Where the time goes in a V8 CPU profile (node --cpu-prof): self time per function and
 * per part of the code (this package's areas, Node-RED, Node.js internals, GC).
 */
import * as fs from "node:fs";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileSummary {
  totalMs: number;
  byFunction: Array<{ name: string; ms: number; share: number }>;
  byPart: Array<{ part: string; ms: number; share: number }>;
}

/** The part of the code a script URL belongs to. */
export function partOf(url: string, functionName: string): string {
  if (functionName === "(garbage collector)") return "garbage collection";
  if (functionName === "(idle)" || functionName === "(program)") return functionName;
  const pkg = url.match(/\/build\/(nodes\/[^/]+|bench|scripts)\//);
  if (pkg) return pkg[1];
  const module = url.match(/node_modules\/((?:@[^/]+\/)?[^/]+)\//);
  if (module) return module[1];
  if (url.startsWith("node:") || url === "") return "Node.js internals";
  return url;
}

export function summariseProfile(file: string, top = 15): ProfileSummary {
  const profile = JSON.parse(fs.readFileSync(file, "utf8")) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<number, number>();
  profile.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const functions = new Map<string, number>();
  const parts = new Map<string, number>();
  let busyUs = 0;
  for (const [id, us] of selfUs) {
    const { functionName, url, lineNumber } = (byId.get(id) as ProfileNode).callFrame;
    if (functionName === "(idle)") continue;
    busyUs += us;
    const short = url.replace(/^.*\/(build|node_modules)\//, "$1/");
    const name = `${functionName || "(anonymous)"} ${short}${short ? `:${lineNumber + 1}` : ""}`;
    functions.set(name, (functions.get(name) ?? 0) + us);
    const part = partOf(url, functionName);
    parts.set(part, (parts.get(part) ?? 0) + us);
  }
  const rank = (m: Map<string, number>) => [...m.entries()].sort((a, b) => b[1] - a[1]);
  return {
    totalMs: busyUs / 1000,
    byFunction: rank(functions).slice(0, top).map(([name, us]) => ({ name, ms: us / 1000, share: us / busyUs })),
    byPart: rank(parts).slice(0, top).map(([part, us]) => ({ part, ms: us / 1000, share: us / busyUs })),
  };
}
