/**
 * Scale (issue #11): how many vibration channels one Node-RED process sustains in real
 * time through flow 1 without the dashboard, and its RSS over 10 minutes.
 *
 * Each measured Node-RED runs in a child process of its own (bench/scale/child.ts), so
 * its CPU time (process.cpuUsage: user + system, all its threads) and RSS are its own.
 * The flow is flow 1 itself (flows/complete-maintenance-system.json) without the
 * dashboard, with one machine's chain copied per asset (bench/scale/flow.ts says exactly
 * what is kept and dropped); recorded blocks are injected at the real-time rate.
 *
 * 1. CPU cost: N assets for `--probe-seconds` (default 60) after a warm-up; channels per
 *    core = channel-seconds of signal processed / CPU seconds used. Beside it, in the
 *    same run: the reference flow (each chain replaced by a function node passing the
 *    block on: the injector plus Node-RED's own message passing of the same blocks).
 * 2. Real time: the process at `--headroom` (default 0.9) of that capacity for
 *    `--confirm-seconds` (default 60): does it keep pace (backlog of blocks bounded,
 *    event-loop delay bounded)? On a shared machine the child may get less than a core:
 *    the CPU share it got is reported beside the verdict.
 * 3. Memory: RSS every 30 s for `--minutes` (default 10) at the sustained N of the FEMTO
 *    kind, start / end / max and slope, beside the reference flow at the same N run at
 *    the same time.
 *
 *   npm run bench -- scale                      (full: about 20 minutes)
 *   npm run bench -- scale --minutes 1 --probe-seconds 20 --confirm-seconds 20
 * Other flags: --overlap P (CWRU windows' overlap in percent instead of flow 1's)
 *   --kinds femto,cwru  --assets femto=8,cwru=8 (probe sizes)
 *   --memory-kind femto  --memory-assets N  --headroom 0.9  --warm-up 20 (seconds before
 *   each measurement; the first waves of alarms, tasks and plans fall in it)
 *   --profile (adds one profiled run per kind, node --cpu-prof, and prints where the
 *   time goes)  --phases probe,confirm,memory (a subset runs only those; confirm without
 *   probe needs --confirm-assets femto=N,cwru=N, which also overrides the derived N).
 * Details (every sample) go to bench-output/scale.json.
 */
import { fork } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { repoRoot } from "../scripts/embedded-node-red";
import { BenchReport } from "./report";
import type { ChildConfig, ChildReport, ChildSample } from "./scale/child";
import type { ChannelKind } from "./scale/flow";
import { ProfileSummary, summariseProfile } from "./scale/profile";

const TARGET_CHANNELS_PER_CORE = 50;
const TARGET_RSS_MB = 500;
const CHILD = path.join(__dirname, "scale", "child.js");

interface Options {
  kinds: ChannelKind[];
  probeAssets: Record<ChannelKind, number>;
  probeSeconds: number;
  confirmSeconds: number;
  headroom: number;
  minutes: number;
  memoryKind: ChannelKind;
  memoryAssets?: number;
  profile: boolean;
  warmUpS: number;
  phases: string[];
  /** Assets for the real-time check instead of the ones the CPU time gives. */
  confirmAssets: Partial<Record<ChannelKind, number>>;
  /** The CWRU windows' overlap in percent instead of flow 1's. */
  overlapPercent?: number;
}

