/**
 * The FEMTO evaluation: a FEMTO-style run-to-failure folder (snapshot files plus
 * manifest.csv with the time to end of life) goes snapshot by snapshot through the same
 * cores as a flow pdm-replay -> pdm-features -> pdm-health-index -> pdm-rul would:
 * FeatureExtractor with the pdm-features defaults, HealthIndexService, RulService with the
 * exponential degradation model. The failure values of the health index come from another
 * run to failure (Bearing1_2, same operating condition): what a plant knows from a past failure.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { femtoReplay } from "../../nodes/ingest/replay";
import { readManifest } from "../../nodes/ingest/recordings";
import { FeatureExtractor } from "../../nodes/features/extractor";
import { parseFeatureConfig } from "../../nodes/features/config";
import { HealthIndexService } from "../../nodes/rul/health-index-service";
import { RulService } from "../../nodes/rul/rul-service";
import { dataDir } from "../../nodes/shared/paths";
import type { RulMessage } from "../../nodes/shared/contract";

export interface FemtoPoint {
  elapsedH: number;
  trueRulH: number;
  healthIndex?: number;
  rul?: RulMessage;
  reason?: string;
}

export const HI_FEATURES = ["acc_h.rms", "acc_v.rms"];
/** Snapshots that teach the health index its baseline (the first 100 minutes at one snapshot per 10 min). */
export const BASELINE_SNAPSHOTS = 10;
/** Forgetting factor per snapshot of the degradation model: about 20 snapshots of memory. */
export const FORGETTING = 0.95;

/** The failure values of the health index's features: their mean over the last snapshots of a reference run to failure. */
export function failureValuesFrom(folder: string, lastSnapshots = 6): Record<string, number> {
  const replay = femtoReplay(folder);
  const extractor = new FeatureExtractor(parseFeatureConfig({}));
  const sums: Record<string, number> = {};
  for (let i = Math.max(0, replay.length - lastSnapshots); i < replay.length; i++) {
    for (const block of replay.step(i).blocks) {
      const name = `${block.sensor}.rms`;
      sums[name] = (sums[name] ?? 0) + extractor.compute(block.values, block.fs).features.rms;
    }
  }
  const n = Math.min(lastSnapshots, replay.length);
  return Object.fromEntries(HI_FEATURES.map((name) => [name, sums[name] / n]));
}

/** Index of the `--at` snapshot: a file name in the manifest or a 1-based position. */
function snapshotLimit(at: string | undefined, files: string[]): number {
  if (at === undefined) return files.length;
  const byName = files.findIndex((f) => f === at || f === `${at}.csv` || f.replace(/\.csv$/, "") === at);
  if (byName >= 0) return byName + 1;
  const index = Number(at);
  if (Number.isInteger(index) && index >= 1 && index <= files.length) return index;
  throw new Error(`--at ${at}: expected a snapshot file of the manifest or a position 1..${files.length}`);
}

export async function femtoRun(folder: string, options: { at?: string; reference?: string } = {}): Promise<{ points: FemtoPoint[]; failureValues: Record<string, number>; lifeH: number }> {
  const replay = femtoReplay(folder);
  // The replay orders snapshots by elapsed time; so do the names here (read from the manifest, no samples).
  const files = readManifest(path.join(folder, "manifest.csv"))
    .sort((a, b) => Number(a.elapsed_s) - Number(b.elapsed_s))
    .map((row) => row.file);
  const limit = snapshotLimit(options.at, files);
  const failureValues = failureValuesFrom(options.reference ?? path.join(dataDir, "femto", "Bearing1_2"));
  const extractor = new FeatureExtractor(parseFeatureConfig({}));
  const health = new HealthIndexService({ features: HI_FEATURES, baselineCount: BASELINE_SNAPSHOTS, failureValues });
  const rul = new RulService({ method: "exponential-degradation", unit: "h", signal: "healthIndex", threshold: 0, forgetting: FORGETTING });
  const asset = path.basename(path.resolve(folder));
  const t0 = Date.UTC(2012, 0, 1);
  const points: FemtoPoint[] = [];
  let lifeH = 0;
  for (let i = 0; i < limit; i++) {
    const step = replay.step(i);
    const timeToEndS = step.info.timeToEndS;
    if (timeToEndS === undefined) throw new Error(`${folder}/manifest.csv: no time_to_end_of_test_s for ${step.info.file}`);
    lifeH = (step.atS + timeToEndS) / 3600;
    const point: FemtoPoint = { elapsedH: step.atS / 3600, trueRulH: timeToEndS / 3600 };
    for (const block of step.blocks) {
      const features = extractor.compute(block.values, block.fs).features;
      const outcome = health.update({ asset, sensor: block.sensor, t0: t0 + step.atS * 1000, features });
      if (!outcome.ok) continue;
      point.healthIndex = outcome.message.healthIndex;
      const result = await rul.update(outcome.message);
      if (result.ok) point.rul = result.message;
      else point.reason = result.reason;
    }
    points.push(point);
  }
  return { points, failureValues, lifeH };
}

