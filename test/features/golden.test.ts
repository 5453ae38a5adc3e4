/**
 * Every feature and every intermediate signal against NumPy/SciPy on real CWRU windows.
 * The expected values were made once by fixtures/make_golden.py (Debian python3-scipy)
 * and committed; this test needs no Python.
 */
import { strict as assert } from "node:assert";
import * as path from "node:path";
import { FeatureExtractor, FeatureOptions } from "../../nodes/features/extractor";
import { fftPlan } from "../../nodes/features/fft";
import { FilterKind, antiAliasFilter, butterworth, decimate } from "../../nodes/features/filters";
import { HilbertEnvelope } from "../../nodes/features/envelope";
import { Welch, amplitudeSpectrum, makeWindow, spectrumBuffers, WindowName } from "../../nodes/features/spectrum";
import { readSignalColumn, readText } from "../../nodes/ingest/recordings";
import { repoRoot } from "../helpers/runtime";

interface FeatureCase {
  name: string;
  file: string;
  offset: number;
  length: number;
  fs: number;
  rpm: number;
  options: Partial<FeatureOptions>;
  tolerance: number;
  expected: { features: Record<string, number>; indicatedFault?: string; isoZone?: string };
}

interface ArrayCase {
  name: string;
  file: string;
  offset: number;
  length: number;
  fs: number;
  operation: Record<string, unknown> & { op: string };
  tolerance: number;
  expected: number[];
}

const fixtureSource = path.join(repoRoot, "test", "features", "fixtures", "golden.json.gz");
const golden = JSON.parse(readText(fixtureSource)) as { numpy: string; scipy: string; cases: FeatureCase[]; arrays: ArrayCase[] };

const recordings = new Map<string, Float64Array>();
function window(file: string, offset: number, length: number): Float64Array {
  let samples = recordings.get(file);
  if (!samples) {
    samples = readSignalColumn(path.join(repoRoot, "data", "cwru", file));
    recordings.set(file, samples);
  }
  return samples.slice(offset, offset + length);
}

/** Relative error, with values near zero judged against the scale of their whole set. */
function assertClose(actual: number, expected: number, tolerance: number, scale: number, what: string): void {
  const error = Math.abs(actual - expected) / Math.max(Math.abs(expected), scale);
  assert.ok(error <= tolerance, `${what}: ${actual} vs SciPy ${expected} (relative error ${error.toExponential(2)} > ${tolerance})`);
}

function rms(values: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i] * values[i];
  return Math.sqrt(sum / values.length);
}

function runOperation(c: ArrayCase, x: Float64Array): Float64Array {
  const op = c.operation;
  switch (op.op) {
    case "sosfilt":
    case "sosfiltfilt": {
      const filter = butterworth({ kind: op.kind as FilterKind, order: op.order as number, cutoffHz: op.cutoffHz as number | [number, number], fs: c.fs });
      const y = new Float64Array(x.length);
      if (op.op === "sosfilt") filter.run(x, y);
      else filter.runZeroPhase(x, y, new Float64Array(x.length + 2 * filter.padLength));
      return y;
    }
    case "decimate": {
      const factor = op.factor as number;
      const filter = antiAliasFilter(factor, c.fs);
      const y = new Float64Array(Math.ceil(x.length / factor));
      const m = decimate(x, factor, filter, y, new Float64Array(x.length), new Float64Array(x.length + 2 * filter.padLength));
      return y.subarray(0, m);
    }
    case "hilbert": {
      const y = new Float64Array(x.length);
      new HilbertEnvelope(fftPlan(x.length)).compute(x, y);
      return y;
    }
    case "welch":
      return new Welch(fftPlan(op.segment as number)).compute(x, x.length, c.fs);
    case "amplitude": {
      const w = makeWindow(op.window as WindowName, x.length);
      const amplitude = new Float64Array(x.length / 2 + 1);
      amplitudeSpectrum(fftPlan(x.length), x, 0, w, w.reduce((s, v) => s + v, 0), spectrumBuffers(x.length), amplitude, new Float64Array(x.length / 2 + 1));
      return amplitude;
    }
    case "envelopeSpectrum": {
      const filter = butterworth({ kind: "bandpass", order: op.order as number, cutoffHz: op.bandHz as [number, number], fs: c.fs });
      const filtered = new Float64Array(x.length);
      filter.run(x, filtered);
      const envelope = new Float64Array(x.length);
      new HilbertEnvelope(fftPlan(x.length)).compute(filtered, envelope);
      const w = makeWindow("hann", x.length);
      const amplitude = new Float64Array(x.length / 2 + 1);
      amplitudeSpectrum(fftPlan(x.length), envelope, 0, w, w.reduce((s, v) => s + v, 0), spectrumBuffers(x.length), amplitude, new Float64Array(x.length / 2 + 1));
      return amplitude;
    }
    default:
      throw new Error(`unknown operation ${op.op}`);
  }
}

describe(`features against NumPy ${golden.numpy} / SciPy ${golden.scipy} (golden fixture)`, () => {
  describe("signals, sample by sample", () => {
    for (const c of golden.arrays) {
      it(c.name, () => {
        const actual = runOperation(c, window(c.file, c.offset, c.length));
        assert.equal(actual.length, c.expected.length, "length");
        const scale = rms(c.expected);
        for (let i = 0; i < actual.length; i++) assertClose(actual[i], c.expected[i], c.tolerance, scale, `${c.name} [${i}]`);
      });
    }
  });

  describe("feature sets", () => {
    for (const c of golden.cases) {
      it(c.name, () => {
        const result = new FeatureExtractor(c.options).compute(window(c.file, c.offset, c.length), c.fs, c.rpm);
        assert.deepEqual(Object.keys(result.features).sort(), Object.keys(c.expected.features).sort(), "the same feature names");
        for (const [name, expected] of Object.entries(c.expected.features)) {
          assertClose(result.features[name], expected, c.tolerance, 1e-300, name);
        }
        assert.equal(result.indicatedFault, c.expected.indicatedFault);
        assert.equal(result.isoZone, c.expected.isoZone);
      });
    }
  });
});
