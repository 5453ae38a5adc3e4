/**
 * Input that cannot be described: every case is a clear error naming the problem, never
 * a feature sent as NaN.
 */
import { strict as assert } from "node:assert";
import * as path from "node:path";
import { parseAssetConfig } from "../../nodes/config/asset";
import { parseFeatureConfig } from "../../nodes/features/config";
import { FeatureExtractor } from "../../nodes/features/extractor";
import { readSignalColumn } from "../../nodes/ingest/recordings";
import { repoRoot } from "../helpers/runtime";

const orders = { bpfo: 3.5848, bpfi: 5.4152, bsf: 2.357, ftf: 0.39828 };
const recording = readSignalColumn(path.join(repoRoot, "data", "cwru", "12k_IR007_0_105.csv"));
const realWindow = Array.from(recording.subarray(0, 4096));

describe("features: bad input gives a clear error", () => {
  const everything = () => new FeatureExtractor({ bearing: true, iso: true, orders, bands: [{ lowHz: 0, highHz: 500 }], fftSize: 4096 });

  it("an empty window", () => {
    assert.throws(() => everything().compute([], 12_000, 1797), /^Error: window: no samples \(empty window\)$/);
  });

  it("NaN or Infinity inside the window, naming the sample", () => {
    const withNaN = realWindow.slice();
    withNaN[100] = NaN;
    assert.throws(() => everything().compute(withNaN, 12_000, 1797), /window\[100\]: expected a finite number, got NaN/);
    const withInfinity = realWindow.slice();
    withInfinity[7] = -Infinity;
    assert.throws(() => everything().compute(withInfinity, 12_000, 1797), /window\[7\]: expected a finite number, got -Infinity/);
  });

  it("a window of one sample, or too short for the zero-phase anti-alias filter", () => {
    assert.throws(() => new FeatureExtractor({ time: false }).compute([0.5], 12_000), /^Error: window: expected at least 2 samples, got 1$/);
    assert.throws(
      () => new FeatureExtractor({ decimation: 4 }).compute(realWindow.slice(0, 20), 12_000),
      /zero-phase filter: the signal must be longer than 27 samples \(3 per filter order and section\), got 20/,
    );
  });

  it("a window shorter than the FFT size", () => {
    assert.throws(() => everything().compute(realWindow.slice(0, 3000), 12_000, 1797), /window: 3000 samples is fewer than the FFT size 4096/);
  });

  it("a missing or non-positive sample rate", () => {
    assert.throws(() => everything().compute(realWindow, undefined as unknown as number, 1797), /fs: expected a sample rate in Hz > 0, got undefined/);
    assert.throws(() => everything().compute(realWindow, 0, 1797), /fs: expected a sample rate in Hz > 0, got 0/);
  });

  it("a sample rate that puts the envelope band above Nyquist", () => {
    assert.throws(() => everything().compute(realWindow, 8000, 1797), /bandpass filter: expected 0 < low < high < fs\/2 \(fs\/2 = 4000 Hz\), got 2000-5000 Hz/);
  });

  it("a running speed that puts a defect frequency above Nyquist", () => {
    const lowRate = new FeatureExtractor({ bearing: true, orders, envelopeBandHz: [500, 1200], fftSize: 4096 });
    assert.throws(() => lowRate.compute(realWindow, 3000, 30_000), /BPFO = 1792\.4 Hz lies above the Nyquist frequency 1500 Hz/);
  });

  it("harmonics above Nyquist: ratio 0 and not counted (documented fallback)", () => {
    const fast = new FeatureExtractor({ spectral: false, bearing: true, orders, envelopeBandHz: [500, 1200], fftSize: 4096 });
    const result = fast.compute(realWindow, 3000, 15_000); // BPFI 1354 Hz < 1500 Hz, its 2nd harmonic is not
    assert.ok(result.features.env_bpfi_ratio > 0);
    assert.equal(result.features.env_bpfi_ratio_h2, 0);
    assert.equal(result.features.env_bpfi_ratio_h3, 0);
    assert.ok(result.features.env_bpfi_harmonics <= 1);
    assert.ok(result.features.env_ftf_ratio_h3 > 0, "FTF harmonics are far below Nyquist");
  });

  it("no running speed for bearing features", () => {
    assert.throws(() => everything().compute(realWindow, 12_000, undefined), /running speed: expected rpm > 0 for bearing features, got undefined/);
  });

  it("all samples equal (a stuck sensor)", () => {
    assert.throws(() => everything().compute(new Array(4096).fill(0.25), 12_000, 1797), /window: all 4096 samples equal 0.25: a stuck or disconnected sensor\?/);
    const spectralOnly = new FeatureExtractor({ time: false, fftSize: 1024 });
    assert.throws(() => spectralOnly.compute(new Array(1024).fill(1), 12_000), /all 1024 samples equal 1/);
  });

  it("bearing features without bearing data, and bearing geometry that makes no sense", () => {
    assert.throws(() => new FeatureExtractor({ bearing: true }), /bearing features need the bearing's defect orders/);
    assert.throws(
      () => parseAssetConfig({ assetId: "p1", bearingSpec: "geometry", balls: "9", ballDiameter: "2", pitchDiameter: "1.5" }),
      /ballDiameter: expected less than the pitch diameter \(1.5\), got 2/,
    );
  });

  it("editor settings that make no sense, naming the setting", () => {
    assert.throws(() => new FeatureExtractor(parseFeatureConfig({ fftSize: "1000" })), /fftSize: expected 0 \(auto\) or a power of two, got 1000/);
    assert.throws(() => parseFeatureConfig({ bands: "500-200" }), /bands: expected "low-high" in Hz with low < high/);
    assert.throws(() => parseFeatureConfig({ prefilter: "bandpass", prefilterLow: "10" }), /prefilterHigh: expected a cut-off frequency in Hz/);
    assert.throws(() => parseFeatureConfig({ machineGroup: "group3" }), /machineGroup: expected one of/);
    assert.throws(() => parseFeatureConfig({ decimation: "2.5" }), /decimation: expected an integer/);
  });

  it("extreme values that overflow are an error, not an Infinity feature", () => {
    const huge = realWindow.map((v) => v * 1e305);
    assert.throws(() => new FeatureExtractor({ fftSize: 4096 }).compute(huge, 12_000), /feature \w+ is (Infinity|NaN)/);
  });

  it("a window of any length works with the automatic FFT size, and reuses its buffers", () => {
    const extractor = new FeatureExtractor({ iso: true });
    const first = extractor.compute(realWindow.slice(0, 3000), 12_000);
    assert.equal(first.fftSize, 2048);
    assert.equal(first.n, 3000);
    const again = extractor.compute(realWindow.slice(0, 3000), 12_000);
    assert.deepEqual(again.features, first.features);
    for (const value of Object.values(first.features)) assert.ok(Number.isFinite(value));
  });
});

describe("features: spectra for charts", () => {
  it("sends the Welch PSD thinned for charts; its integral is the window's mean square", () => {
    const result = new FeatureExtractor({ spectral: false, spectrumPoints: 100, spectrumKind: "psd", welchSegment: 512 }).compute(realWindow, 12_000);
    const psd = result.spectrum;
    assert.ok(psd && psd.frequencies.length <= 100 && psd.frequencies.length >= 80);
    assert.equal(psd.frequencies[psd.frequencies.length - 1] <= 6000, true);
    // Full-resolution PSD: sum(PSD) * df is the mean square of the Hann-weighted segments,
    // close to the variance of a stationary window.
    const full = new FeatureExtractor({ spectral: false, spectrumPoints: 257, spectrumKind: "psd", welchSegment: 512 }).compute(realWindow, 12_000);
    const meanSquare = full.spectrum!.amplitudes.reduce((s, p) => s + p, 0) * (12_000 / 512);
    const mean = realWindow.reduce((s, v) => s + v, 0) / realWindow.length;
    const variance = realWindow.reduce((s, v) => s + (v - mean) ** 2, 0) / realWindow.length;
    assert.ok(Math.abs(meanSquare / variance - 1) < 0.1, `PSD integral ${meanSquare} vs variance ${variance}`);
  });

  it("keeps the highest bin of each group, so a spectral peak survives thinning", () => {
    const extractor = new FeatureExtractor({ spectrumPoints: 64, fftSize: 4096 });
    const thin = extractor.compute(realWindow, 12_000);
    const dominant = thin.features.dominant_amplitude;
    assert.equal(Math.max(...thin.spectrum!.amplitudes), dominant);
    assert.equal(thin.spectrum!.frequencies[thin.spectrum!.amplitudes.indexOf(dominant)], thin.features.dominant_frequency);
  });
});
