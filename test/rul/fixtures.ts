/**
 * Real data the RUL tests share: C-MAPSS FD001 engines and their health index, built once.
 */
import * as path from "node:path";
import { Engine, readCmapss } from "../../nodes/rul/cmapss";
import { HealthIndexer } from "../../nodes/rul/health-index";
import type { RunHistory } from "../../nodes/rul/similarity";
import { repoRoot } from "../helpers/runtime";

export const cmapssDir = path.join(repoRoot, "data", "cmapss");
export const femtoDir = path.join(repoRoot, "data", "femto");

let train: Engine[] | undefined;
export function fd001Train(): Engine[] {
  train ??= readCmapss(path.join(cmapssDir, "train_FD001.txt.gz"));
  return train;
}

/** Sensors of FD001 that trend with degradation (the constant ones left out). */
export const FD001_HI_SENSORS = ["s2", "s3", "s4", "s7", "s11", "s12", "s15", "s17", "s20", "s21"];

/** Failure values: each sensor's mean at the last cycle over the given engines. */
export function failureValues(engines: Engine[]): Record<string, number> {
  return Object.fromEntries(FD001_HI_SENSORS.map((s) => [s, engines.reduce((sum, e) => sum + e.cycles[e.cycles.length - 1][s], 0) / engines.length]));
}

/** An engine's health index trajectory (after a 20-cycle baseline) as a run history. */
export function healthTrajectory(engine: Engine, failure: Record<string, number>): RunHistory {
  const indexer = new HealthIndexer({ features: FD001_HI_SENSORS, baselineCount: 20, failureValues: failure });
  const t: number[] = [];
  const values: number[] = [];
  for (const cycle of engine.cycles) {
    const result = indexer.add(cycle);
    if (!result.learning) {
      t.push(cycle.cycle);
      values.push(result.healthIndex);
    }
  }
  return { id: `FD001-${engine.unit}`, t, values };
}