/** The last point at or before a share of life. */
function pointAt(points: FemtoPoint[], lifeH: number, share: number): FemtoPoint | undefined {
  return points.filter((p) => p.elapsedH <= share * lifeH + 1e-9).at(-1);
}

export async function femtoEvaluation(folder: string, options: { at?: string; plot?: string }): Promise<void> {
  const { points, failureValues, lifeH } = await femtoRun(folder, options);
  const name = path.basename(path.resolve(folder));
  console.log(
    `FEMTO ${name}: health index of ${HI_FEATURES.join(", ")} (failure values ${Object.entries(failureValues).map(([k, v]) => `${k}=${v.toFixed(2)} g`).join(", ")} from Bearing1_2), ` +
      `exponential degradation, ${points.length} snapshots used, life ${lifeH.toFixed(2)} h`,
  );
  const lastElapsedH = points.at(-1)?.elapsedH ?? 0;
  const spacingH = points.length > 1 ? lastElapsedH - points[points.length - 2].elapsedH : 0;
  for (const share of [0.5, 0.75, 0.9]) {
    // With --at, a share of life more than one snapshot after the last one used is not reached.
    if (options.at && share * lifeH >= lastElapsedH + spacingH) continue;
    const p = pointAt(points, lifeH, share);
    if (!p) continue;
    const head = `  at ${(100 * share).toFixed(0)} % of life (${p.elapsedH.toFixed(2)} h): true RUL ${p.trueRulH.toFixed(2)} h`;
    if (!p.rul) {
      console.log(`${head}, no estimate: ${p.reason ?? "health index still learning its baseline"}`);
      continue;
    }
    const r = p.rul;
    console.log(
      `${head}, predicted ${r.rul.toFixed(2)} h [${r.lower.toFixed(2)}, ${r.upper.toFixed(2)}], error ${(r.rul - p.trueRulH).toFixed(2)} h, ` +
        `true RUL ${r.lower <= p.trueRulH && p.trueRulH <= r.upper ? "inside" : "outside"} the 5-95 % interval, HI ${r.healthIndex.toFixed(0)}`,
    );
  }
  const last = points.at(-1);
  if (last && options.at) {
    console.log(
      `  at --at ${options.at} (${last.elapsedH.toFixed(2)} h): true RUL ${last.trueRulH.toFixed(2)} h, ` +
        (last.rul ? `predicted ${last.rul.rul.toFixed(2)} h [${last.rul.lower.toFixed(2)}, ${last.rul.upper.toFixed(2)}]` : `no estimate: ${last.reason ?? "learning"}`),
    );
  }
  if (options.plot) {
    fs.mkdirSync(path.dirname(options.plot), { recursive: true });
    fs.writeFileSync(options.plot, rulPlotSvg(points, lifeH, `FEMTO ${name}: predicted vs true RUL (exponential degradation on the health index)`));
    console.log(`  plot: ${options.plot}`);
  }
}