function parseOptions(argv: string[]): Options {
  const value = (flag: string) => {
    const i = argv.indexOf(flag);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const number = (flag: string, fallback: number) => {
    const text = value(flag);
    if (text === undefined) return fallback;
    const n = Number(text);
    if (!(n > 0)) throw new Error(`${flag}: expected a number > 0, got ${text}`);
    return n;
  };
  const kinds = (value("--kinds") ?? "femto,cwru").split(",").map((k) => k.trim()) as ChannelKind[];
  for (const kind of kinds) if (kind !== "femto" && kind !== "cwru") throw new Error(`--kinds: femto or cwru, got ${kind}`);
  const perKind = (flag: string) => {
    const result: Partial<Record<ChannelKind, number>> = {};
    for (const pair of (value(flag) ?? "").split(",").filter(Boolean)) {
      const [kind, n] = pair.split("=");
      if ((kind !== "femto" && kind !== "cwru") || !(Number(n) >= 1)) throw new Error(`${flag}: expected femto=N,cwru=N, got ${pair}`);
      result[kind] = Number(n);
    }
    return result;
  };
  const probeAssets: Record<ChannelKind, number> = { femto: 8, cwru: 8, ...perKind("--assets") };
  const phases = (value("--phases") ?? "probe,confirm,memory").split(",");
  const confirmAssets = perKind("--confirm-assets");
  if (phases.includes("confirm") && !phases.includes("probe")) {
    for (const kind of kinds) if (!confirmAssets[kind]) throw new Error(`--phases without probe: give --confirm-assets ${kind}=N`);
  }
  const memoryKind = (value("--memory-kind") ?? kinds[0]) as ChannelKind;
  const overlapText = value("--overlap");
  const overlapPercent = overlapText === undefined ? undefined : Number(overlapText);
  if (overlapPercent !== undefined && !(overlapPercent >= 0 && overlapPercent < 100)) throw new Error(`--overlap: expected a percentage 0 <= p < 100, got ${overlapText}`);
  return {
    kinds,
    probeAssets,
    probeSeconds: number("--probe-seconds", 60),
    confirmSeconds: number("--confirm-seconds", 60),
    headroom: number("--headroom", 0.9),
    minutes: number("--minutes", 10),
    memoryKind,
    memoryAssets: value("--memory-assets") === undefined ? undefined : number("--memory-assets", 1),
    profile: argv.includes("--profile"),
    warmUpS: number("--warm-up", 20),
    phases,
    confirmAssets,
    overlapPercent,
  };
}

interface ChildRun {
  config: ChildConfig;
  info: Record<string, unknown>;
  samples: ChildSample[];
  done: Record<string, unknown>;
  profile?: ProfileSummary;
}

/** Run one measured Node-RED process to its end. */
function runChild(config: ChildConfig, cpuProfile = false): Promise<ChildRun> {
  const profileDir = cpuProfile ? fs.mkdtempSync(path.join(os.tmpdir(), "pdm-scale-prof-")) : undefined;
  const execArgv = profileDir ? ["--cpu-prof", `--cpu-prof-dir=${profileDir}`] : [];
  const child = fork(CHILD, [JSON.stringify(config)], { execArgv, stdio: ["ignore", "inherit", "inherit", "ipc"] });
  const run: ChildRun = { config, info: {}, samples: [], done: {} };
  child.on("message", (message: ChildReport) => {
    if (message.type === "ready") run.info = message.info ?? {};
    else if (message.type === "sample" && message.sample) run.samples.push(message.sample);
    else if (message.type === "done") run.done = message.info ?? {};
  });
  return new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("exit", (code) => {
      if (code !== 0) return reject(new Error(`scale child (${config.kind}, ${config.assets} assets${config.reference ? ", reference" : ""}) exited with ${code}`));
      if (profileDir) {
        const file = fs.readdirSync(profileDir).find((f) => f.endsWith(".cpuprofile"));
        if (file) run.profile = summariseProfile(path.join(profileDir, file));
        fs.rmSync(profileDir, { recursive: true, force: true });
      }
      resolve(run);
    });
  });
}

interface Throughput {
  channels: number;
  wallS: number;
  cpuS: number;
  channelSeconds: number;
  /** Channel-seconds of signal per CPU second: channels one fully used core sustains. */
  channelsPerCore: number;
  /** CPU seconds per wall second the child used (1 = one full core). */
  cpuShare: number;
}

function throughputOf(run: ChildRun): Throughput {
  const first = run.samples[0];
  const last = run.samples[run.samples.length - 1];
  const blockS = Number(run.info.blockMs) / 1000;
  const channelSeconds = (last.injected - first.injected) * blockS;
  const cpuS = last.cpuS - first.cpuS;
  const wallS = last.t - first.t;
  return { channels: Number(run.info.channels), wallS, cpuS, channelSeconds, channelsPerCore: channelSeconds / cpuS, cpuShare: cpuS / wallS };
}

interface Pace {
  /** Messages waiting for delivery (all nodes), at the end and at worst, and as seconds of the flow's own delivery rate. */
  queuedEnd: number;
  queuedMax: number;
  behindEndS: number;
  behindMaxS: number;
  /** Blocks the chain's first nodes had not yet received at the end. */
  entryBacklogEnd: number;
  lagP99MaxMs: number;
  lagMaxMs: number;
  injectLateMaxMs: number;
  sustained: boolean;
}

