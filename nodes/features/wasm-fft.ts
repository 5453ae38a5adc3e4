/**
 * FFT plans on the WebAssembly kernel in wasm/fft.c (f64x2 SIMD, double precision), with
 * the same interface as the fft.js plan. Checked against fft.js in test/features.
 *
 * Each plan has its own instance and linear memory, sized once at construction, so the
 * views onto it (the plan's `input` among them) never detach and a transform allocates
 * nothing. Twiddle tables are computed here with Math.cos/Math.sin (the kernel has no
 * libm) and written into that memory once.
 */
import type { FftPlan } from "./fft";
import { fftWasmBase64 } from "./wasm/fft-wasm";

/** The part of the WebAssembly JS API used here (tsconfig's lib has no WebAssembly types). */
interface WebAssemblyApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object) => { exports: unknown };
}

interface KernelExports {
  memory: { buffer: ArrayBuffer; grow(pages: number): number };
  __heap_base: { value: number };
  rfft(n: number, x: number, work: number, outRe: number, outIm: number, stageTable: number, splitTable: number): void;
  cifft(n: number, re: number, im: number, work: number, outRe: number, outIm: number, stageTable: number): void;
}

const webAssembly = (globalThis as { WebAssembly?: WebAssemblyApi }).WebAssembly;
const PAGE_BYTES = 65536;

let compiled: object | null | undefined;

/**
 * The kernel's module, compiled on first use, synchronously (a few kB) so that plans stay
 * synchronous; null where this Node.js cannot run it (e.g. `node --jitless`, which has no
 * WebAssembly, or an engine without SIMD128).
 */
function kernelModule(): object | null {
  if (compiled === undefined) {
    try {
      compiled = webAssembly ? new webAssembly.Module(Buffer.from(fftWasmBase64, "base64")) : null;
    } catch {
      compiled = null;
    }
  }
  return compiled;
}

/** Whether WebAssembly plans can be made here (fftPlan falls back to fft.js otherwise). */
export function wasmFftAvailable(): boolean {
  return kernelModule() !== null;
}

/**
 * The kernel's radix-4 twiddles for a complex FFT of `n` points: per stage of length
 * L = n, n/4, ... >= 4, six runs of L/4 doubles: re and im of exp(-2 pi i j p / L) for
 * j = 1, 2, 3 (see Twiddles in fft.c).
 */
function writeStageTable(n: number, table: Float64Array): void {
  let at = 0;
  for (let length = n; length >= 4; length /= 4) {
    const quarter = length / 4;
    for (let j = 1; j <= 3; j++) {
      for (let p = 0; p < quarter; p++) {
        const angle = (2 * Math.PI * j * p) / length;
        table[at + p] = Math.cos(angle);
        table[at + quarter + p] = -Math.sin(angle);
      }
      at += 2 * quarter;
    }
  }
}

/** Doubles in writeStageTable's table for `n` points. */
function stageTableLength(n: number): number {
  let count = 0;
  for (let length = n; length >= 4; length /= 4) count += 6 * (length / 4);
  return count;
}

export class WasmFftPlan implements FftPlan {
  /** The kernel's vector loops need at least 8 complex points, so 16 real samples. */
  static readonly MIN_SIZE = 16;

  readonly size: number;
  /**
   * The plan's input, in the kernel's memory: a caller that writes its samples here and
   * passes it to realForward saves a copy.
   */
  readonly input: Float64Array;
  private readonly kernel: KernelExports;
  /** Byte addresses in the kernel's memory. */
  private readonly at: {
    input: number;
    work: number;
    re: number;
    im: number;
    outRe: number;
    outIm: number;
    halfTable: number;
    splitTable: number;
    fullTable: number;
  };
  /** Views onto the kernel's memory: inverse input, output, and the forward bins 0..size/2 of the output. */
  private readonly re: Float64Array;
  private readonly im: Float64Array;
  private readonly outRe: Float64Array;
  private readonly outIm: Float64Array;
  private readonly binsRe: Float64Array;
  private readonly binsIm: Float64Array;

  constructor(size: number) {
    if (!Number.isInteger(size) || size < WasmFftPlan.MIN_SIZE || (size & (size - 1)) !== 0) {
      throw new Error(`WebAssembly FFT size: expected a power of two >= ${WasmFftPlan.MIN_SIZE}, got ${size}`);
    }
    this.size = size;
    const n = size;
    const module = kernelModule();
    if (!webAssembly || !module) throw new Error("WebAssembly FFT: this Node.js cannot run the kernel");
    this.kernel = new webAssembly.Instance(module).exports as KernelExports;
    // Lay out the buffers after the kernel's own data and stack, 16-byte aligned for the
    // f64x2 loads (every count below is even).
    let next = Math.ceil(this.kernel.__heap_base.value / 16) * 16;
    const take = (doubles: number): number => {
      const address = next;
      next += 8 * doubles;
      return address;
    };
    const halfTableLength = stageTableLength(n / 2);
    const fullTableLength = stageTableLength(n);
    this.at = {
      input: take(n),
      work: take(2 * n), // rfft: 4 * (n/2); cifft: 2n
      re: take(n),
      im: take(n),
      outRe: take(n),
      outIm: take(n),
      halfTable: take(halfTableLength),
      splitTable: take(2 * (n / 4 + 1)),
      fullTable: take(fullTableLength),
    };
    const memory = this.kernel.memory;
    const missing = next - memory.buffer.byteLength;
    if (missing > 0) memory.grow(Math.ceil(missing / PAGE_BYTES));
    const view = (address: number, doubles: number) => new Float64Array(memory.buffer, address, doubles);
    this.input = view(this.at.input, n);
    this.re = view(this.at.re, n);
    this.im = view(this.at.im, n);
    this.outRe = view(this.at.outRe, n);
    this.outIm = view(this.at.outIm, n);
    this.binsRe = this.outRe.subarray(0, n / 2 + 1);
    this.binsIm = this.outIm.subarray(0, n / 2 + 1);
    writeStageTable(n / 2, view(this.at.halfTable, halfTableLength));
    writeStageTable(n, view(this.at.fullTable, fullTableLength));
    // The real FFT's split step: W^k = exp(-2 pi i k / n), k = 0..n/4, re then im.
    const split = view(this.at.splitTable, 2 * (n / 4 + 1));
    for (let k = 0; k <= n / 4; k++) {
      split[k] = Math.cos((2 * Math.PI * k) / n);
      split[n / 4 + 1 + k] = -Math.sin((2 * Math.PI * k) / n);
    }
  }

  realForward(input: ArrayLike<number>, re: Float64Array, im: Float64Array, offset = 0): void {
    const n = this.size;
    const data = this.input;
    if (input !== data || offset !== 0) for (let i = 0; i < n; i++) data[i] = input[offset + i];
    const { at } = this;
    this.kernel.rfft(n, at.input, at.work, at.outRe, at.outIm, at.halfTable, at.splitTable);
    re.set(this.binsRe);
    im.set(this.binsIm);
  }

  complexInverse(re: Float64Array, im: Float64Array, outRe: Float64Array, outIm: Float64Array): void {
    const n = this.size;
    this.re.set(re.subarray(0, n));
    this.im.set(im.subarray(0, n));
    const { at } = this;
    this.kernel.cifft(n, at.re, at.im, at.work, at.outRe, at.outIm, at.fullTable);
    outRe.set(this.outRe);
    outIm.set(this.outIm);
  }
}
