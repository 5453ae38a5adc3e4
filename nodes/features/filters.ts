/**
 * Butterworth filters as second-order sections, the way scipy.signal designs and runs
 * them: analog prototype, pre-warped bilinear transform, `sosfilt` (transposed direct
 * form II) and `sosfiltfilt` (forward-backward with odd padding and steady-state initial
 * conditions), plus decimation with an anti-alias low-pass.
 * Outputs match scipy.signal.butter(..., output="sos") + sosfilt/sosfiltfilt to ~1e-12.
 */

export const FILTER_KINDS = ["lowpass", "highpass", "bandpass"] as const;
export type FilterKind = (typeof FILTER_KINDS)[number];

export interface ButterworthSpec {
  kind: FilterKind;
  /** Prototype order (a band-pass of order N has N sections and 2N poles, as in scipy). */
  order: number;
  /** One cut-off in Hz for low/high-pass, [low, high] for band-pass. */
  cutoffHz: number | readonly [number, number];
  fs: number;
}

export const MAX_FILTER_ORDER = 10;

/** Second-order sections: section s is b0 b1 b2 a1 a2 at [5s .. 5s+4] (a0 = 1). */
export class SosFilter {
  readonly sections: number;
  readonly coefficients: Float64Array;
  /** Steady-state state (z1, z2 per section) for a unit step input, as scipy's sosfilt_zi. */
  readonly unitStepState: Float64Array;
  /** scipy's default sosfiltfilt padding length for this filter. */
  readonly padLength: number;
  private readonly state: Float64Array;

  constructor(coefficients: Float64Array) {
    this.sections = coefficients.length / 5;
    this.coefficients = coefficients;
    this.state = new Float64Array(2 * this.sections);
    this.unitStepState = new Float64Array(2 * this.sections);
    let scale = 1;
    let trailingZeroB = 0;
    let trailingZeroA = 0;
    for (let s = 0; s < this.sections; s++) {
      const [b0, b1, b2, a1, a2] = coefficients.subarray(5 * s, 5 * s + 5);
      const dcGain = (b0 + b1 + b2) / (1 + a1 + a2);
      const z2 = b2 - a2 * dcGain;
      this.unitStepState[2 * s] = scale * (b1 - a1 * dcGain + z2);
      this.unitStepState[2 * s + 1] = scale * z2;
      scale *= dcGain;
      if (b2 === 0) trailingZeroB++;
      if (a2 === 0) trailingZeroA++;
    }
    this.padLength = 3 * (2 * this.sections + 1 - Math.min(trailingZeroB, trailingZeroA));
  }

  /**
   * Filter x[0..n) into y[0..n) (may be the same array), causal. The state starts at
   * rest, or at `initialScale` times the unit-step steady state (sosfilt with zi).
   */
  run(x: ArrayLike<number>, y: Float64Array, n = x.length, initialScale?: number): void {
    const c = this.coefficients;
    if (y !== x) for (let i = 0; i < n; i++) y[i] = x[i];
    for (let s = 0; s < this.sections; s++) {
      const b0 = c[5 * s];
      const b1 = c[5 * s + 1];
      const b2 = c[5 * s + 2];
      const a1 = c[5 * s + 3];
      const a2 = c[5 * s + 4];
      let z1 = initialScale === undefined ? 0 : initialScale * this.unitStepState[2 * s];
      let z2 = initialScale === undefined ? 0 : initialScale * this.unitStepState[2 * s + 1];
      for (let i = 0; i < n; i++) {
        const v = y[i];
        const out = b0 * v + z1;
        z1 = b1 * v - a1 * out + z2;
        z2 = b2 * v - a2 * out;
        y[i] = out;
      }
      this.state[2 * s] = z1;
      this.state[2 * s + 1] = z2;
    }
  }

