/** The FFT plan (fft.js underneath) against the DFT written out, on real samples. */
import { strict as assert } from "node:assert";
import * as path from "node:path";
import { FftPlan, fftPlan } from "../../nodes/features/fft";
import { readSignalColumn } from "../../nodes/ingest/recordings";
import { repoRoot } from "../helpers/runtime";

const recording = readSignalColumn(path.join(repoRoot, "data", "cwru", "12k_OR021at6_0_234.csv"));

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

/** Within 1e-11 of the largest magnitude of the whole spectrum (both parts). */
function assertNear(actual: ArrayLike<number>, expected: ArrayLike<number>, count: number, what: string, scale: number): void {
  for (let k = 0; k < count; k++) {
    assert.ok(Math.abs(actual[k] - expected[k]) <= 1e-11 * scale, `${what}[${k}]: ${actual[k]} vs ${expected[k]}`);
  }
}

describe("FFT plan against the DFT", () => {
  for (const size of [2, 4, 8, 64, 512]) {
    it(`real forward transform of ${size} samples gives bins 0..${size / 2}`, () => {
      const x = recording.slice(1000, 1000 + size);
      const expected = dft(x, new Float64Array(size), -1);
      const re = new Float64Array(size / 2 + 1);
      const im = new Float64Array(size / 2 + 1);
      new FftPlan(size).realForward(x, re, im);
      const scale = Math.max(...expected.re.map(Math.abs), ...expected.im.map(Math.abs));
      assertNear(re, expected.re, size / 2 + 1, "re", scale);
      assertNear(im, expected.im, size / 2 + 1, "im", scale);
    });
  }

  it("reads from an offset, as from a plain array", () => {
    const plan = fftPlan(256);
    const [re1, im1, re2, im2] = [0, 0, 0, 0].map(() => new Float64Array(129));
    plan.realForward(recording, re1, im1, 5000);
    plan.realForward(Array.from(recording.subarray(5000, 5256)), re2, im2);
    assert.deepEqual(re1, re2);
    assert.deepEqual(im1, im2);
  });

  it("inverse complex transform with 1/n scaling", () => {
    const size = 256;
    const re = recording.slice(0, size);
    const im = recording.slice(size, 2 * size);
    const expected = dft(re, im, 1);
    const outRe = new Float64Array(size);
    const outIm = new Float64Array(size);
    new FftPlan(size).complexInverse(re, im, outRe, outIm);
    const scale = Math.max(...expected.re.map(Math.abs), ...expected.im.map(Math.abs));
    assertNear(outRe.map((v) => v * size), expected.re, size, "re", scale);
    assertNear(outIm.map((v) => v * size), expected.im, size, "im", scale);
  });

  it("refuses a size that is not a power of two", () => {
    assert.throws(() => new FftPlan(1000), /FFT size: expected a power of two >= 2, got 1000/);
  });
});