function paceOf(run: ChildRun): Pace {
  const s = run.samples;
  const first = s[0];
  const last = s[s.length - 1];
  // Deliveries per second the flow makes when it keeps up: the run's average.
  const rate = (last.delivered - first.delivered) / Math.max(1e-9, last.t - first.t);
  const behind = s.map((x) => Math.max(0, x.queued) / rate);
  const measured = s.slice(1);
  const pace = {
    queuedEnd: last.queued,
    queuedMax: Math.max(...s.map((x) => x.queued)),
    behindEndS: behind[behind.length - 1],
    behindMaxS: Math.max(...behind),
    entryBacklogEnd: last.entryExpected - last.entryReceived,
    lagP99MaxMs: Math.max(...measured.map((x) => x.lagP99Ms)),
    lagMaxMs: Math.max(...measured.map((x) => x.lagMaxMs)),
    injectLateMaxMs: Math.max(...measured.map((x) => x.injectLateMaxMs)),
  };
  // Keeping pace: at the end less than a second of the flow's messages waiting, and the
  // event loop less than a second late in the last sample period.
  return { ...pace, sustained: pace.behindEndS < 1 && last.lagP99Ms < 1000 };
}

interface Memory {
  startMB: number;
  endMB: number;
  maxMB: number;
  slopeMBPerH: number;
  /** The slope over the second half of the run: "flat" is judged there, after the heap has grown to its working size. */
  lateSlopeMBPerH: number;
  heapStartMB: number;
  heapEndMB: number;
  heapMaxMB: number;
}

/** Least-squares slope of y over x. */
function slope(x: number[], y: number[]): number {
  const mx = x.reduce((a, b) => a + b, 0) / x.length;
  const my = y.reduce((a, b) => a + b, 0) / y.length;
  let num = 0;
  let den = 0;
  for (let i = 0; i < x.length; i++) {
    num += (x[i] - mx) * (y[i] - my);
    den += (x[i] - mx) ** 2;
  }
  return den > 0 ? num / den : 0;
}

function memoryOf(run: ChildRun): Memory {
  const s = run.samples;
  const late = s.filter((x) => x.t >= s[s.length - 1].t / 2);
  return {
    startMB: s[0].rssMB,
    endMB: s[s.length - 1].rssMB,
    maxMB: Math.max(...s.map((x) => x.rssMB)),
    slopeMBPerH: slope(s.map((x) => x.t / 3600), s.map((x) => x.rssMB)),
    lateSlopeMBPerH: slope(late.map((x) => x.t / 3600), late.map((x) => x.rssMB)),
    heapStartMB: s[0].heapUsedMB,
    heapEndMB: s[s.length - 1].heapUsedMB,
    heapMaxMB: Math.max(...s.map((x) => x.heapUsedMB)),
  };
}

/** The overlap of flow 1's 12 kHz windows, the ones a CWRU channel goes through, read from the file the children run. */
function flowOneCwruOverlap(): number {
  const file = path.join(repoRoot, "flows", "complete-maintenance-system.json");
  const window = (JSON.parse(fs.readFileSync(file, "utf8")) as Array<{ id: string; overlap?: unknown }>).find((n) => n.id === "window-12k");
  if (typeof window?.overlap !== "number") throw new Error(`${file}: no node window-12k with a numeric overlap`);
  return window.overlap;
}

function label(kind: ChannelKind, overlapPercent?: number): string {
  if (kind === "femto") return "FEMTO 25.6 kHz channels in 4096-sample windows";
  const flowOne = flowOneCwruOverlap();
  return overlapPercent === undefined
    ? `CWRU 12 kHz channels (flow 1's 2048-sample windows, ${flowOne} % overlap)`
    : `CWRU 12 kHz channels (2048-sample windows, ${overlapPercent} % overlap instead of flow 1's ${flowOne} %)`;
}

/** A standalone Node-RED would have exited on these (red.js turns them into an exit). */
function warnUnhandled(run: ChildRun): void {
  const count = Number(run.done.unhandledRejections ?? 0);
  if (count === 0) return;
  const first = String(run.done.firstUnhandledRejection ?? "").split("\n").slice(0, 4).join("\n      ");
  console.log(`  WARNING: ${count} unhandled promise rejection(s) in the Node-RED process (a standalone Node-RED exits on the first); first:\n      ${first}`);
}

