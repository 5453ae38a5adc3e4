/**
 * Recordings to features messages, as a flow would make them: the signal cut into
 * windows (a sample block each), then pdm-features' core with its default settings,
 * plus its anti-alias decimation for a recording sampled faster than the others, so every
 * window is described at the same sample rate and the rate itself tells nothing.
 */
import { parseFeatureConfig } from "../../nodes/features/config";
import { FeatureExtractor } from "../../nodes/features/extractor";
import type { FeaturesMessage } from "../../nodes/shared/contract";

export interface WindowPlan {
  /** Window length in samples at the target rate. */
  size: number;
  /** Step from one window to the next, in samples at the target rate. */
  hop: number;
}

/** One FeatureExtractor per decimation factor, configured exactly as a pdm-features node would be. */
const extractors = new Map<number, FeatureExtractor>();

function extractorFor(decimation: number): FeatureExtractor {
  let extractor = extractors.get(decimation);
  if (!extractor) {
    extractor = new FeatureExtractor(parseFeatureConfig({ decimation: String(decimation) }));
    extractors.set(decimation, extractor);
  }
  return extractor;
}

/** The integer decimation from `fs` to `targetFs`; other ratios are an error naming both. */
export function decimationFactor(fs: number, targetFs: number): number {
  const factor = Math.round(fs / targetFs);
  if (factor < 1 || Math.abs(factor * targetFs - fs) > 1e-6 * fs) {
    throw new Error(`a recording at ${fs} Hz cannot be decimated to ${targetFs} Hz by an integer factor`);
  }
  return factor;
}

export interface WindowSource {
  asset: string;
  sensor: string;
  /** Epoch ms of the first sample. */
  t0: number;
}

/**
 * Features messages of the windows of `signal[from..to)` (indices at the original rate),
 * each window `plan.size` samples long after decimation to `targetFs`.
 */
export function featureWindows(signal: Float64Array, fs: number, targetFs: number, plan: WindowPlan, source: WindowSource, from = 0, to = signal.length): FeaturesMessage[] {
  const factor = decimationFactor(fs, targetFs);
  const extractor = extractorFor(factor);
  const size = plan.size * factor;
  const hop = plan.hop * factor;
  const messages: FeaturesMessage[] = [];
  for (let start = from; start + size <= to; start += hop) {
    const result = extractor.compute(signal.subarray(start, start + size), fs);
    messages.push({
      asset: source.asset,
      sensor: source.sensor,
      t0: source.t0 + (start / fs) * 1000,
      fs: result.fs,
      n: result.n,
      features: result.features,
    });
  }
  return messages;
}
