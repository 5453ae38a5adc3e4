/**
 * The feature set of one window, as pdm-features computes it: optional decimation and
 * pre-filter, time-domain features on the whole window, then spectrum, Welch band
 * energies, ISO 10816-3 velocity and envelope/bearing features on the last `fftSize`
 * samples. One FeatureExtractor per node: FFT plans, windows, filters and work buffers
 * are made on first use for a size or sample rate and reused for every later window.
 */
import type { DefectMultipliers } from "../config/asset";
import { DEFAULT_BEARING_OPTIONS, Defect, BearingOptions, Fault, bearingFeatures, defectFrequencies, noiseScratch } from "./bearing";
import { HilbertEnvelope } from "./envelope";
import { FftPlan, fftPlan, floorPowerOfTwo, isPowerOfTwo } from "./fft";
import { FilterKind, SosFilter, antiAliasFilter, butterworth } from "./filters";
import { AccelerationUnit, MachineGroup, Zone, isoZone, velocityRmsMmPerS } from "./iso10816";
import {
  Band,
  SpectrumBuffers,
  Welch,
  WindowName,
  amplitudeSpectrum,
  bandEnergy,
  bandName,
  makeWindow,
  spectralFeatures,
  spectrumBuffers,
  thinSpectrum,
} from "./spectrum";
import { timeFeatures } from "./time-features";

export interface PrefilterOptions {
  kind: FilterKind;
  order: number;
  /** One cut-off for low/high-pass, [low, high] for band-pass, in Hz. */
  cutoffHz: number | [number, number];
  /** Forward-backward (sosfiltfilt): no phase shift, squared magnitude response. */
  zeroPhase: boolean;
}

export const SPECTRUM_KINDS = ["amplitude", "psd"] as const;
export type SpectrumKind = (typeof SPECTRUM_KINDS)[number];

export interface FeatureOptions {
  time: boolean;
  spectral: boolean;
  /** Envelope spectrum and bearing defect lines (needs `orders` and a running speed). */
  bearing: boolean;
  iso: boolean;
  /** FFT length, a power of two; 0 = the largest power of two that fits the window. */
  fftSize: number;
  window: WindowName;
  /** Energy bands from the Welch PSD; empty for none. */
  bands: Band[];
  /** Welch segment length (power of two); shortened to the FFT length when larger. */
  welchSegment: number;
  envelopeBandHz: [number, number];
  envelopeOrder: number;
  bearingOptions: BearingOptions;
  /** Bearing defect orders from the asset, when known. */
  orders?: DefectMultipliers;
  machineGroup: MachineGroup;
  accelerationUnit: AccelerationUnit;
  prefilter?: PrefilterOptions;
  /** Integer decimation factor applied first (1 = none). */
  decimation: number;
  /** Send the spectrum thinned to this many points (0 = do not send). */
  spectrumPoints: number;
  /** Which spectrum to send: the amplitude spectrum of the FFT or the Welch PSD of the window. */
  spectrumKind: SpectrumKind;
  /** Send the envelope spectrum thinned to this many points (0 = do not send). */
  envelopeSpectrumPoints: number;
}

export const DEFAULT_OPTIONS: FeatureOptions = {
  time: true,
  spectral: true,
  bearing: false,
  iso: false,
  fftSize: 0,
  window: "hann",
  bands: [],
  welchSegment: 1024,
  envelopeBandHz: [2000, 5000],
  envelopeOrder: 4,
  bearingOptions: DEFAULT_BEARING_OPTIONS,
  machineGroup: "group2-rigid",
  accelerationUnit: "g",
  decimation: 1,
  spectrumPoints: 0,
  spectrumKind: "amplitude",
  envelopeSpectrumPoints: 0,
};

export interface ChartSpectrum {
  frequencies: number[];
  amplitudes: number[];
}

export interface FeatureResult {
  /** Sample rate and sample count of the signal the features describe (after decimation). */
  fs: number;
  n: number;
  fftSize: number;
  features: Record<string, number>;
  /** Amplitude (input unit) or PSD (unit^2/Hz), as `spectrumKind` says. */
  spectrum?: ChartSpectrum;
  envelopeSpectrum?: ChartSpectrum;
  indicatedFault?: Fault;
  isoZone?: Zone;
}

/** Everything that depends on the FFT length only. */
class SizeState {
  readonly plan: FftPlan;
  readonly window: Float64Array;
  readonly windowSum: number;
  readonly windowPower: number;
  readonly buffers: SpectrumBuffers;
  readonly amplitude: Float64Array;
  readonly power: Float64Array;
  readonly envelopeIn: Float64Array;
  readonly envelope: Float64Array;
  readonly envelopeAmplitude: Float64Array;
  readonly envelopePower: Float64Array;
  readonly hilbert: HilbertEnvelope;
  readonly hann: Float64Array;
  readonly hannSum: number;

