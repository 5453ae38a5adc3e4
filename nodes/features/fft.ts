/**
 * FFT plans: one object per transform size holding its twiddle tables and work buffers,
 * so a window costs no allocation. Plans are cached by size (`fftPlan(n)`).
 *
 * The features use the WebAssembly kernel (wasm-fft.ts, about 2.3x faster than fft.js
 * in bench/features.bench.ts) from 16 points up. fft.js serves below that, where the
 * kernel's vector loops do not fit, and wherever this Node.js cannot run WebAssembly.
 * fft.js also stays as the reference the kernel is tested against. A radix-4 TypeScript
 * kernel was tried (git history) and measured slower than fft.js.
 */
import FFT from "fft.js";
import { WasmFftPlan, wasmFftAvailable } from "./wasm-fft";

export function isPowerOfTwo(n: number): boolean {
  return Number.isInteger(n) && n >= 2 && (n & (n - 1)) === 0;
}

/** The largest power of two <= n (n >= 2). */
export function floorPowerOfTwo(n: number): number {
  return 2 ** Math.floor(Math.log2(n));
}

export interface FftPlan {
  readonly size: number;
  /**
   * The plan's own input array: a caller that writes its samples here (e.g. windowed)
   * and passes it to realForward saves a copy.
   */
  readonly input: number[] | Float64Array;
  /**
   * Forward transform of `size` real samples read from `input` starting at `offset`:
   * writes bins 0..size/2 (numpy.fft.rfft) into `re` and `im`.
   */
  realForward(input: ArrayLike<number>, re: Float64Array, im: Float64Array, offset?: number): void;
  /** Inverse complex transform with 1/size scaling (numpy.fft.ifft): `re`/`im` in, `outRe`/`outIm` out. */
  complexInverse(re: Float64Array, im: Float64Array, outRe: Float64Array, outIm: Float64Array): void;
}

/**
 * The plan on fft.js. fft.js runs fastest when it always sees plain arrays of doubles
 * (one hidden class for V8), so the plan copies its input into its own arrays.
 */
export class FftJsPlan implements FftPlan {
  readonly size: number;
  readonly input: number[];
  private readonly fft: FFT;
  /** Interleaved complex buffers (re, im, re, im, ...) of 2 * size numbers. */
  private readonly complexIn: number[];
  private readonly complexOut: number[];

  constructor(size: number) {
    if (!isPowerOfTwo(size)) throw new Error(`FFT size: expected a power of two >= 2, got ${size}`);
    this.size = size;
    this.fft = new FFT(size);
    this.input = new Array<number>(size).fill(0);
    this.complexIn = this.fft.createComplexArray() as number[];
    this.complexOut = this.fft.createComplexArray() as number[];
  }

  realForward(input: ArrayLike<number>, re: Float64Array, im: Float64Array, offset = 0): void {
    const n = this.size;
    const data = this.input;
    if (input !== data || offset !== 0) for (let i = 0; i < n; i++) data[i] = input[offset + i];
    this.fft.realTransform(this.complexOut, data);
    const out = this.complexOut;
    for (let k = 0; k <= n / 2; k++) {
      re[k] = out[2 * k];
      im[k] = out[2 * k + 1];
    }
  }

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
}

const plans = new Map<number, FftPlan>();

/** The shared plan for one transform size (plans hold no per-call state between calls). */
export function fftPlan(size: number): FftPlan {
  let plan = plans.get(size);
  if (!plan) {
    // FftJsPlan also reports a size that is not a power of two.
    const wasm = isPowerOfTwo(size) && size >= WasmFftPlan.MIN_SIZE && wasmFftAvailable();
    plan = wasm ? new WasmFftPlan(size) : new FftJsPlan(size);
    plans.set(size, plan);
  }
  return plan;
}
