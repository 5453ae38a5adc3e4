/**
 * Envelope analysis for rolling-element bearings (Randall & Antoni 2011, section 3):
 * band-pass around a structural resonance, Hilbert envelope via the analytic signal, and
 * the envelope's amplitude spectrum, where defect impacts show up as lines at the defect
 * frequencies.
 */
import { FftPlan } from "./fft";

/** Buffers for the analytic signal of one transform size. */
export class HilbertEnvelope {
  private readonly plan: FftPlan;
  private readonly re: Float64Array;
  private readonly im: Float64Array;
  private readonly analyticRe: Float64Array;
  private readonly analyticIm: Float64Array;

  constructor(plan: FftPlan) {
    this.plan = plan;
    const n = plan.size;
    this.re = new Float64Array(n);
    this.im = new Float64Array(n);
    this.analyticRe = new Float64Array(n);
    this.analyticIm = new Float64Array(n);
  }

  /**
   * |analytic signal| of x[0..size) into `out` (as numpy.abs(scipy.signal.hilbert(x))):
   * the spectrum's negative frequencies are zeroed, positive ones doubled.
   */
  compute(x: ArrayLike<number>, out: Float64Array): void {
    const n = this.plan.size;
    const half = n / 2;
    const { re, im } = this;
    this.plan.realForward(x, re, im);
    for (let k = 1; k < half; k++) {
      re[k] *= 2;
      im[k] *= 2;
    }
    re.fill(0, half + 1);
    im.fill(0, half + 1);
    this.plan.complexInverse(re, im, this.analyticRe, this.analyticIm);
    const { analyticRe, analyticIm } = this;
    // sqrt(re^2 + im^2), not Math.hypot: hypot guards against overflow that a sample
    // cannot reach and is several times slower in V8.
    for (let i = 0; i < n; i++) out[i] = Math.sqrt(analyticRe[i] * analyticRe[i] + analyticIm[i] * analyticIm[i]);
  }
}