  /**
   * Zero-phase filtering as scipy.signal.sosfiltfilt with its defaults (odd extension of
   * padLength samples at each end). `work` must hold n + 2 * padLength numbers.
   */
  runZeroPhase(x: ArrayLike<number>, y: Float64Array, work: Float64Array, n = x.length): void {
    const pad = this.padLength;
    if (n <= pad) throw new Error(`zero-phase filter: the signal must be longer than ${pad} samples (3 per filter order and section), got ${n}`);
    const m = n + 2 * pad;
    if (work.length < m) throw new Error(`zero-phase filter: work buffer of ${work.length} < ${m}`);
    const first = x[0];
    const last = x[n - 1];
    for (let i = 0; i < pad; i++) work[i] = 2 * first - x[pad - i];
    for (let i = 0; i < n; i++) work[pad + i] = x[i];
    for (let i = 0; i < pad; i++) work[pad + n + i] = 2 * last - x[n - 2 - i];
    this.run(work, work, m, work[0]);
    reverse(work, m);
    this.run(work, work, m, work[0]);
    for (let i = 0; i < n; i++) y[i] = work[m - 1 - pad - i];
  }
}

function reverse(a: Float64Array, n: number): void {
  for (let i = 0, j = n - 1; i < j; i++, j--) {
    const t = a[i];
    a[i] = a[j];
    a[j] = t;
  }
}

/** Check a filter spec against the sample rate; the error names the setting. */
export function checkButterworthSpec(spec: ButterworthSpec, what: string): void {
  const nyquist = spec.fs / 2;
  if (!Number.isInteger(spec.order) || spec.order < 1 || spec.order > MAX_FILTER_ORDER) {
    throw new Error(`${what}: order must be an integer from 1 to ${MAX_FILTER_ORDER}, got ${spec.order}`);
  }
  const [low, high] = typeof spec.cutoffHz === "number" ? [spec.cutoffHz, spec.cutoffHz] : spec.cutoffHz;
  if (!(low > 0 && high < nyquist && low <= high) || (spec.kind === "bandpass" && !(low < high))) {
    const text = spec.kind === "bandpass" ? `${low}-${high} Hz` : `${low} Hz`;
    const rule = spec.kind === "bandpass" ? "0 < low < high < fs/2" : "0 < cut-off < fs/2";
    throw new Error(`${what}: expected ${rule} (fs/2 = ${nyquist} Hz), got ${text}`);
  }
}

type Complex = [number, number];
const mul = (a: Complex, b: Complex): Complex => [a[0] * b[0] - a[1] * b[1], a[0] * b[1] + a[1] * b[0]];
const div = (a: Complex, b: Complex): Complex => {
  const d = b[0] * b[0] + b[1] * b[1];
  return [(a[0] * b[0] + a[1] * b[1]) / d, (a[1] * b[0] - a[0] * b[1]) / d];
};
function sqrt(a: Complex): Complex {
  const r = Math.hypot(a[0], a[1]);
  const re = Math.sqrt((r + a[0]) / 2);
  const im = Math.sqrt(Math.max(0, (r - a[0]) / 2));
  return [re, a[1] < 0 ? -im : im];
}

/**
 * Design a digital Butterworth filter (scipy.signal.butter(order, cutoff, kind, fs=fs,
 * output="sos") up to section order and gain split: the same transfer function).
 * Each section is normalised to unit gain in the pass band (DC, Nyquist or the centre).
 */
