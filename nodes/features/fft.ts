/**
 * FFT plans: one object per transform size holding twiddle and bit-reversal tables and
 * work buffers, so a window costs no allocation. Plans are cached by size (`fftPlan(n)`).
 *
 * The real transform packs the N real samples into N/2 complex ones, runs an iterative
 * radix-2 complex FFT of N/2 points on split re/im Float64Arrays and untangles the
 * result (the classic "two real FFTs for one" split). fft.js is the reference it is
 * tested against (test/features/fft.test.ts); the benchmark shows both.
 */

export function isPowerOfTwo(n: number): boolean {
  return Number.isInteger(n) && n >= 2 && (n & (n - 1)) === 0;
}

/** The largest power of two <= n (n >= 2). */
export function floorPowerOfTwo(n: number): number {
  return 2 ** Math.floor(Math.log2(n));
}

/**
 * Complex FFT of a power-of-two size on split arrays, forward (e^{-i...}): decimation
 * in time. The bit-reversal permutation and the first, twiddle-free pass (radix 2 when
 * log2(size) is odd, else radix 4) are done together while loading the input; then
 * radix-4 passes with three twiddle multiplications per four points.
 */
class ComplexFft {
  readonly size: number;
  /** reverse[m] is m with its log2(size) bits reversed. */
  private readonly reverse: Uint32Array;
  /** Radix of the first pass, merged into loading: 1 (size 1), 2 or 4. */
  private readonly firstRadix: number;
  /** The half-length h of each later radix-4 pass (times 4 from one to the next). */
  private readonly passes: number[] = [];
  /** Per pass and j < h: cos, sin of W^j, W^2j, W^3j with W = e^{-2 pi i / 4h}, six numbers each. */
  private readonly twiddles: Float64Array;
  private readonly twiddleOffsets: number[] = [];

  constructor(size: number) {
    this.size = size;
    const bits = Math.round(Math.log2(size));
    this.reverse = new Uint32Array(size);
    for (let m = 0; m < size; m++) {
      let r = 0;
      for (let b = 0; b < bits; b++) r |= ((m >> b) & 1) << (bits - 1 - b);
      this.reverse[m] = r;
    }
    this.firstRadix = size === 1 ? 1 : bits % 2 === 1 ? 2 : 4;
    let total = 0;
    for (let h = this.firstRadix; h < size; h *= 4) {
      this.passes.push(h);
      this.twiddleOffsets.push(total);
      total += 6 * h;
    }
    this.twiddles = new Float64Array(Math.max(1, total));
    this.passes.forEach((h, p) => {
      for (let j = 0; j < h; j++) {
        for (let k = 1; k <= 3; k++) {
          const angle = (-2 * Math.PI * k * j) / (4 * h);
          this.twiddles[this.twiddleOffsets[p] + 6 * j + 2 * (k - 1)] = Math.cos(angle);
          this.twiddles[this.twiddleOffsets[p] + 6 * j + 2 * (k - 1) + 1] = Math.sin(angle);
        }
      }
    });
  }

  /**
   * Load z[j] = (src[2j], src[2j+1]) for real samples packed as complex ones (`srcIm`
   * null), or z[j] = (srcRe[j], sign * srcIm[j]), into re/im with the first pass done.
   */
  load(re: Float64Array, im: Float64Array, srcRe: ArrayLike<number>, srcIm: ArrayLike<number> | null, offset: number, sign: number): void {
    const n = this.size;
    const rev = this.reverse;
    const packed = srcIm === null;
    const get = (j: number, imaginary: boolean): number =>
      packed ? srcRe[offset + 2 * j + (imaginary ? 1 : 0)] : imaginary ? sign * (srcIm as ArrayLike<number>)[j] : srcRe[j];
    if (this.firstRadix === 1) {
      re[0] = get(0, false);
      im[0] = get(0, true);
    } else if (this.firstRadix === 2) {
      const halfN = n >> 1;
      for (let k = 0; k < n; k += 2) {
        const a = rev[k];
        const b = a + halfN;
        const ar = get(a, false);
        const ai = get(a, true);
        const br = get(b, false);
        const bi = get(b, true);
        re[k] = ar + br;
        im[k] = ai + bi;
        re[k + 1] = ar - br;
        im[k + 1] = ai - bi;
      }
    } else {
      const quarter = n >> 2;
      for (let k = 0; k < n; k += 4) {
        // bit-reversed positions k, k+1, k+2, k+3 hold the inputs a, a + n/2, a + n/4, a + 3n/4
        const a = rev[k];
        const x0r = get(a, false);
        const x0i = get(a, true);
        const x1r = get(a + 2 * quarter, false);
        const x1i = get(a + 2 * quarter, true);
        const x2r = get(a + quarter, false);
        const x2i = get(a + quarter, true);
        const x3r = get(a + 3 * quarter, false);
        const x3i = get(a + 3 * quarter, true);
        const ar = x0r + x1r;
        const ai = x0i + x1i;
        const br = x0r - x1r;
        const bi = x0i - x1i;
        const cr = x2r + x3r;
        const ci = x2i + x3i;
        const dr = x2i - x3i;
        const di = x3r - x2r;
        re[k] = ar + cr;
        im[k] = ai + ci;
        re[k + 2] = ar - cr;
        im[k + 2] = ai - ci;
        re[k + 1] = br + dr;
        im[k + 1] = bi + di;
        re[k + 3] = br - dr;
        im[k + 3] = bi - di;
      }
    }
  }