const f1 = (x: number) => x.toFixed(1);
const f2 = (x: number) => x.toFixed(2);

function printProfile(kind: ChannelKind, profile: ProfileSummary): void {
  // V8 samples by wall clock: time the process spent descheduled on a loaded machine lands
  // on whatever ran, so the total overstates CPU time; the shares are what to read.
  console.log(`  profile (${kind}), main thread, ${f1(profile.totalMs / 1000)} s of non-idle samples (wall clock), self time by part:`);
  for (const p of profile.byPart.slice(0, 10)) console.log(`    ${(100 * p.share).toFixed(1).padStart(5)} %  ${p.part}`);
  console.log("  top functions:");
  for (const f of profile.byFunction.slice(0, 12)) console.log(`    ${(100 * f.share).toFixed(1).padStart(5)} %  ${f.name}`);
}

export async function run(report: BenchReport): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const loadAtStart = os.loadavg();
  console.log(`machine: ${os.cpus().length} cores, load average ${loadAtStart.map(f2).join(" ")} (other processes share it: CPU-time figures are the robust ones)`);
  const details: Record<string, unknown> = { options, loadAtStart, cores: os.cpus().length, node: process.version };
  const capacity: Partial<Record<ChannelKind, { perCore: number; sensorsPerAsset: number }>> = {};

  // 1. CPU cost per channel, beside the reference, the two taking turns.
  for (const kind of options.phases.includes("probe") ? options.kinds : []) {
    const assets = options.probeAssets[kind];
    const base = { kind, assets, seconds: options.probeSeconds, warmUpS: options.warmUpS, sampleS: 5, overlapPercent: options.overlapPercent };
    const reference = await runChild({ ...base, reference: true });
    const pdm = await runChild({ ...base, reference: false });
    const [t, r] = [throughputOf(pdm), throughputOf(reference)];
    details[`probe-${kind}`] = { pdm: { ...pdm, throughput: t, pace: paceOf(pdm) }, reference: { ...reference, throughput: r, pace: paceOf(reference) } };
    console.log(`  ${kind}: ${t.channels} channels for ${f1(t.wallS)} s: ${f2(t.cpuS)} CPU s (${f2(t.cpuShare)} of a core), ${f1(t.channelSeconds)} channel-seconds; reference ${f2(r.cpuS)} CPU s`);
    console.log(`  ${kind}: finished per node type: ${JSON.stringify(pdm.done.doneByType)}`);
    warnUnhandled(pdm);
    report.add({
      name: `scale: ${label(kind, options.overlapPercent)} one Node-RED process sustains per core (CPU time, flow 1 without dashboard, ${assets} assets)`,
      value: t.channelsPerCore,
      unit: "channels/core",
      reference: "the same blocks through Node-RED message passing into a function node",
      referenceValue: r.channelsPerCore,
      higherIsBetter: true,
      target: `>= ${TARGET_CHANNELS_PER_CORE} channels/core`,
    });
    capacity[kind] = { perCore: t.channelsPerCore, sensorsPerAsset: Number(pdm.info.sensorsPerAsset) };
    if (options.profile) {
      const profiled = await runChild({ ...base, reference: false }, true);
      if (profiled.profile) {
        printProfile(kind, profiled.profile);
        details[`profile-${kind}`] = profiled.profile;
      }
    }
  }

  // 2. Real time at the capacity the CPU time gives, less headroom; if that falls behind
  //    (on a shared machine the child may get less than a core), once more at half.
  const sustainedAssets: Partial<Record<ChannelKind, number>> = {};
  for (const kind of options.phases.includes("confirm") ? options.kinds : []) {
    const { perCore, sensorsPerAsset } = capacity[kind] ?? { perCore: 0, sensorsPerAsset: 1 };
    const atCapacity = options.confirmAssets[kind] ?? Math.max(1, Math.floor((options.headroom * perCore) / sensorsPerAsset));
    for (const assets of [atCapacity, Math.max(1, Math.floor(atCapacity / 2))]) {
      const confirm = await runChild({ kind, assets, reference: false, seconds: options.confirmSeconds, warmUpS: options.warmUpS, sampleS: 5, overlapPercent: options.overlapPercent });
      const t = throughputOf(confirm);
      const pace = paceOf(confirm);
      details[`confirm-${kind}-${assets}`] = { ...confirm, throughput: t, pace };
      console.log(
        `  ${kind}: real time at ${t.channels} channels (${assets} assets) for ${f1(t.wallS)} s: ${pace.sustained ? "KEPT PACE" : "FELL BEHIND"}; ` +
          `${pace.queuedEnd} messages waiting at the end (${f2(pace.behindEndS)} s of the flow's traffic; worst ${f2(pace.behindMaxS)} s), ` +
          `event-loop delay p99 <= ${f1(pace.lagP99MaxMs)} ms (max ${f1(pace.lagMaxMs)} ms), injector late by <= ${f1(pace.injectLateMaxMs)} ms; ` +
          `CPU ${f2(t.cpuShare)} of a core (machine load ${os.loadavg().map(f2).join(" ")}); at this N ${f1(t.channelsPerCore)} channels/core`,
      );
      warnUnhandled(confirm);
      if (pace.sustained) {
        sustainedAssets[kind] = assets;
        break;
      }
    }
  }

  // 3. Memory over time at a sustained N, beside the reference flow at the same N.
  if (options.phases.includes("memory")) await memory(report, options, sustainedAssets, details);
  details.loadAtEnd = os.loadavg();
  console.log(`machine load average at the end: ${os.loadavg().map(f2).join(" ")}`);
  const outDir = path.resolve(__dirname, "..", "..", "bench-output");
  fs.mkdirSync(outDir, { recursive: true });
  fs.writeFileSync(path.join(outDir, "scale.json"), JSON.stringify(details, null, 2));
}