export function butterworth(spec: ButterworthSpec): SosFilter {
  checkButterworthSpec(spec, `${spec.kind} filter`);
  const { kind, order, fs } = spec;
  const fs2 = 2 * fs;
  const warp = (hz: number) => fs2 * Math.tan((Math.PI * hz) / fs);
  const bilinear = (s: Complex): Complex => div([fs2 + s[0], s[1]], [fs2 - s[0], -s[1]]);
  // Prototype poles in the upper half plane (and the real pole for odd orders).
  const prototype: Complex[] = [];
  for (let k = 0; k < Math.ceil(order / 2); k++) {
    const theta = Math.PI / 2 + (Math.PI * (2 * k + 1)) / (2 * order);
    prototype.push([Math.cos(theta), Math.abs(Math.sin(theta)) < 1e-15 ? 0 : Math.sin(theta)]);
  }
  // Digital pole pairs (each pair is conjugate or two reals) and each section's numerator.
  const pairs: Array<{ poles: [Complex, Complex]; single: boolean }> = [];
  let numerator: (single: boolean) => [number, number, number];
  let reference: Complex; // z where the gain is normalised to 1
  if (kind === "bandpass") {
    const [lowHz, highHz] = spec.cutoffHz as readonly [number, number];
    const w1 = warp(lowHz);
    const w2 = warp(highHz);
    const bandwidth = w2 - w1;
    const w0squared = w1 * w2;
    for (const p of prototype) {
      const q: Complex = [(p[0] * bandwidth) / 2, (p[1] * bandwidth) / 2];
      const q2 = mul(q, q);
      const d = sqrt([q2[0] - w0squared, q2[1]]);
      const s1 = bilinear([q[0] + d[0], q[1] + d[1]]);
      const s2 = bilinear([q[0] - d[0], q[1] - d[1]]);
      if (p[1] === 0) pairs.push({ poles: [s1, s2], single: false });
      else {
        pairs.push({ poles: [s1, [s1[0], -s1[1]]], single: false });
        pairs.push({ poles: [s2, [s2[0], -s2[1]]], single: false });
      }
    }
    numerator = () => [1, 0, -1];
    const theta0 = 2 * Math.atan(Math.sqrt(w0squared) / fs2);
    reference = [Math.cos(theta0), Math.sin(theta0)];
  } else {
    const wc = warp(spec.cutoffHz as number);
    const lowpass = kind === "lowpass";
    for (const p of prototype) {
      const s: Complex = lowpass ? [wc * p[0], wc * p[1]] : div([wc, 0], p);
      const z = bilinear(s);
      // The real pole of an odd order makes a first-order section.
      pairs.push(p[1] === 0 ? { poles: [z, [0, 0]], single: true } : { poles: [z, [z[0], -z[1]]], single: false });
    }
    const sign = lowpass ? 1 : -1;
    numerator = (single) => (single ? [1, sign, 0] : [1, 2 * sign, 1]);
    reference = lowpass ? [1, 0] : [-1, 0];
  }
  const coefficients = new Float64Array(5 * pairs.length);
  pairs.forEach(({ poles: [z1, z2], single }, s) => {
    const a1 = -(z1[0] + z2[0]);
    const a2 = single ? 0 : mul(z1, z2)[0];
    const [b0, b1, b2] = numerator(single);
    // |B(z)/A(z)| at the reference point, with polynomials in 1/z.
    const inv = div([1, 0], reference);
    const inv2 = mul(inv, inv);
    const poly = (c0: number, c1: number, c2: number): number =>
      Math.hypot(c0 + c1 * inv[0] + c2 * inv2[0], c1 * inv[1] + c2 * inv2[1]);
    const gain = poly(1, a1, a2) / poly(b0, b1, b2);
    coefficients.set([gain * b0, gain * b1, gain * b2, a1, a2], 5 * s);
  });
  return new SosFilter(coefficients);
}

/** Anti-alias filter of `decimate`: order-8 Butterworth at 80 % of the new Nyquist frequency. */
export function antiAliasFilter(factor: number, fs: number): SosFilter {
  return butterworth({ kind: "lowpass", order: 8, cutoffHz: (0.8 * fs) / 2 / factor, fs });
}

/**
 * Decimate x[0..n) by an integer factor: zero-phase anti-alias low-pass, then every
 * factor-th sample from the first (scipy: sosfiltfilt(butter(8, 0.8/q, output="sos"), x)[::q]).
 * Writes ceil(n / factor) samples into `y` and returns that count. `filtered` holds n and
 * `work` n + 2 * padLength numbers.
 */
export function decimate(
  x: ArrayLike<number>,
  factor: number,
  filter: SosFilter,
  y: Float64Array,
  filtered: Float64Array,
  work: Float64Array,
  n = x.length,
): number {
  filter.runZeroPhase(x, filtered, work, n);
  let m = 0;
  for (let i = 0; i < n; i += factor) y[m++] = filtered[i];
  return m;
}
