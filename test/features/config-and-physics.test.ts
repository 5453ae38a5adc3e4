/**
 * The editor's settings as the node reads them, and known answers from physics: the
 * ISO velocity of a pure sine and the defect frequencies of the CWRU bearing.
 */
import { strict as assert } from "node:assert";
import { bearingDefectMultipliers } from "../../nodes/config/asset";
import { defectFrequencies } from "../../nodes/features/bearing";
import { parseFeatureConfig } from "../../nodes/features/config";
import { FeatureExtractor } from "../../nodes/features/extractor";

describe("features: editor settings", () => {
  it("reads the dialog's strings into options, with defaults for empty fields", () => {
    const orders = { bpfo: 3.5848, bpfi: 5.4152, bsf: 2.357, ftf: 0.39828 };
    const options = parseFeatureConfig(
      {
        time: true,
        spectral: false,
        bearing: true,
        iso: "true",
        fftSize: "8192",
        window: "blackman",
        bands: "0-500, 500-2000,10.5-1000",
        welchSegment: "",
        envelopeLow: "1500",
        envelopeHigh: "4500",
        tolerancePct: "3",
        threshold: "4",
        machineGroup: "group1-flexible",
        accelerationUnit: "m/s2",
        prefilter: "bandpass",
        prefilterLow: "10",
        prefilterHigh: "5000",
        zeroPhase: false,
        decimation: "2",
        spectrumPoints: "512",
      },
      orders,
    );
    assert.equal(options.spectral, false);
    assert.equal(options.iso, true);
    assert.equal(options.fftSize, 8192);
    assert.equal(options.window, "blackman");
    assert.deepEqual(options.bands, [
      { lowHz: 0, highHz: 500 },
      { lowHz: 500, highHz: 2000 },
      { lowHz: 10.5, highHz: 1000 },
    ]);
    assert.equal(options.welchSegment, 1024, "empty field = default");
    assert.deepEqual(options.envelopeBandHz, [1500, 4500]);
    assert.equal(options.bearingOptions.tolerance, 0.03);
    assert.equal(options.bearingOptions.threshold, 4);
    assert.equal(options.machineGroup, "group1-flexible");
    assert.equal(options.accelerationUnit, "m/s2");
    assert.deepEqual(options.prefilter, { kind: "bandpass", order: 4, cutoffHz: [10, 5000], zeroPhase: false });
    assert.equal(options.decimation, 2);
    assert.equal(options.spectrumPoints, 512);
    assert.equal(options.orders, orders);
  });
});

describe("features: known answers from physics", () => {
  it("ISO velocity of a 1 g sine is g / (2 pi f) / sqrt 2, and its zone follows the machine group", () => {
    const fs = 12_000;
    const hz = (54 * fs) / 4096; // exactly on a bin: 158.2 Hz
    const sine = Array.from({ length: 4096 }, (_, i) => Math.sin((2 * Math.PI * hz * i) / fs));
    const expected = (9.80665 / (2 * Math.PI * hz) / Math.SQRT2) * 1000;
    const group2 = new FeatureExtractor({ iso: true, spectral: false, machineGroup: "group2-rigid" }).compute(sine, fs);
    assert.ok(Math.abs(group2.features.iso_velocity_rms / expected - 1) < 0.005, `${group2.features.iso_velocity_rms} vs ${expected} mm/s`);
    assert.equal(group2.isoZone, "D", "6.98 mm/s is above 4.5 (group 2, rigid)");
    const group1 = new FeatureExtractor({ iso: true, spectral: false, machineGroup: "group1-flexible" }).compute(sine, fs);
    assert.equal(group1.isoZone, "B", "6.98 mm/s is between 3.5 and 7.1 (group 1, flexible)");
  });

  it("a sine outside 10-1000 Hz adds no ISO velocity", () => {
    const fs = 12_000;
    const hz = (400 * fs) / 4096; // 1172 Hz
    const sine = Array.from({ length: 4096 }, (_, i) => Math.sin((2 * Math.PI * hz * i) / fs));
    const result = new FeatureExtractor({ iso: true, spectral: false }).compute(sine, fs);
    assert.ok(result.features.iso_velocity_rms < 1e-6, `${result.features.iso_velocity_rms} mm/s`);
  });

  it("defect frequencies of the CWRU drive-end bearing at 1797 rpm match the data center's table", () => {
    const orders = bearingDefectMultipliers({ balls: 9, ballDiameter: 0.3126, pitchDiameter: 1.537, contactAngleDeg: 0 });
    const hz = defectFrequencies(orders, 1797);
    // data/cwru/README.md: BPFI 162.2 Hz, BPFO 107.4 Hz, BSF 70.6 Hz, FTF 11.9 Hz
    assert.equal(hz.bpfi.toFixed(1), "162.2");
    assert.equal(hz.bpfo.toFixed(1), "107.4");
    assert.equal(hz.bsf.toFixed(1), "70.6");
    assert.equal(hz.ftf.toFixed(1), "11.9");
  });
});
