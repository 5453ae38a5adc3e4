/**
 * Frequency-domain features: window functions, the one-sided amplitude spectrum with its
 * Hz axis, spectral shape features, Welch's power spectral density and band energies.
 * All buffers are passed in by the caller (see extractor.ts), so nothing is allocated
 * per window.
 */
import { FftPlan } from "./fft";

export const WINDOWS = ["hann", "hamming", "blackman", "rectangular"] as const;
export type WindowName = (typeof WINDOWS)[number];

/** Periodic ("DFT-even") windows, as scipy.signal.get_window(name, n) returns them. */
export function makeWindow(name: WindowName, n: number): Float64Array {
  const w = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const phase = (2 * Math.PI * i) / n;
    if (name === "hann") w[i] = 0.5 - 0.5 * Math.cos(phase);
    else if (name === "hamming") w[i] = 0.54 - 0.46 * Math.cos(phase);
    else if (name === "blackman") w[i] = 0.42 - 0.5 * Math.cos(phase) + 0.08 * Math.cos(2 * phase);
    else w[i] = 1;
  }
  return w;
}

/** Bins 0..size/2 of one FFT, real and imaginary parts. */
export interface SpectrumBuffers {
  re: Float64Array;
  im: Float64Array;
}

export function spectrumBuffers(size: number): SpectrumBuffers {
  return { re: new Float64Array(size / 2 + 1), im: new Float64Array(size / 2 + 1) };
}

/**
 * One-sided amplitude spectrum of x[offset .. offset+size) with the mean removed and the
 * window applied: amplitude[k] is the peak amplitude of a sine at bin k (2|X_k| / sum(w),
 * DC and Nyquist not doubled). Also returns |X_k|^2 in `power` for PSD-style sums.
 */
export function amplitudeSpectrum(
  plan: FftPlan,
  x: ArrayLike<number>,
  offset: number,
  window: Float64Array,
  windowSum: number,
  buffers: SpectrumBuffers,
  amplitude: Float64Array,
  power: Float64Array,
): void {
  const n = plan.size;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += x[offset + i];
  const mean = sum / n;
  const windowed = plan.input;
  for (let i = 0; i < n; i++) windowed[i] = (x[offset + i] - mean) * window[i];
  plan.realForward(windowed, buffers.re, buffers.im);
  const half = n / 2;
  for (let k = 0; k <= half; k++) {
    const p = buffers.re[k] * buffers.re[k] + buffers.im[k] * buffers.im[k];
    power[k] = p;
    amplitude[k] = ((k === 0 || k === half ? 1 : 2) * Math.sqrt(p)) / windowSum;
  }
}

/** Fraction of the spectral power below the roll-off frequency. */
export const ROLLOFF_FRACTION = 0.85;

/**
 * Spectral shape of an amplitude spectrum (bins 1..size/2; DC is the removed mean),
 * weighted by power (amplitude squared): centroid and spread in Hz, the frequency below
 * which 85 % of the power lies, and flatness (geometric / arithmetic mean of the power).
 */
export function spectralFeatures(amplitude: Float64Array, binHz: number, out: Record<string, number>): void {
  const half = amplitude.length - 1;
  let total = 0;
  let weighted = 0;
  let logSum = 0;
  let dominant = 1;
  let hasZero = false;
  for (let k = 1; k <= half; k++) {
    const a = amplitude[k];
    const p = a * a;
    total += p;
    weighted += k * binHz * p;
    if (p > 0) logSum += Math.log(p);
    else hasZero = true;
    if (a > amplitude[dominant]) dominant = k;
  }
  if (!(total > 0)) throw new Error("spectrum: no power above DC (a constant window?)");
  const centroid = weighted / total;
  let spread = 0;
  let cumulative = 0;
  let rolloff = -1;
  for (let k = 1; k <= half; k++) {
    const p = amplitude[k] * amplitude[k];
    const d = k * binHz - centroid;
    spread += d * d * p;
    cumulative += p;
    if (rolloff < 0 && cumulative >= ROLLOFF_FRACTION * total) rolloff = k * binHz;
  }
  out.dominant_frequency = dominant * binHz;
  out.dominant_amplitude = amplitude[dominant];
  out.spectral_centroid = centroid;
  out.spectral_spread = Math.sqrt(spread / total);
  out.spectral_rolloff = rolloff;
  out.spectral_flatness = hasZero ? 0 : Math.exp(logSum / half) / (total / half);
}

