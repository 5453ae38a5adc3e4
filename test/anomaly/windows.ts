/**
 * Feature windows of the recordings in data/, for the anomaly tests: the CWRU healthy
 * recording (48 kHz, decimated to 12 kHz) and the 12 kHz fault recordings.
 *
 * TEMPORARY: until pdm-features is merged, the features are a few time-domain ones
 * computed here (RMS, peak, crest factor, kurtosis, skewness, std) after a crude
 * 4-sample mean as the anti-alias step; this file is switched to the FeatureExtractor
 * with its decimation option as soon as it is in main.
 */
import * as path from "node:path";
import type { FeaturesMessage } from "../../nodes/shared/contract";
import { readManifest, readSignalColumn, besideManifest } from "../../nodes/ingest/recordings";
import { repoRoot } from "../helpers/runtime";

export const cwruManifest = path.join(repoRoot, "data", "cwru", "manifest.csv");
export const TARGET_RATE_HZ = 12_000;

function simpleFeatures(x: Float64Array): Record<string, number> {
  const n = x.length;
  let sum = 0;
  for (const v of x) sum += v;
  const mean = sum / n;
  let m2 = 0, m3 = 0, m4 = 0, peak = 0, squares = 0;
  for (const v of x) {
    const d = v - mean;
    m2 += d * d;
    m3 += d * d * d;
    m4 += d * d * d * d;
    squares += v * v;
    peak = Math.max(peak, Math.abs(v));
  }
  m2 /= n;
  m3 /= n;
  m4 /= n;
  const rms = Math.sqrt(squares / n);
  return { rms, peak, crest_factor: peak / rms, kurtosis: m4 / (m2 * m2), skewness: m3 / Math.pow(m2, 1.5), std: Math.sqrt(m2) };
}

const cache = new Map<string, Float64Array>();

/** A recording of the CWRU manifest at 12 kHz. */
function signalAt12k(file: string, rate: number): Float64Array {
  const key = `${file}@${rate}`;
  let signal = cache.get(key);
  if (!signal) {
    const raw = readSignalColumn(besideManifest(cwruManifest, file));
    const factor = Math.round(rate / TARGET_RATE_HZ);
    signal = new Float64Array(Math.floor(raw.length / factor));
    for (let i = 0; i < signal.length; i++) {
      let s = 0;
      for (let k = 0; k < factor; k++) s += raw[i * factor + k];
      signal[i] = s / factor;
    }
    cache.set(key, signal);
  }
  return signal;
}

export interface WindowOptions {
  size: number;
  hop: number;
  /** Fraction of the recording to use, [from, to) in 0..1. */
  part?: [number, number];
  asset?: string;
  sensor?: string;
}

/** Features messages of consecutive windows of one CWRU recording (by label, e.g. "normal", "inner_race"). */
export function cwruWindows(label: string, options: WindowOptions, which = 0): FeaturesMessage[] {
  const row = readManifest(cwruManifest).filter((r) => r.label === label)[which];
  if (!row) throw new Error(`no CWRU recording labelled ${label}`);
  const signal = signalAt12k(row.file, Number(row.sampling_rate_hz));
  const [from, to] = options.part ?? [0, 1];
  const start = Math.floor(from * signal.length);
  const end = Math.floor(to * signal.length);
  const messages: FeaturesMessage[] = [];
  for (let s = start; s + options.size <= end; s += options.hop) {
    messages.push({
      asset: options.asset ?? "cwru-rig",
      sensor: options.sensor ?? "de",
      t0: 1_700_000_000_000 + Math.round((s / TARGET_RATE_HZ) * 1000),
      fs: TARGET_RATE_HZ,
      n: options.size,
      features: simpleFeatures(signal.subarray(s, s + options.size)),
    });
  }
  return messages;
}
