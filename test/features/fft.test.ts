/**
 * The FFT plans on real samples: the fft.js plan and the WebAssembly kernel against the
 * DFT written out, and the kernel against fft.js (its reference) on CWRU windows of every
 * size the features use. The golden tests (golden.test.ts) check the spectra that the
 * kernel computes in the features against NumPy.
 */
import { strict as assert } from "node:assert";
import * as path from "node:path";
import { FftJsPlan, FftPlan, fftPlan } from "../../nodes/features/fft";
import { WasmFftPlan, wasmFftAvailable } from "../../nodes/features/wasm-fft";
import { readSignalColumn } from "../../nodes/ingest/recordings";
import { repoRoot } from "../helpers/runtime";

const recording = readSignalColumn(path.join(repoRoot, "data", "cwru", "12k_OR021at6_0_234.csv"));
const innerRace = readSignalColumn(path.join(repoRoot, "data", "cwru", "12k_IR007_0_105.csv"));

/** X[k] = sum x[j] e^{sign 2 pi i jk/n}, in long hand. */
function dft(re: ArrayLike<number>, im: ArrayLike<number>, sign: number): { re: Float64Array; im: Float64Array } {
  const n = re.length;
  const out = { re: new Float64Array(n), im: new Float64Array(n) };
  for (let k = 0; k < n; k++) {
    for (let j = 0; j < n; j++) {
      const angle = (sign * 2 * Math.PI * ((j * k) % n)) / n;
      out.re[k] += re[j] * Math.cos(angle) - im[j] * Math.sin(angle);
      out.im[k] += re[j] * Math.sin(angle) + im[j] * Math.cos(angle);
    }
  }
  return out;
}

/** The largest magnitude of both parts of a spectrum. */
function largest(re: ArrayLike<number>, im: ArrayLike<number>): number {
  let max = 0;
  for (let k = 0; k < re.length; k++) max = Math.max(max, Math.abs(re[k]), Math.abs(im[k]));
  return max;
}

/** Within `tolerance` times the largest magnitude of the whole spectrum (both parts). */
function assertNear(actual: ArrayLike<number>, expected: ArrayLike<number>, count: number, what: string, scale: number, tolerance = 1e-11): void {
  for (let k = 0; k < count; k++) {
    assert.ok(Math.abs(actual[k] - expected[k]) <= tolerance * scale, `${what}[${k}]: ${actual[k]} vs ${expected[k]}`);
  }
}

const implementations: Array<{ name: string; make: (size: number) => FftPlan; sizes: number[] }> = [
  { name: "fft.js plan", make: (size) => new FftJsPlan(size), sizes: [2, 4, 8, 64, 512] },
  { name: "WebAssembly plan", make: (size) => new WasmFftPlan(size), sizes: [16, 32, 64, 512] },
];

for (const { name, make, sizes } of implementations) {
  describe(`${name} against the DFT`, () => {
    for (const size of sizes) {
      it(`real forward transform of ${size} samples gives bins 0..${size / 2}`, () => {
        const x = recording.slice(1000, 1000 + size);
        const expected = dft(x, new Float64Array(size), -1);
        const re = new Float64Array(size / 2 + 1);
        const im = new Float64Array(size / 2 + 1);
        make(size).realForward(x, re, im);
        const scale = largest(expected.re, expected.im);
        assertNear(re, expected.re, size / 2 + 1, "re", scale);
        assertNear(im, expected.im, size / 2 + 1, "im", scale);
      });
    }

    for (const size of [16, 256]) {
      it(`inverse complex transform of ${size} points with 1/n scaling`, () => {
        const re = recording.slice(0, size);
        const im = recording.slice(size, 2 * size);
        const expected = dft(re, im, 1);
        const outRe = new Float64Array(size);
        const outIm = new Float64Array(size);
        make(size).complexInverse(re, im, outRe, outIm);
        const scale = largest(expected.re, expected.im);
        assertNear(outRe.map((v) => v * size), expected.re, size, "re", scale);
        assertNear(outIm.map((v) => v * size), expected.im, size, "im", scale);
      });
    }
  });
}

