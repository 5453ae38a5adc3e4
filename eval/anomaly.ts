/**
 * `npm run eval:anomaly`: how well pdm-anomaly, with its default settings, tells faulty
 * bearings from healthy ones, through the same code as the nodes: sample windows →
 * pdm-features' core (defaults, anti-alias decimation to a common rate) → the anomaly
 * detector (defaults; learning by the learn/freeze commands).
 *
 *   npm run eval:anomaly                                  CWRU (data/cwru) and FEMTO Bearing1_1
 *   npm run eval:anomaly -- --train a.csv --test b.csv    your recordings (CWRU-style manifests)
 *   npm run eval:anomaly -- --run <folder>                a FEMTO-style run to failure
 *
 * --train: its `normal` rows are the baseline; --test: every row is scored, `normal` rows
 * give the false-alarm rate, the others the detection rate. A normal recording in both
 * is split in time: the first half is learned, the second half (no overlap) is scored.
 */
import * as path from "node:path";
import { AnomalyDetector, AnomalyPayload, DETECTOR_DEFAULTS } from "../nodes/anomaly/detector";
import { MIN_BASELINE_WINDOWS, SCORERS, ScorerName } from "../nodes/anomaly/scorers";
import { FEMTO_SAMPLE_RATE_HZ, besideManifest, readFemtoSnapshot, readManifest, readSignalColumn } from "../nodes/ingest/recordings";
import { dataDir } from "../nodes/shared/paths";
import { oneOf } from "../nodes/shared/validate";
import { featureWindows, WindowPlan } from "./anomaly/windows";
import { fraction, percent, rocAuc } from "./anomaly/metrics";

/**
 * CWRU-style recordings: 1024-sample windows (85 ms at 12 kHz), a new one every 64
 * samples, so the 1.3 s of held-out healthy CWRU signal gives about 200 windows and the
 * false-alarm rate moves in steps of 0.5 %. Windows this close overlap and are not
 * independent: the margin between the highest healthy score and the threshold says more.
 */
const RECORDING_WINDOWS: WindowPlan = { size: 1024, hop: 64 };
/** FEMTO snapshots (2560 samples): 4 windows of 1024 samples each, half overlapping. */
const SNAPSHOT_WINDOWS: WindowPlan = { size: 1024, hop: 512 };
/** The part of a run to failure learned as healthy: its first 20 % of life. */
const RUN_BASELINE_FRACTION = 0.2;

const TARGETS = { auc: 0.99, falseAlarms: 0.01, detection: 0.95 };

interface Recording {
  manifest: string;
  file: string;
  path: string;
  label: string;
  fs: number;
}

function recordings(manifest: string): Recording[] {
  return readManifest(manifest).map((row, i) => {
    for (const column of ["file", "label", "sampling_rate_hz"]) {
      if (!row[column]) throw new Error(`${manifest}: row ${i + 2} has no ${column}`);
    }
    const fs = Number(row.sampling_rate_hz);
    if (!(fs > 0)) throw new Error(`${manifest}: row ${i + 2}: sampling_rate_hz is not a rate: ${row.sampling_rate_hz}`);
    return { manifest, file: row.file, path: path.resolve(besideManifest(manifest, row.file)), label: row.label, fs };
  });
}

/** A detector in the node's default settings, learning on command. */
/** The scorer evaluated: the default, or `--scorer <name>` (the autoencoder runs through onnxruntime, asynchronously). */
let scorer: ScorerName = DETECTOR_DEFAULTS.scorer;

function newDetector(sensor: string): AnomalyDetector {
  return new AnomalyDetector("eval", sensor, { learning: "command", scorer });
}

async function scoreAll(baseline: AnomalyDetector, messages: ReturnType<typeof featureWindows>): Promise<AnomalyPayload[]> {
  const detector = newDetector(baseline.sensor);
  await detector.importBaselineAsync(baseline.exportBaseline());
  const results: AnomalyPayload[] = [];
  for (const message of messages) {
    const outcome = await detector.processAsync(message);
    if (outcome.kind !== "scored") throw new Error("expected a score");
    results.push(outcome.anomaly);
  }
  return results;
}

/** The features named most often as the top contributor of raised alarms, with how often. */
function mainReasons(results: AnomalyPayload[]): string {
  const alarms = results.filter((x) => x.anomaly);
  const counts = new Map<string, number>();
  for (const r of alarms) counts.set(r.contributions[0].feature, (counts.get(r.contributions[0].feature) ?? 0) + 1);
  const top = [...counts.entries()].sort((a, b) => b[1] - a[1]).slice(0, 2);
  return top.length === 0 ? "-" : top.map(([feature, n]) => `${feature} ${percent(n / alarms.length, 0)}`).join(", ");
}

