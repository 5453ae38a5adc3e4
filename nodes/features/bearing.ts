/**
 * Bearing diagnostics on the envelope spectrum: the defect frequencies BPFO, BPFI, BSF and
 * FTF from the asset's orders and the running speed, the line amplitude at each (within a
 * tolerance band, for speed and slip uncertainty), its ratio to the local noise floor
 * (median of the bins beside the band), and the fault these lines indicate.
 */
import type { DefectMultipliers } from "../config/asset";

export const DEFECTS = ["bpfo", "bpfi", "bsf", "ftf"] as const;
export type Defect = (typeof DEFECTS)[number];

export const FAULTS = ["none", "inner_race", "outer_race", "ball", "cage"] as const;
export type Fault = (typeof FAULTS)[number];
const FAULT_OF: Record<Defect, Fault> = { bpfo: "outer_race", bpfi: "inner_race", bsf: "ball", ftf: "cage" };

export interface BearingOptions {
  /** Harmonics 1..harmonics are checked for `env_<defect>_harmonics`. */
  harmonics: number;
  /** Half-width of the search band around each line, as a fraction of its frequency (at least one bin). */
  tolerance: number;
  /** Bins on each side of the search band whose median is the noise floor. */
  noiseBins: number;
  /** A line counts when its peak is at least this many times the noise floor. */
  threshold: number;
}

export const DEFAULT_BEARING_OPTIONS: BearingOptions = { harmonics: 3, tolerance: 0.02, noiseBins: 20, threshold: 5 };

/** Defect frequencies in Hz at a running speed in rpm. */
export function defectFrequencies(orders: DefectMultipliers, rpm: number): Record<Defect, number> {
  const shaftHz = rpm / 60;
  return { bpfo: orders.bpfo * shaftHz, bpfi: orders.bpfi * shaftHz, bsf: orders.bsf * shaftHz, ftf: orders.ftf * shaftHz };
}

interface Line {
  peak: number;
  ratio: number;
}

/** Scratch space for the noise-floor median (2 * noiseBins numbers). */
export function noiseScratch(options: BearingOptions): Float64Array {
  return new Float64Array(2 * options.noiseBins);
}

/** The line at `hz` in an amplitude spectrum, or undefined when its band passes Nyquist. */
function lineAt(spectrum: Float64Array, binHz: number, hz: number, options: BearingOptions, scratch: Float64Array): Line | undefined {
  const half = spectrum.length - 1;
  const width = Math.max(options.tolerance * hz, binHz);
  const low = Math.max(1, Math.ceil((hz - width) / binHz));
  const high = Math.floor((hz + width) / binHz);
  if (high > half) return undefined;
  let peak = 0;
  for (let k = low; k <= high; k++) if (spectrum[k] > peak) peak = spectrum[k];
  let count = 0;
  for (let k = Math.max(1, low - options.noiseBins); k < low; k++) scratch[count++] = spectrum[k];
  for (let k = high + 1; k <= Math.min(half, high + options.noiseBins); k++) scratch[count++] = spectrum[k];
  const floor = median(scratch, count);
  if (!(floor > 0)) throw new Error(`bearing: the envelope spectrum is zero around ${hz.toFixed(1)} Hz, no noise floor to compare with`);
  return { peak, ratio: peak / floor };
}

/** Median of a[0..count), sorting a in place (numpy.median: mean of the middle two for even counts). */
function median(a: Float64Array, count: number): number {
  if (count === 0) return 0;
  const values = a.subarray(0, count).sort();
  const mid = count >> 1;
  return count % 2 === 1 ? values[mid] : (values[mid - 1] + values[mid]) / 2;
}

/**
 * Write env_<defect>_amp, _ratio (fundamental), _ratio_h2 … _ratio_h<harmonics> (0 when
 * above Nyquist), _harmonics (lines at or above the threshold) and <defect>_hz for every
 * defect into `out`, and return the indicated fault: the defect whose fundamental has the largest
 * ratio at or above the threshold, or "none". Throws when a fundamental's band lies
 * above the envelope spectrum's Nyquist frequency.
 */
export function bearingFeatures(
  envelopeSpectrum: Float64Array,
  binHz: number,
  frequencies: Record<Defect, number>,
  options: BearingOptions,
  out: Record<string, number>,
  scratch: Float64Array,
): Fault {
  let indicated: Fault = "none";
  let best = options.threshold;
  const nyquist = (envelopeSpectrum.length - 1) * binHz;
  for (const defect of DEFECTS) {
    const hz = frequencies[defect];
    const fundamental = lineAt(envelopeSpectrum, binHz, hz, options, scratch);
    if (!fundamental) {
      throw new Error(`bearing: ${defect.toUpperCase()} = ${hz.toFixed(1)} Hz lies above the Nyquist frequency ${nyquist} Hz (fs/2): raise the sample rate or check the speed and the bearing orders`);
    }
    out[`${defect}_hz`] = hz;
    out[`env_${defect}_amp`] = fundamental.peak;
    out[`env_${defect}_ratio`] = fundamental.ratio;
    let hits = 0;
    for (let h = 1; h <= options.harmonics; h++) {
      const line = h === 1 ? fundamental : lineAt(envelopeSpectrum, binHz, h * hz, options, scratch);
      if (line && line.ratio >= options.threshold) hits++;
      // 0 marks a harmonic above Nyquist, so every window has the same feature names.
      if (h > 1) out[`env_${defect}_ratio_h${h}`] = line ? line.ratio : 0;
    }
    out[`env_${defect}_harmonics`] = hits;
    if (fundamental.ratio >= best) {
      best = fundamental.ratio;
      indicated = FAULT_OF[defect];
    }
  }
  return indicated;
}
