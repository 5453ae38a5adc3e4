/**
 * Feature windows of the CWRU recordings in data/ for the anomaly tests, made the way the
 * evaluation makes them (eval/anomaly/windows.ts): pdm-features' core with default
 * settings, the 48 kHz healthy recording decimated by 4 to the faults' 12 kHz.
 */
import * as path from "node:path";
import type { FeaturesMessage } from "../../nodes/shared/contract";
import { besideManifest, readManifest, readSignalColumn } from "../../nodes/ingest/recordings";
import { featureWindows } from "../../eval/anomaly/windows";
import { repoRoot } from "../helpers/runtime";

const cwruManifest = path.join(repoRoot, "data", "cwru", "manifest.csv");
const TARGET_RATE_HZ = 12_000;

const signals = new Map<string, Float64Array>();

export interface WindowOptions {
  size: number;
  hop: number;
  /** Part of the recording to use, [from, to) as fractions of its length. */
  part?: [number, number];
  asset?: string;
  sensor?: string;
}

/** Features messages of consecutive windows of the first CWRU recording with a label ("normal", "inner_race", …). */
export function cwruWindows(label: string, options: WindowOptions): FeaturesMessage[] {
  const row = readManifest(cwruManifest).find((r) => r.label === label);
  if (!row) throw new Error(`no CWRU recording labelled ${label}`);
  let signal = signals.get(row.file);
  if (!signal) {
    signal = readSignalColumn(besideManifest(cwruManifest, row.file));
    signals.set(row.file, signal);
  }
  const [from, to] = options.part ?? [0, 1];
  const source = { asset: options.asset ?? "cwru-rig", sensor: options.sensor ?? "de", t0: 1_700_000_000_000 };
  return featureWindows(signal, Number(row.sampling_rate_hz), TARGET_RATE_HZ, options, source, Math.floor(from * signal.length), Math.floor(to * signal.length));
}
