/**
 * The pdm-features editor settings, validated into FeatureOptions. The editor stores
 * numbers as strings; each error names the setting as the dialog labels it.
 */
import type { DefectMultipliers } from "../config/asset";
import { fail, finiteNumber, oneOf } from "../shared/validate";
import { DEFAULT_OPTIONS, FeatureOptions, PrefilterOptions, SPECTRUM_KINDS } from "./extractor";
import { FILTER_KINDS } from "./filters";
import { ACCELERATION_UNITS, AccelerationUnit, MACHINE_GROUPS } from "./iso10816";
import { Band, WINDOWS } from "./spectrum";

/** What the editor saves for a pdm-features node. */
export interface FeaturesEditorConfig {
  time?: unknown;
  spectral?: unknown;
  bearing?: unknown;
  iso?: unknown;
  fftSize?: unknown;
  window?: unknown;
  bands?: unknown;
  welchSegment?: unknown;
  envelopeLow?: unknown;
  envelopeHigh?: unknown;
  envelopeOrder?: unknown;
  harmonics?: unknown;
  tolerancePct?: unknown;
  threshold?: unknown;
  machineGroup?: unknown;
  accelerationUnit?: unknown;
  prefilter?: unknown;
  prefilterLow?: unknown;
  prefilterHigh?: unknown;
  prefilterOrder?: unknown;
  zeroPhase?: unknown;
  decimation?: unknown;
  spectrumPoints?: unknown;
  spectrumKind?: unknown;
  envelopeSpectrumPoints?: unknown;
}

/** A number field: an empty string or nothing gives the default. */
function numberSetting(value: unknown, fallback: number, name: string, bounds: Parameters<typeof finiteNumber>[0] = {}): number {
  if (value === undefined || value === null || (typeof value === "string" && value.trim() === "")) return fallback;
  return finiteNumber(bounds)(typeof value === "string" ? Number(value) : value, name);
}

function flag(value: unknown, fallback: boolean): boolean {
  return value === undefined ? fallback : value === true || value === "true";
}

/** Bands as the editor writes them: "0-500, 500-2000, 2000-6000" (Hz). */
export function parseBands(text: unknown): Band[] {
  if (text === undefined || (typeof text === "string" && text.trim() === "")) return [];
  if (typeof text !== "string") return fail("bands", `bands as "low-high" in Hz separated by commas`, text);
  return text.split(",").map((part) => {
    const match = /^\s*(\d+(?:\.\d+)?)\s*-\s*(\d+(?:\.\d+)?)\s*$/.exec(part);
    const band = match ? { lowHz: Number(match[1]), highHz: Number(match[2]) } : undefined;
    if (!band || !(band.highHz > band.lowHz)) return fail("bands", `"low-high" in Hz with low < high, e.g. "500-2000"`, part.trim());
    return band;
  });
}

/** The options of one pdm-features node; `orders` come from its pdm-asset, when it has bearing data. */
export function parseFeatureConfig(raw: FeaturesEditorConfig, orders?: DefectMultipliers): FeatureOptions {
  const d = DEFAULT_OPTIONS;
  const prefilterKind = raw.prefilter === undefined || raw.prefilter === "" || raw.prefilter === "none" ? undefined : oneOf(FILTER_KINDS)(raw.prefilter, "prefilter");
  let prefilter: PrefilterOptions | undefined;
  if (prefilterKind) {
    const low = numberSetting(raw.prefilterLow, NaN, "prefilterLow", { above: 0 });
    const high = numberSetting(raw.prefilterHigh, NaN, "prefilterHigh", { above: 0 });
    const cutoff = prefilterKind === "bandpass" ? ([low, high] as [number, number]) : prefilterKind === "lowpass" ? high : low;
    const missing = prefilterKind === "bandpass" ? (Number.isNaN(low) ? "prefilterLow" : Number.isNaN(high) ? "prefilterHigh" : "") : Number.isNaN(cutoff as number) ? (prefilterKind === "lowpass" ? "prefilterHigh" : "prefilterLow") : "";
    if (missing) fail(missing, `a cut-off frequency in Hz for the ${prefilterKind} pre-filter`, undefined);
    prefilter = {
      kind: prefilterKind,
      order: numberSetting(raw.prefilterOrder, 4, "prefilterOrder", { min: 1, max: 10, integer: true }),
      cutoffHz: cutoff,
      zeroPhase: flag(raw.zeroPhase, true),
    };
  }
  return {
    ...d,
    time: flag(raw.time, d.time),
    spectral: flag(raw.spectral, d.spectral),
    bearing: flag(raw.bearing, d.bearing),
    iso: flag(raw.iso, d.iso),
    fftSize: numberSetting(raw.fftSize, d.fftSize, "fftSize", { min: 0, integer: true }),
    window: raw.window === undefined ? d.window : oneOf(WINDOWS)(raw.window, "window"),
    bands: parseBands(raw.bands),
    welchSegment: numberSetting(raw.welchSegment, d.welchSegment, "welchSegment", { min: 2, integer: true }),
    envelopeBandHz: [
      numberSetting(raw.envelopeLow, d.envelopeBandHz[0], "envelopeLow", { above: 0 }),
      numberSetting(raw.envelopeHigh, d.envelopeBandHz[1], "envelopeHigh", { above: 0 }),
    ],
    envelopeOrder: numberSetting(raw.envelopeOrder, d.envelopeOrder, "envelopeOrder", { min: 1, max: 10, integer: true }),
    bearingOptions: {
      harmonics: numberSetting(raw.harmonics, d.bearingOptions.harmonics, "harmonics", { min: 1, max: 10, integer: true }),
      tolerance: numberSetting(raw.tolerancePct, d.bearingOptions.tolerance * 100, "tolerancePct", { min: 0, max: 20 }) / 100,
      noiseBins: d.bearingOptions.noiseBins,
      threshold: numberSetting(raw.threshold, d.bearingOptions.threshold, "threshold", { above: 1 }),
    },
    orders,
    machineGroup: raw.machineGroup === undefined ? d.machineGroup : oneOf(MACHINE_GROUPS)(raw.machineGroup, "machineGroup"),
    accelerationUnit:
      raw.accelerationUnit === undefined ? d.accelerationUnit : oneOf(Object.keys(ACCELERATION_UNITS) as AccelerationUnit[])(raw.accelerationUnit, "accelerationUnit"),
    prefilter,
    decimation: numberSetting(raw.decimation, d.decimation, "decimation", { min: 1, max: 64, integer: true }),
    spectrumPoints: numberSetting(raw.spectrumPoints, d.spectrumPoints, "spectrumPoints", { min: 0, max: 65536, integer: true }),
    spectrumKind: raw.spectrumKind === undefined ? d.spectrumKind : oneOf(SPECTRUM_KINDS)(raw.spectrumKind, "spectrumKind"),
    envelopeSpectrumPoints: numberSetting(raw.envelopeSpectrumPoints, d.envelopeSpectrumPoints, "envelopeSpectrumPoints", { min: 0, max: 65536, integer: true }),
  };
}