/** Predicted RUL with its 5-95 % band against the true RUL, over elapsed time, as a small standalone SVG. */
export function rulPlotSvg(points: FemtoPoint[], lifeH: number, title: string): string {
  const width = 760;
  const height = 420;
  const m = { left: 60, right: 20, top: 40, bottom: 50 };
  const maxY = lifeH * 1.1;
  const x = (h: number) => m.left + (h / lifeH) * (width - m.left - m.right);
  const y = (h: number) => height - m.bottom - (Math.min(h, maxY) / maxY) * (height - m.top - m.bottom);
  const withRul = points.filter((p): p is FemtoPoint & { rul: RulMessage } => p.rul !== undefined);
  const path = (pts: Array<[number, number]>) => pts.map(([a, b], i) => `${i ? "L" : "M"}${a.toFixed(1)},${b.toFixed(1)}`).join(" ");
  const band = withRul.length
    ? `<path d="${path([...withRul.map((p): [number, number] => [x(p.elapsedH), y(p.rul.upper)]), ...withRul.slice().reverse().map((p): [number, number] => [x(p.elapsedH), y(p.rul.lower)])])} Z" fill="#9fc5a8" fill-opacity="0.45" stroke="none"/>`
    : "";
  const predicted = withRul.length ? `<path d="${path(withRul.map((p) => [x(p.elapsedH), y(p.rul.rul)]))}" fill="none" stroke="#1d6b3a" stroke-width="2"/>` : "";
  const truth = `<path d="${path(points.map((p) => [x(p.elapsedH), y(p.trueRulH)]))}" fill="none" stroke="#333" stroke-width="1.5" stroke-dasharray="6 4"/>`;
  const ticks: string[] = [];
  for (let h = 0; h <= lifeH; h += 1) {
    ticks.push(`<line x1="${x(h)}" y1="${height - m.bottom}" x2="${x(h)}" y2="${height - m.bottom + 5}" stroke="#333"/><text x="${x(h)}" y="${height - m.bottom + 18}" text-anchor="middle">${h}</text>`);
  }
  for (let h = 0; h <= maxY; h += 2) {
    ticks.push(`<line x1="${m.left - 5}" y1="${y(h)}" x2="${m.left}" y2="${y(h)}" stroke="#333"/><text x="${m.left - 8}" y="${y(h) + 4}" text-anchor="end">${h}</text>`);
  }
  const shares = [0.5, 0.75, 0.9].map((s) => `<line x1="${x(s * lifeH)}" y1="${m.top}" x2="${x(s * lifeH)}" y2="${height - m.bottom}" stroke="#bbb" stroke-dasharray="2 3"/><text x="${x(s * lifeH) + 3}" y="${m.top + 12}" fill="#777">${s * 100} %</text>`);
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">
<rect width="100%" height="100%" fill="white"/>
<text x="${width / 2}" y="22" text-anchor="middle" font-size="14">${title}</text>
${shares.join("\n")}
${band}
${truth}
${predicted}
<line x1="${m.left}" y1="${height - m.bottom}" x2="${width - m.right}" y2="${height - m.bottom}" stroke="#333"/>
<line x1="${m.left}" y1="${m.top}" x2="${m.left}" y2="${height - m.bottom}" stroke="#333"/>
${ticks.join("\n")}
<text x="${(m.left + width - m.right) / 2}" y="${height - 12}" text-anchor="middle">elapsed time (h)</text>
<text transform="translate(16 ${(m.top + height - m.bottom) / 2}) rotate(-90)" text-anchor="middle">RUL (h)</text>
<g transform="translate(${width - m.right - 250} ${m.top + 30})">
<rect width="245" height="58" fill="white" stroke="#ccc"/>
<line x1="10" y1="15" x2="40" y2="15" stroke="#333" stroke-dasharray="6 4"/><text x="48" y="19">true RUL</text>
<line x1="10" y1="32" x2="40" y2="32" stroke="#1d6b3a" stroke-width="2"/><text x="48" y="36">predicted RUL (median)</text>
<rect x="10" y="43" width="30" height="9" fill="#9fc5a8" fill-opacity="0.45"/><text x="48" y="52">5-95 % interval</text>
</g>
</svg>
`;
}