async function evaluateRecordings(trainManifest: string, testManifest: string): Promise<boolean> {
  const train = recordings(trainManifest).filter((r) => r.label === "normal");
  const test = recordings(testManifest);
  if (train.length === 0) throw new Error(`${trainManifest}: no rows labelled normal to learn from`);
  const targetFs = Math.min(...[...train, ...test].map((r) => r.fs));
  const windows = RECORDING_WINDOWS;
  console.log(`\n== Recordings: learn ${path.relative(process.cwd(), trainManifest)} (normal rows), score ${path.relative(process.cwd(), testManifest)}`);
  console.log(`windows of ${windows.size} samples every ${windows.hop} at ${targetFs} Hz; faster recordings decimated with pdm-features' anti-alias filter`);

  const signals = new Map<string, Float64Array>();
  const signalOf = (r: Recording) => signals.get(r.path) ?? signals.set(r.path, readSignalColumn(r.path)).get(r.path)!;
  const testPaths = new Set(test.map((r) => r.path));
  const split = (r: Recording) => Math.floor(signalOf(r).length / 2);

  const baseline = newDetector("de");
  baseline.learn();
  for (const r of train) {
    const signal = signalOf(r);
    // A normal recording that is also scored: learn its first half only.
    const end = testPaths.has(r.path) ? split(r) : signal.length;
    for (const message of featureWindows(signal, r.fs, targetFs, windows, { asset: "eval", sensor: "de", t0: 0 }, 0, end)) await baseline.processAsync(message);
  }
  const learned = await baseline.freezeAsync();
  console.log(`baseline: ${learned.windows} windows (${learned.transients} left out as transients), ${learned.featureNames.length} features, threshold ${learned.threshold.toFixed(3)} (normalised score)`);

  const results: Array<{ recording: Recording; scored: AnomalyPayload[]; heldOutHalf: boolean }> = [];
  for (const r of test) {
    const signal = signalOf(r);
    const learnedHere = train.some((t) => t.path === r.path);
    // Start one window after the learned half, so no scored window overlaps a learned one.
    const from = learnedHere ? split(r) + windows.size * Math.round(r.fs / targetFs) : 0;
    const messages = featureWindows(signal, r.fs, targetFs, windows, { asset: "eval", sensor: "de", t0: 0 }, from);
    results.push({ recording: r, scored: await scoreAll(baseline, messages), heldOutHalf: learnedHere });
  }
  const healthy = results.filter((r) => r.recording.label === "normal");
  const faulty = results.filter((r) => r.recording.label !== "normal");
  const healthyScores = healthy.flatMap((r) => r.scored.map((s) => s.score));
  if (healthyScores.length === 0) throw new Error(`${testManifest}: no normal rows to measure false alarms and AUC on`);

  console.log("\nfile | label | windows | ROC AUC | above threshold | alarm (3 of 5) | top contributor of alarms");
  for (const { recording, scored, heldOutHalf } of results) {
    const auc = recording.label === "normal" ? "-" : rocAuc(scored.map((s) => s.score), healthyScores).toFixed(4);
    const name = `${recording.file}${heldOutHalf ? " (2nd half)" : ""}`;
    console.log(`${name} | ${recording.label} | ${scored.length} | ${auc} | ${percent(fraction(scored.map((s) => s.above)))} | ${percent(fraction(scored.map((s) => s.anomaly)))} | ${mainReasons(scored)}`);
  }
  const faultScored = faulty.flatMap((r) => r.scored);
  const healthyScored = healthy.flatMap((r) => r.scored);
  const auc = rocAuc(faultScored.map((s) => s.score), healthyScores);
  const falseAlarms = fraction(healthyScored.map((s) => s.anomaly));
  const detection = fraction(faultScored.map((s) => s.anomaly));
  const mark = (ok: boolean) => (ok ? "ok" : "MISSED");
  const highestHealthy = Math.max(...healthyScores);
  const lowestFault = Math.min(...faultScored.map((s) => s.score));
  console.log(`\nscores: highest healthy ${highestHealthy.toFixed(3)}, lowest fault ${lowestFault.toFixed(3)}, threshold ${learned.threshold.toFixed(3)}`);
  console.log(`all faults vs held-out healthy: ROC AUC ${auc.toFixed(4)} (target >= ${TARGETS.auc}: ${mark(auc >= TARGETS.auc)})`);
  console.log(`false alarms: ${percent(falseAlarms)} of ${healthyScored.length} healthy windows (target <= ${percent(TARGETS.falseAlarms, 0)}: ${mark(falseAlarms <= TARGETS.falseAlarms)}); single windows above threshold ${percent(fraction(healthyScored.map((s) => s.above)))}`);
  console.log(`detection: ${percent(detection)} of ${faultScored.length} fault windows (target >= ${percent(TARGETS.detection, 0)}: ${mark(detection >= TARGETS.detection)}); single windows above threshold ${percent(fraction(faultScored.map((s) => s.above)))}`);
  return auc >= TARGETS.auc && falseAlarms <= TARGETS.falseAlarms && detection >= TARGETS.detection;
}