/** Buffers and constants of Welch's method for one segment length. */
export class Welch {
  readonly segment: number;
  readonly psd: Float64Array;
  private readonly plan: FftPlan;
  private readonly window: Float64Array;
  private readonly windowPower: number;
  private readonly buffers: SpectrumBuffers;
  private readonly power: Float64Array;
  private readonly amplitude: Float64Array;

  constructor(plan: FftPlan) {
    this.plan = plan;
    this.segment = plan.size;
    this.window = makeWindow("hann", this.segment);
    this.windowPower = this.window.reduce((s, w) => s + w * w, 0);
    this.buffers = spectrumBuffers(this.segment);
    this.psd = new Float64Array(this.segment / 2 + 1);
    this.power = new Float64Array(this.segment / 2 + 1);
    this.amplitude = new Float64Array(this.segment / 2 + 1);
  }

  /**
   * One-sided PSD (unit^2/Hz) of x[0..n) as scipy.signal.welch(x, fs, "hann", nperseg,
   * noverlap=nperseg // 2, detrend="constant", scaling="density", average="mean").
   */
  compute(x: ArrayLike<number>, n: number, fs: number): Float64Array {
    const size = this.segment;
    if (n < size) throw new Error(`Welch PSD: window of ${n} samples is shorter than the segment of ${size}`);
    const step = size / 2;
    const half = size / 2;
    this.psd.fill(0);
    let segments = 0;
    for (let start = 0; start + size <= n; start += step) {
      amplitudeSpectrum(this.plan, x, start, this.window, 1, this.buffers, this.amplitude, this.power);
      for (let k = 0; k <= half; k++) this.psd[k] += this.power[k];
      segments++;
    }
    const scale = 1 / (fs * this.windowPower * segments);
    for (let k = 0; k <= half; k++) this.psd[k] *= (k === 0 || k === half ? 1 : 2) * scale;
    return this.psd;
  }
}

/** A frequency band [lowHz, highHz) for band energies. */
export interface Band {
  lowHz: number;
  highHz: number;
}

/** Feature name of a band, e.g. band_500_2000 (a decimal point becomes "p": band_0p5_10). */
export function bandName(band: Band): string {
  const text = (hz: number) => String(hz).replace(".", "p");
  return `band_${text(band.lowHz)}_${text(band.highHz)}`;
}

/** Energy (mean power, unit^2) in a band: the PSD summed over bins with low <= f < high, times the bin width. */
export function bandEnergy(psd: Float64Array, binHz: number, band: Band): number {
  let sum = 0;
  for (let k = 0; k < psd.length; k++) {
    const hz = k * binHz;
    if (hz >= band.lowHz && hz < band.highHz) sum += psd[k];
  }
  return sum * binHz;
}

/**
 * Thin a spectrum for charts to at most `maxPoints` points: consecutive bins are grouped
 * and each group keeps its largest value at that bin's frequency, so peaks survive.
 */
export function thinSpectrum(values: Float64Array, binHz: number, maxPoints: number, from = 0): { frequencies: number[]; amplitudes: number[] } {
  const count = values.length - from;
  const group = Math.max(1, Math.ceil(count / maxPoints));
  const frequencies: number[] = [];
  const amplitudes: number[] = [];
  for (let start = from; start < values.length; start += group) {
    let best = start;
    const end = Math.min(values.length, start + group);
    for (let k = start + 1; k < end; k++) if (values[k] > values[best]) best = k;
    frequencies.push(best * binHz);
    amplitudes.push(values[best]);
  }
  return { frequencies, amplitudes };
}