  /** The remaining passes, in place, after `load`. */
  run(re: Float64Array, im: Float64Array): void {
    const n = this.size;
    const tw = this.twiddles;
    for (let p = 0; p < this.passes.length; p++) {
      const h = this.passes[p];
      const base = this.twiddleOffsets[p];
      for (let start = 0; start < n; start += 4 * h) {
        for (let j = 0, t = base; j < h; j++, t += 6) {
          const i0 = start + j;
          const i1 = i0 + h;
          const i2 = i1 + h;
          const i3 = i2 + h;
          // In bit-reversed order x1 (at i1) carries W^2j, x2 (at i2) W^j, x3 (at i3) W^3j.
          const c1 = tw[t];
          const s1 = tw[t + 1];
          const c2 = tw[t + 2];
          const s2 = tw[t + 3];
          const c3 = tw[t + 4];
          const s3 = tw[t + 5];
          const x1r = re[i1];
          const x1i = im[i1];
          const x2r = re[i2];
          const x2i = im[i2];
          const x3r = re[i3];
          const x3i = im[i3];
          const p1r = c2 * x1r - s2 * x1i;
          const p1i = c2 * x1i + s2 * x1r;
          const p2r = c1 * x2r - s1 * x2i;
          const p2i = c1 * x2i + s1 * x2r;
          const p3r = c3 * x3r - s3 * x3i;
          const p3i = c3 * x3i + s3 * x3r;
          const x0r = re[i0];
          const x0i = im[i0];
          const ar = x0r + p1r;
          const ai = x0i + p1i;
          const br = x0r - p1r;
          const bi = x0i - p1i;
          const cr = p2r + p3r;
          const ci = p2i + p3i;
          // -i (p2 - p3)
          const dr = p2i - p3i;
          const di = p3r - p2r;
          re[i0] = ar + cr;
          im[i0] = ai + ci;
          re[i2] = ar - cr;
          im[i2] = ai - ci;
          re[i1] = br + dr;
          im[i1] = bi + di;
          re[i3] = br - dr;
          im[i3] = bi - di;
        }
      }
    }
  }
}

export class FftPlan {
  readonly size: number;
  private readonly half: ComplexFft;
  private full?: ComplexFft;
  /** e^{-2 pi i k / size} for k = 0..size/2, to untangle the packed transform. */
  private readonly splitCos: Float64Array;
  private readonly splitSin: Float64Array;
  private readonly workRe: Float64Array;
  private readonly workIm: Float64Array;

  constructor(size: number) {
    if (!isPowerOfTwo(size)) throw new Error(`FFT size: expected a power of two >= 2, got ${size}`);
    this.size = size;
    const m = size / 2;
    this.half = new ComplexFft(m);
    this.splitCos = new Float64Array(m + 1);
    this.splitSin = new Float64Array(m + 1);
    for (let k = 0; k <= m; k++) {
      this.splitCos[k] = Math.cos((2 * Math.PI * k) / size);
      this.splitSin[k] = -Math.sin((2 * Math.PI * k) / size);
    }
    this.workRe = new Float64Array(size);
    this.workIm = new Float64Array(size);
  }

  /**
   * Forward transform of `size` real samples read from `input` starting at `offset`:
   * writes bins 0..size/2 (numpy.fft.rfft) into `re` and `im`.
   */
  realForward(input: ArrayLike<number>, re: Float64Array, im: Float64Array, offset = 0): void {
    const m = this.size / 2;
    const zr = this.workRe;
    const zi = this.workIm;
    this.half.load(zr, zi, input, null, offset, 1);
    this.half.run(zr, zi);
    // X[k] = E[k] + W^k O[k], with E = (Z[k] + conj Z[m-k]) / 2 and O = (Z[k] - conj Z[m-k]) / 2i.
    re[0] = zr[0] + zi[0];
    im[0] = 0;
    re[m] = zr[0] - zi[0];
    im[m] = 0;
    const cos = this.splitCos;
    const sin = this.splitSin;
    for (let k = 1; k < m; k++) {
      const ar = zr[k];
      const ai = zi[k];
      const br = zr[m - k];
      const bi = -zi[m - k];
      const er = 0.5 * (ar + br);
      const ei = 0.5 * (ai + bi);
      const or = 0.5 * (ai - bi);
      const oi = -0.5 * (ar - br);
      re[k] = er + cos[k] * or - sin[k] * oi;
      im[k] = ei + cos[k] * oi + sin[k] * or;
    }
  }

  /** Inverse complex transform with 1/size scaling (numpy.fft.ifft): `re`/`im` in, `outRe`/`outIm` out. */
  complexInverse(re: Float64Array, im: Float64Array, outRe: Float64Array, outIm: Float64Array): void {
    const n = this.size;
    const full = (this.full ??= new ComplexFft(n));
    // ifft(X) = conj(fft(conj(X))) / n
    full.load(outRe, outIm, re, im, 0, -1);
    full.run(outRe, outIm);
    const scale = 1 / n;
    for (let k = 0; k < n; k++) {
      outRe[k] *= scale;
      outIm[k] = -outIm[k] * scale;
    }
  }
}

const plans = new Map<number, FftPlan>();

/** The shared plan for one transform size (plans hold no per-call state between calls). */
export function fftPlan(size: number): FftPlan {
  let plan = plans.get(size);
  if (!plan) {
    plan = new FftPlan(size);
    plans.set(size, plan);
  }
  return plan;
}