async function evaluateRun(folder: string): Promise<boolean> {
  const manifest = path.join(folder, "manifest.csv");
  const rows = readManifest(manifest).map((row, i) => {
    const snapshot = { file: row.file, elapsedS: Number(row.elapsed_s), toEndS: Number(row.time_to_end_of_test_s) };
    if (!snapshot.file || !(snapshot.elapsedS >= 0) || !(snapshot.toEndS >= 0)) {
      throw new Error(`${manifest}: row ${i + 2}: expected file, elapsed_s and time_to_end_of_test_s (seconds >= 0)`);
    }
    return snapshot;
  });
  const lifeS = Math.max(...rows.map((r) => r.elapsedS + r.toEndS));
  const baselineEnd = RUN_BASELINE_FRACTION * lifeS;
  const windows = SNAPSHOT_WINDOWS;
  console.log(`\n== Run to failure: ${path.relative(process.cwd(), folder) || folder}`);
  console.log(`life ${(lifeS / 3600).toFixed(2)} h, ${rows.length} snapshots; baseline: the first ${percent(RUN_BASELINE_FRACTION, 0)} of life; windows of ${windows.size} samples every ${windows.hop} at ${FEMTO_SAMPLE_RATE_HZ} Hz; sensors h and v`);
  const detectors = { h: newDetector("h"), v: newDetector("v") };
  detectors.h.learn();
  detectors.v.learn();
  let frozen = false;
  let firstAlarm: { file: string; sensor: string; toEndS: number; elapsedS: number; reason: string } | undefined;
  let alarmSnapshots = 0;
  let scoredSnapshots = 0;
  for (const row of rows) {
    const snapshot = readFemtoSnapshot(path.join(folder, row.file));
    if (!frozen && row.elapsedS > baselineEnd && detectors.h.learnedWindows >= MIN_BASELINE_WINDOWS) {
      const h = await detectors.h.freezeAsync();
      const v = await detectors.v.freezeAsync();
      console.log(`baseline: ${h.windows} windows per sensor up to ${(row.elapsedS / 3600).toFixed(2)} h (left out as transients: h ${h.transients}, v ${v.transients}), thresholds h ${h.threshold.toFixed(3)}, v ${v.threshold.toFixed(3)}`);
      frozen = true;
    }
    let alarmed = false;
    for (const [sensor, signal] of [["h", snapshot.horizontal], ["v", snapshot.vertical]] as const) {
      const source = { asset: "eval", sensor, t0: row.elapsedS * 1000 };
      for (const message of featureWindows(signal, FEMTO_SAMPLE_RATE_HZ, FEMTO_SAMPLE_RATE_HZ, windows, source)) {
        const outcome = await detectors[sensor].processAsync(message);
        if (outcome.kind !== "scored" || !outcome.anomaly.anomaly) continue;
        alarmed = true;
        if (!firstAlarm) {
          const top = outcome.anomaly.contributions.slice(0, 2).map((c) => `${c.feature} ${(c.deviation ?? 0) >= 0 ? "+" : ""}${(c.deviation ?? 0).toFixed(1)} σ`);
          firstAlarm = { file: row.file, sensor, toEndS: row.toEndS, elapsedS: row.elapsedS, reason: top.join(", ") };
        }
      }
    }
    if (frozen) {
      scoredSnapshots++;
      if (alarmed) alarmSnapshots++;
    }
  }
  if (!firstAlarm) {
    console.log("no alarm before the end of life");
    return false;
  }
  console.log(
    `first alarm: ${firstAlarm.file} (sensor ${firstAlarm.sensor}) at ${(firstAlarm.elapsedS / 3600).toFixed(2)} h, ` +
      `${(firstAlarm.toEndS / 3600).toFixed(2)} h before the end of life (${percent(firstAlarm.toEndS / lifeS)} of life left); reason: ${firstAlarm.reason}`,
  );
  console.log(`snapshots with an alarm: ${alarmSnapshots} of ${scoredSnapshots} scored`);
  return firstAlarm.toEndS > 0;
}

function argument(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  if (i < 0) return undefined;
  const value = process.argv[i + 1];
  if (!value || value.startsWith("--")) throw new Error(`${name}: expected a path after it`);
  return path.resolve(value);
}

async function main(): Promise<void> {
  const train = argument("--train");
  const test = argument("--test");
  const run = argument("--run");
  const i = process.argv.indexOf("--scorer");
  if (i >= 0) scorer = oneOf(SCORERS)(process.argv[i + 1], "--scorer");
  const o = DETECTOR_DEFAULTS;
  console.log(`pdm-anomaly defaults: scorer ${scorer}, threshold = q${o.quantile * 100} of held-out baseline scores × ${o.criticality}-criticality factor, alarm after ${o.alarm.k} of ${o.alarm.of} windows, cleared below ${o.alarm.clearRatio} × threshold`);
  let ok = true;
  if (train || test || !run) {
    const cwru = path.join(dataDir, "cwru", "manifest.csv");
    ok = (await evaluateRecordings(train ?? cwru, test ?? train ?? cwru)) && ok;
  }
  if (run || (!train && !test)) ok = (await evaluateRun(run ?? path.join(dataDir, "femto", "Bearing1_1"))) && ok;
  process.exitCode = ok ? 0 : 1;
}

main().catch((err: unknown) => {
  console.error(`eval:anomaly: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 2;
});