describe("WebAssembly plan against fft.js on CWRU windows", () => {
  for (let size = 256; size <= 16384; size *= 2) {
    it(`${size} points: forward and inverse within 1e-12 of the largest magnitude`, () => {
      const reference = new FftJsPlan(size);
      const plan = new WasmFftPlan(size);
      for (const [signal, offset] of [[recording, 0], [innerRace, 20000]] as const) {
        const bins = () => new Float64Array(size / 2 + 1);
        const [expectedRe, expectedIm, re, im] = [bins(), bins(), bins(), bins()];
        reference.realForward(signal, expectedRe, expectedIm, offset);
        plan.realForward(signal, re, im, offset);
        let scale = largest(expectedRe, expectedIm);
        assertNear(re, expectedRe, size / 2 + 1, `forward ${size} re`, scale, 1e-12);
        assertNear(im, expectedIm, size / 2 + 1, `forward ${size} im`, scale, 1e-12);

        const inRe = signal.subarray(offset, offset + size);
        const inIm = signal.subarray(offset + size, offset + 2 * size);
        const points = () => new Float64Array(size);
        const [expectedOutRe, expectedOutIm, outRe, outIm] = [points(), points(), points(), points()];
        reference.complexInverse(inRe, inIm, expectedOutRe, expectedOutIm);
        plan.complexInverse(inRe, inIm, outRe, outIm);
        scale = largest(expectedOutRe, expectedOutIm);
        assertNear(outRe, expectedOutRe, size, `inverse ${size} re`, scale, 1e-12);
        assertNear(outIm, expectedOutIm, size, `inverse ${size} im`, scale, 1e-12);
      }
    });
  }

  it("a plan's transforms do not disturb each other (buffers reused)", () => {
    const plan = new WasmFftPlan(1024);
    const [re1, im1, re2, im2] = [0, 0, 0, 0].map(() => new Float64Array(513));
    plan.realForward(recording, re1, im1, 3000);
    plan.complexInverse(recording.subarray(0, 1024), recording.subarray(1024, 2048), new Float64Array(1024), new Float64Array(1024));
    plan.input.set(recording.subarray(3000, 4024));
    plan.realForward(plan.input, re2, im2);
    assert.deepEqual(re1, re2);
    assert.deepEqual(im1, im2);
  });
});

describe("FFT plans for the features", () => {
  it("the WebAssembly kernel from 16 points up, fft.js below", () => {
    assert.ok(wasmFftAvailable(), "this Node.js runs the kernel");
    assert.ok(fftPlan(16) instanceof WasmFftPlan);
    assert.ok(fftPlan(4096) instanceof WasmFftPlan);
    assert.ok(fftPlan(8) instanceof FftJsPlan);
    assert.equal(fftPlan(4096), fftPlan(4096), "one plan per size");
  });

  it("reads from an offset, as from a plain array", () => {
    const plan = fftPlan(256);
    const [re1, im1, re2, im2] = [0, 0, 0, 0].map(() => new Float64Array(129));
    plan.realForward(recording, re1, im1, 5000);
    plan.realForward(Array.from(recording.subarray(5000, 5256)), re2, im2);
    assert.deepEqual(re1, re2);
    assert.deepEqual(im1, im2);
  });

  it("refuses a size that is not a power of two", () => {
    assert.throws(() => fftPlan(1000), /FFT size: expected a power of two >= 2, got 1000/);
    assert.throws(() => new FftJsPlan(1000), /FFT size: expected a power of two >= 2, got 1000/);
    assert.throws(() => new WasmFftPlan(1000), /WebAssembly FFT size: expected a power of two >= 16, got 1000/);
    assert.throws(() => new WasmFftPlan(8), /WebAssembly FFT size: expected a power of two >= 16, got 8/);
  });
});
