/**
 * FFT plans: one object per transform size holding fft.js's twiddle tables and the
 * interleaved work buffers, so a window costs no allocation. Plans are cached by size
 * (`fftPlan(n)`), and a node keeps using the same plan for every window.
 */
import FFT from "fft.js";

export function isPowerOfTwo(n: number): boolean {
  return Number.isInteger(n) && n >= 2 && (n & (n - 1)) === 0;
}

/** The largest power of two <= n (n >= 2). */
export function floorPowerOfTwo(n: number): number {
  return 2 ** Math.floor(Math.log2(n));
}

export class FftPlan {
  readonly size: number;
  private readonly fft: FFT;
  /** Interleaved complex buffers (re, im, re, im, ...) of 2 * size numbers. */
  private readonly complexIn: Float64Array;
  private readonly complexOut: Float64Array;

  constructor(size: number) {
    if (!isPowerOfTwo(size)) throw new Error(`FFT size: expected a power of two >= 2, got ${size}`);
    this.size = size;
    this.fft = new FFT(size);
    this.complexIn = new Float64Array(2 * size);
    this.complexOut = new Float64Array(2 * size);
  }

  /**
   * Forward transform of `size` real samples read from `input` starting at `offset`:
   * writes bins 0..size/2 (numpy.fft.rfft) into `re` and `im`.
   */
  realForward(input: ArrayLike<number>, re: Float64Array, im: Float64Array, offset = 0): void {
    const n = this.size;
    const data = offset === 0 && input.length === n ? input : this.slice(input, offset);
    this.fft.realTransform(this.complexOut, data);
    const out = this.complexOut;
    for (let k = 0; k <= n / 2; k++) {
      re[k] = out[2 * k];
      im[k] = out[2 * k + 1];
    }
  }

  /** Inverse complex transform with 1/size scaling (numpy.fft.ifft): `re`/`im` in, `outRe`/`outIm` out. */
  complexInverse(re: Float64Array, im: Float64Array, outRe: Float64Array, outIm: Float64Array): void {
    const n = this.size;
    const input = this.complexIn;
    for (let k = 0; k < n; k++) {
      input[2 * k] = re[k];
      input[2 * k + 1] = im[k];
    }
    this.fft.inverseTransform(this.complexOut, input);
    const out = this.complexOut;
    for (let k = 0; k < n; k++) {
      outRe[k] = out[2 * k];
      outIm[k] = out[2 * k + 1];
    }
  }

  /** Copy `size` samples from `offset` into the (otherwise unused) first half of complexIn. */
  private slice(input: ArrayLike<number>, offset: number): Float64Array {
    const view = this.complexIn.subarray(0, this.size);
    for (let i = 0; i < this.size; i++) view[i] = input[offset + i];
    return view;
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