  constructor(size: number, windowName: WindowName) {
    this.plan = fftPlan(size);
    this.window = makeWindow(windowName, size);
    this.windowSum = this.window.reduce((s, w) => s + w, 0);
    this.windowPower = this.window.reduce((s, w) => s + w * w, 0);
    this.buffers = spectrumBuffers(size);
    this.amplitude = new Float64Array(size / 2 + 1);
    this.power = new Float64Array(size / 2 + 1);
    this.envelopeIn = new Float64Array(size);
    this.envelope = new Float64Array(size);
    this.envelopeAmplitude = new Float64Array(size / 2 + 1);
    this.envelopePower = new Float64Array(size / 2 + 1);
    this.hilbert = new HilbertEnvelope(this.plan);
    this.hann = makeWindow("hann", size);
    this.hannSum = this.hann.reduce((s, w) => s + w, 0);
  }
}

/** Filters designed for one sample rate. */
interface RateState {
  envelopeBandPass?: SosFilter;
  prefilter?: SosFilter;
  antiAlias?: SosFilter;
}

/** Grow-only scratch arrays for signals the length of a window. */
class Scratch {
  private arrays = new Map<string, Float64Array>();
  get(name: string, length: number): Float64Array {
    let array = this.arrays.get(name);
    if (!array || array.length < length) {
      array = new Float64Array(length);
      this.arrays.set(name, array);
    }
    return array;
  }
}

/** How many designed filter sets and FFT sizes to keep (sensors of one node rarely vary more). */
const MAX_CACHED = 8;

function remember<K, V>(cache: Map<K, V>, key: K, make: () => V): V {
  let value = cache.get(key);
  if (value === undefined) {
    if (cache.size >= MAX_CACHED) cache.delete(cache.keys().next().value as K);
    value = make();
    cache.set(key, value);
  }
  return value;
}

export class FeatureExtractor {
  readonly options: FeatureOptions;
  private readonly sizes = new Map<number, SizeState>();
  private readonly rates = new Map<number, RateState>();
  private readonly welches = new Map<number, Welch>();
  private readonly scratch = new Scratch();
  private readonly noise: Float64Array;

  constructor(options: Partial<FeatureOptions> = {}) {
    this.options = { ...DEFAULT_OPTIONS, ...options };
    const o = this.options;
    if (o.fftSize !== 0 && !isPowerOfTwo(o.fftSize)) throw new Error(`fftSize: expected 0 (auto) or a power of two, got ${o.fftSize}`);
    if (!isPowerOfTwo(o.welchSegment)) throw new Error(`welchSegment: expected a power of two, got ${o.welchSegment}`);
    if (!Number.isInteger(o.decimation) || o.decimation < 1 || o.decimation > 64) throw new Error(`decimation: expected an integer from 1 to 64, got ${o.decimation}`);
    if (o.bearing && !o.orders) throw new Error("bearing features need the bearing's defect orders: choose a pdm-asset with bearing geometry or orders");
    for (const band of o.bands) {
      if (!(band.lowHz >= 0 && band.highHz > band.lowHz)) throw new Error(`bands: expected 0 <= low < high, got ${band.lowHz}-${band.highHz} Hz`);
    }
    this.noise = noiseScratch(o.bearingOptions);
  }

  private rateState(rate: number): RateState {
    return remember(this.rates, rate, (): RateState => ({}));
  }

