/** The core's FFT plan against fft.js, the reference it replaces in the hot path. */
import { strict as assert } from "node:assert";
import * as path from "node:path";
import FFT from "fft.js";
import { FftPlan } from "../../nodes/features/fft";
import { readSignalColumn } from "../../nodes/ingest/recordings";
import { repoRoot } from "../helpers/runtime";

const recording = readSignalColumn(path.join(repoRoot, "data", "cwru", "12k_OR021at6_0_234.csv"));

function maxAbs(a: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]));
  return m;
}

describe("FFT plan against fft.js", () => {
  for (const size of [2, 4, 8, 64, 1024, 4096, 65536]) {
    it(`real forward transform of ${size} real samples`, () => {
      const x = Array.from(recording.subarray(1000, 1000 + size));
      const reference = new FFT(size);
      const expected = reference.createComplexArray() as number[];
      reference.realTransform(expected, x);
      const re = new Float64Array(size / 2 + 1);
      const im = new Float64Array(size / 2 + 1);
      new FftPlan(size).realForward(x, re, im);
      const scale = maxAbs(expected);
      for (let k = 0; k <= size / 2; k++) {
        assert.ok(Math.abs(re[k] - expected[2 * k]) <= 1e-12 * scale, `re[${k}] ${re[k]} vs ${expected[2 * k]}`);
        assert.ok(Math.abs(im[k] - expected[2 * k + 1]) <= 1e-12 * scale, `im[${k}] ${im[k]} vs ${expected[2 * k + 1]}`);
      }
    });
  }

  it("reads from an offset without copying the caller's window", () => {
    const plan = new FftPlan(256);
    const [re1, im1, re2, im2] = [0, 0, 0, 0].map(() => new Float64Array(129));
    plan.realForward(recording, re1, im1, 5000);
    plan.realForward(recording.slice(5000, 5256), re2, im2);
    assert.deepEqual(re1, re2);
    assert.deepEqual(im1, im2);
  });

  it("inverse complex transform with 1/n scaling", () => {
    const size = 2048;
    const re = recording.slice(0, size);
    const im = recording.slice(size, 2 * size);
    const reference = new FFT(size);
    const interleaved = new Array<number>(2 * size);
    for (let k = 0; k < size; k++) {
      interleaved[2 * k] = re[k];
      interleaved[2 * k + 1] = im[k];
    }
    const expected = reference.createComplexArray() as number[];
    reference.inverseTransform(expected, interleaved);
    const outRe = new Float64Array(size);
    const outIm = new Float64Array(size);
    new FftPlan(size).complexInverse(re, im, outRe, outIm);
    const scale = maxAbs(expected);
    for (let k = 0; k < size; k++) {
      assert.ok(Math.abs(outRe[k] - expected[2 * k]) <= 1e-12 * scale, `re[${k}]`);
      assert.ok(Math.abs(outIm[k] - expected[2 * k + 1]) <= 1e-12 * scale, `im[${k}]`);
    }
  });
});