async function memory(report: BenchReport, options: Options, sustainedAssets: Partial<Record<ChannelKind, number>>, details: Record<string, unknown>): Promise<void> {
  const kind = options.memoryKind;
  const probeAssets = options.probeAssets[kind];
  const assets = options.memoryAssets ?? sustainedAssets[kind] ?? probeAssets;
  const base = { kind, assets, seconds: options.minutes * 60, warmUpS: 30, sampleS: 30, overlapPercent: options.overlapPercent };
  const [pdm, reference] = await Promise.all([runChild({ ...base, reference: false }), runChild({ ...base, reference: true })]);
  const [m, r] = [memoryOf(pdm), memoryOf(reference)];
  const pace = paceOf(pdm);
  warnUnhandled(pdm);
  details.memory = { pdm: { ...pdm, memory: m, pace, throughput: throughputOf(pdm) }, reference: { ...reference, memory: r } };
  console.log(
    `  memory, ${kind}, ${pdm.info.channels} channels (${assets} assets), ${options.minutes} min, every 30 s: RSS start ${f1(m.startMB)} MB, end ${f1(m.endMB)} MB, max ${f1(m.maxMB)} MB, slope ${f1(m.slopeMBPerH)} MB/h (second half ${f1(m.lateSlopeMBPerH)} MB/h); ` +
      `JS heap used ${f1(m.heapStartMB)} → ${f1(m.heapEndMB)} MB (max ${f1(m.heapMaxMB)}); kept pace: ${pace.sustained ? "yes" : "NO"} (${pace.queuedEnd} messages waiting at the end)`,
  );
  console.log(`  memory, reference flow at the same N: RSS ${f1(r.startMB)} → ${f1(r.endMB)} MB (max ${f1(r.maxMB)}), slope ${f1(r.slopeMBPerH)} MB/h (second half ${f1(r.lateSlopeMBPerH)} MB/h)`);
  report.add({
    name: `scale: RSS after ${options.minutes} min, ${pdm.info.channels} ${kind.toUpperCase()} channels in real time (slope ${f1(m.slopeMBPerH)} MB/h, second half ${f1(m.lateSlopeMBPerH)} MB/h, max ${f1(m.maxMB)} MB)`,
    value: m.endMB,
    unit: "MB",
    reference: `the reference flow at the same N (slope ${f1(r.slopeMBPerH)} MB/h)`,
    referenceValue: r.endMB,
    higherIsBetter: false,
    target: `< ${TARGET_RSS_MB} MB, flat`,
  });

}