  /**
   * The features of one window sampled at `fs` Hz. `rpm` is the running speed, needed
   * for bearing features. Throws an Error naming the problem for input that would give
   * undefined features (too short, non-finite samples, constant, defect frequency above
   * Nyquist, filter band above Nyquist).
   */
  compute(values: ArrayLike<number>, fs: number, rpm?: number): FeatureResult {
    const o = this.options;
    if (!(fs > 0 && Number.isFinite(fs))) throw new Error(`fs: expected a sample rate in Hz > 0, got ${fs}`);
    checkFinite(values);
    let signal: ArrayLike<number> = values;
    let n = values.length;
    let rate = fs;
    if (o.decimation > 1) {
      const filter = this.rateState(rate).antiAlias ??= antiAliasFilter(o.decimation, rate);
      const filtered = this.scratch.get("decimation-filtered", n);
      const work = this.scratch.get("filter-work", n + 2 * filter.padLength);
      const decimated = this.scratch.get("decimated", Math.ceil(n / o.decimation));
      filter.runZeroPhase(signal, filtered, work, n);
      let m = 0;
      for (let i = 0; i < n; i += o.decimation) decimated[m++] = filtered[i];
      signal = decimated;
      n = m;
      rate = fs / o.decimation;
    }
    if (o.prefilter) {
      const spec = o.prefilter;
      const filter = (this.rateState(rate).prefilter ??= butterworth({ ...spec, fs: rate }));
      const filtered = this.scratch.get("prefiltered", n);
      if (spec.zeroPhase) filter.runZeroPhase(signal, filtered, this.scratch.get("filter-work", n + 2 * filter.padLength), n);
      else filter.run(signal, filtered, n);
      signal = filtered;
    }

    if (n < 2) throw new Error(`window: expected at least 2 samples${o.decimation > 1 ? " after decimation" : ""}, got ${n}`);
    const features: Record<string, number> = {};
    if (o.time) timeFeatures(signal, features, n);
    const result: FeatureResult = { fs: rate, n, fftSize: 0, features };
    if (!o.spectral && !o.bearing && !o.iso && o.spectrumPoints === 0) {
      checkFeaturesFinite(features);
      return result;
    }

    const size = o.fftSize || floorPowerOfTwo(n);
    if (n < size) {
      throw new Error(`window: ${n} samples${o.decimation > 1 ? " after decimation" : ""} is fewer than the FFT size ${size}: lengthen the window or lower the FFT size`);
    }
    result.fftSize = size;
    const state = remember(this.sizes, size, () => new SizeState(size, o.window));
    const offset = n - size;
    const binHz = rate / size;
    if (!o.time) checkNotConstant(signal, offset, n);
    amplitudeSpectrum(state.plan, signal, offset, state.window, state.windowSum, state.buffers, state.amplitude, state.power);

    const welchSegment = Math.min(o.welchSegment, size);
    const welchPsd = () => remember(this.welches, welchSegment, () => new Welch(fftPlan(welchSegment))).compute(signal, n, rate);
    let psd: Float64Array | undefined;
    if (o.spectral) {
      spectralFeatures(state.amplitude, binHz, features);
      if (o.bands.length > 0) {
        psd = welchPsd();
        for (const band of o.bands) features[bandName(band)] = bandEnergy(psd, rate / welchSegment, band);
      }
    }
    if (o.iso) {
      const velocity = velocityRmsMmPerS(state.power, size, rate, state.windowPower, o.accelerationUnit);
      features.iso_velocity_rms = velocity;
      result.isoZone = isoZone(velocity, o.machineGroup);
    }
    if (o.bearing && o.orders) {
      if (!(rpm !== undefined && rpm > 0 && Number.isFinite(rpm))) {
        throw new Error(`running speed: expected rpm > 0 for bearing features, got ${rpm}: set the asset's nominal rpm or send msg.payload.rpm`);
      }
      const filter = (this.rateState(rate).envelopeBandPass ??= butterworth({
        kind: "bandpass",
        order: o.envelopeOrder,
        cutoffHz: o.envelopeBandHz,
        fs: rate,
      }));
      for (let i = 0; i < size; i++) state.envelopeIn[i] = signal[offset + i];
      filter.run(state.envelopeIn, state.envelopeIn, size);
      state.hilbert.compute(state.envelopeIn, state.envelope);
      amplitudeSpectrum(state.plan, state.envelope, 0, state.hann, state.hannSum, state.buffers, state.envelopeAmplitude, state.envelopePower);
      const frequencies: Record<Defect, number> = defectFrequencies(o.orders, rpm);
      result.indicatedFault = bearingFeatures(state.envelopeAmplitude, binHz, frequencies, o.bearingOptions, features, this.noise);
      if (o.envelopeSpectrumPoints > 0) result.envelopeSpectrum = thinSpectrum(state.envelopeAmplitude, binHz, o.envelopeSpectrumPoints);
    }
    if (o.spectrumPoints > 0) {
      result.spectrum =
        o.spectrumKind === "psd"
          ? thinSpectrum(psd ?? welchPsd(), rate / welchSegment, o.spectrumPoints)
          : thinSpectrum(state.amplitude, binHz, o.spectrumPoints);
    }
    checkFeaturesFinite(features);
    return result;
  }
}

function checkFinite(values: ArrayLike<number>): void {
  if (values.length === 0) throw new Error("window: no samples (empty window)");
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i])) throw new Error(`window[${i}]: expected a finite number, got ${values[i]}`);
  }
}

function checkNotConstant(x: ArrayLike<number>, from: number, to: number): void {
  for (let i = from + 1; i < to; i++) if (x[i] !== x[from]) return;
  throw new Error(`window: all ${to - from} samples equal ${x[from]}: a stuck or disconnected sensor? spectral features are undefined`);
}

/** Last guard: a feature that is not finite is a bug or an input we did not foresee; never send it. */
function checkFeaturesFinite(features: Record<string, number>): void {
  for (const [name, value] of Object.entries(features)) {
    if (!Number.isFinite(value)) throw new Error(`feature ${name} is ${value}: the window cannot be described (extreme or degenerate values)`);
  }
}
