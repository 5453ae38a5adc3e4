/**
 * Degradation models that need no training data, after MATLAB's linearDegradationModel and
 * exponentialDegradationModel: a signal that grows towards a failure threshold,
 *
 *   linear:       y(t) = a + b t + e
 *   exponential:  y(t) = phi + exp(a + b t + e)      (i.e. log(y - phi) is linear in t)
 *
 * with a Gaussian prior on (a, b) updated by every observation (conjugate Bayesian linear
 * regression; the noise variance is estimated from the residuals). The RUL distribution is
 * the time until the fitted path crosses the threshold, over the posterior of (a, b),
 * evaluated on a fixed set of 2000 quasi-random parameter draws (deterministic output).
 * As in MATLAB, no RUL is given until a degradation trend is detected: until the posterior
 * probability of a positive slope exceeds 1 - slopeDetectionLevel.
 * Framework-free.
 */
import { RulEstimate, estimateFromSamples } from "./estimate";

export type DegradationShape = "linear" | "exponential";

export interface DegradationOptions {
  shape: DegradationShape;
  /** The value of the (growing) signal at which the asset is considered failed. */
  threshold: number;
  /** Exponential model offset: the signal's asymptotic level for t -> -infinity (MATLAB's Phi). */
  phi: number;
  /** Fewer observations than this give no estimate. */
  minObservations: number;
  /** MATLAB's SlopeDetectionLevel: an estimate needs P(slope <= 0) below this. */
  slopeDetectionLevel: number;
  /** Prior of (a, b) in the linear space, times from the first observation: means and standard deviations (vague by default; see priorFromHistories). */
  prior: { a: number; b: number; aStd: number; bStd: number };
  /**
   * Forgetting factor per observation (1 = none): older observations weigh forgetting^age, so
   * the fit follows a degradation that speeds up, and the interval widens accordingly.
   */
  forgetting: number;
  /** The longest RUL reported, as a multiple of the observed time span (beyond it the data say nothing). */
  horizonFactor: number;
}

export const DEFAULT_DEGRADATION: Omit<DegradationOptions, "shape" | "threshold"> = {
  phi: -1,
  minObservations: 5,
  slopeDetectionLevel: 0.05,
  prior: { a: 0, b: 0, aStd: 1e3, bStd: 1e3 },
  horizonFactor: 10,
  forgetting: 1,
};

/** A signal value in the model's linear space (log(y - phi) for the exponential model), or undefined where the exponential model cannot take it. */
export function linearised(shape: DegradationShape, phi: number, value: number): number | undefined {
  if (shape === "linear") return value;
  return value > phi ? Math.log(value - phi) : undefined;
}

/** Why there is no estimate yet, for the node's status. */
export type NoEstimate = { reason: "too-few-observations" | "no-trend" | "below-phi"; message: string };

/** Standard normal quantile (Acklam's rational approximation, |error| < 1.2e-9). */
export function normalQuantile(p: number): number {
  const a = [-39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716, 2.506628277459239];
  const b = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771802, -13.28068155288572];
  const c = [-0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const low = 0.02425;
  if (p < low) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  }
  if (p > 1 - low) return -normalQuantile(1 - p);
  const q = p - 0.5;
  const r = q * q;
  return ((((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q) / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
}

export function normalCdf(x: number): number {
  // Abramowitz-Stegun 7.1.26 via erf, |error| < 1.5e-7.
  const z = Math.abs(x) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * z);
  const erf = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-z * z);
  return x >= 0 ? 0.5 * (1 + erf) : 0.5 * (1 - erf);
}

/**
 * Fixed draws of two independent standard normals: a 2-D Halton sequence through the
 * normal quantile, so every run gives the same RUL for the same data.
 */
const DRAWS = 2000;
const drawsA = new Float64Array(DRAWS);
const drawsB = new Float64Array(DRAWS);
function halton(index: number, base: number): number {
  let f = 1;
  let r = 0;
  for (let i = index; i > 0; i = Math.floor(i / base)) {
    f /= base;
    r += f * (i % base);
  }
  return r;
}
for (let i = 0; i < DRAWS; i++) {
  drawsA[i] = normalQuantile(halton(i + 1, 2));
  drawsB[i] = normalQuantile(halton(i + 1, 3));
}

/** Sufficient statistics of a straight-line fit, updated one observation at a time. */
class LineStats {
  /** Observations added. */
  count = 0;
  /** Their effective weight (less than count with forgetting). */
  n = 0;
  st = 0;
  stt = 0;
  sy = 0;
  sty = 0;
  syy = 0;

  /** Add one observation after discounting the earlier ones by `forgetting` (1 = keep all equally). */
  add(t: number, y: number, forgetting: number): void {
    if (forgetting < 1) {
      this.n *= forgetting;
      this.st *= forgetting;
      this.stt *= forgetting;
      this.sy *= forgetting;
      this.sty *= forgetting;
      this.syy *= forgetting;
    }
    this.count++;
    this.n++;
    this.st += t;
    this.stt += t * t;
    this.sy += y;
    this.sty += t * y;
    this.syy += y * y;
  }

  /** The (weighted) least-squares line y = a + b t, or undefined when the times do not differ. */
  leastSquares(): { a: number; b: number } | undefined {
    const det = this.n * this.stt - this.st * this.st;
    if (!(det > 0)) return undefined;
    const b = (this.n * this.sty - this.st * this.sy) / det;
    return { a: (this.sy - b * this.st) / this.n, b };
  }
}

export interface Posterior {
  a: number;
  b: number;
  /** Covariance of (a, b). */
  vaa: number;
  vab: number;
  vbb: number;
  /** Residual standard deviation of the fit (in the model's linear space). */
  noiseStd: number;
}

/**
 * One asset's degradation model. Times are in the caller's unit (hours or cycles) from any
 * origin; they are shifted internally to the first observation for numerical stability.
 */
export class DegradationModel {
  readonly options: DegradationOptions;
  private readonly stats = new LineStats();
  private origin: number | undefined;
  private lastT = -Infinity;

  constructor(options: Pick<DegradationOptions, "shape" | "threshold"> & Partial<DegradationOptions>) {
    this.options = { ...DEFAULT_DEGRADATION, ...options };
    const o = this.options;
    if (!Number.isFinite(o.threshold)) throw new Error(`threshold: expected a finite number, got ${o.threshold}`);
    if (o.shape === "exponential" && !(o.threshold > o.phi)) throw new Error(`threshold (${o.threshold}) must be above phi (${o.phi}) for the exponential model`);
    if (!(o.forgetting > 0 && o.forgetting <= 1)) throw new Error(`forgetting: expected a number in (0, 1], got ${o.forgetting}`);
    if (!(o.minObservations >= 3)) throw new Error(`minObservations: expected at least 3, got ${o.minObservations}`);
  }

  get count(): number {
    return this.stats.count;
  }

  /** Add one observation. Times must increase; NaN and infinite values are refused. */
  add(t: number, value: number): void {
    if (!Number.isFinite(t) || !Number.isFinite(value)) throw new Error(`observation must be finite numbers, got t=${t}, value=${value}`);
    if (t <= this.lastT) throw new Error(`observation times must increase: ${t} after ${this.lastT}`);
    const y = linearised(this.options.shape, this.options.phi, value);
    if (y === undefined) throw new Error(`value ${value} is not above phi (${this.options.phi}), which the exponential model needs`);
    if (this.origin === undefined) this.origin = t;
    this.stats.add(t - this.origin, y, this.options.forgetting);
    this.lastT = t;
  }

  /** Posterior of (a, b) in shifted time, with the noise variance estimated from the residuals. */
  posterior(): Posterior | undefined {
    const s = this.stats;
    if (s.count < 3 || s.n <= 2) return undefined;
    // Least-squares fit for the residual variance.
    const fit = s.leastSquares();
    if (!fit) return undefined;
    const { a: aHat, b: bHat } = fit;
    const sse = Math.max(0, s.syy - aHat * s.sy - bHat * s.sty);
    const scale = Math.max(Math.abs(aHat), 1e-9);
    const noiseVar = Math.max(sse / (s.n - 2), (1e-6 * scale) ** 2);
    // Conjugate update: precision = prior precision + X'X / noiseVar.
    const { prior } = this.options;
    const p0a = 1 / prior.aStd ** 2;
    const p0b = 1 / prior.bStd ** 2;
    const paa = p0a + s.n / noiseVar;
    const pab = s.st / noiseVar;
    const pbb = p0b + s.stt / noiseVar;
    const ra = p0a * prior.a + s.sy / noiseVar;
    const rb = p0b * prior.b + s.sty / noiseVar;
    const pdet = paa * pbb - pab * pab;
    const vaa = pbb / pdet;
    const vab = -pab / pdet;
    const vbb = paa / pdet;
    return { a: vaa * ra + vab * rb, b: vab * ra + vbb * rb, vaa, vab, vbb, noiseStd: Math.sqrt(noiseVar) };
  }

  /** Probability that the slope is not positive (MATLAB's slope detection test). */
  pNoTrend(post: Posterior): number {
    return normalCdf(-post.b / Math.sqrt(post.vbb));
  }

  /** The RUL distribution at the latest observation, or why there is none. */
  estimate(): RulEstimate | NoEstimate {
    const o = this.options;
    if (this.stats.count < o.minObservations) {
      return { reason: "too-few-observations", message: `${this.stats.count} of ${o.minObservations} observations needed for a fit` };
    }
    const post = this.posterior();
    if (!post) return { reason: "too-few-observations", message: "observations at one time only: no fit" };
    const pNoTrend = this.pNoTrend(post);
    if (pNoTrend > o.slopeDetectionLevel) {
      return { reason: "no-trend", message: `no degradation trend yet (P(slope<=0) = ${pNoTrend.toFixed(2)})` };
    }
    const now = this.lastT - (this.origin ?? 0);
    const target = o.shape === "linear" ? o.threshold : Math.log(o.threshold - o.phi);
    const horizon = Math.max(now, 1) * o.horizonFactor;
    // Cholesky factor of the covariance.
    const l11 = Math.sqrt(post.vaa);
    const l21 = post.vab / l11;
    const l22 = Math.sqrt(Math.max(0, post.vbb - l21 * l21));
    const samples = new Float64Array(DRAWS);
    for (let i = 0; i < DRAWS; i++) {
      const a = post.a + l11 * drawsA[i];
      const b = post.b + l21 * drawsA[i] + l22 * drawsB[i];
      const crossing = b > 0 ? (target - a) / b : Infinity;
      samples[i] = Math.max(0, crossing - now);
    }
    return estimateFromSamples(samples, `${o.shape}-degradation`, horizon);
  }
}

export function isEstimate(result: RulEstimate | NoEstimate): result is RulEstimate {
  return "rul" in result;
}

/** One past run to failure in the model's linear space: times from the run's start, and the linearised signal. */
export interface LinearisedHistory {
  t: number[];
  y: number[];
}

/**
 * A prior for (a, b) from past runs to failure, as MATLAB's fit(mdl, data) estimates one for
 * linearDegradationModel and exponentialDegradationModel: a least-squares line through each
 * history (times from its start, like the model's own), then the mean and standard deviation
 * of the intercepts and of the slopes over the histories. (a, b) are taken as independent.
 */
export function priorFromHistories(histories: LinearisedHistory[]): DegradationOptions["prior"] {
  if (histories.length < 2) throw new Error(`a prior from past runs needs at least 2 run-to-failure histories, got ${histories.length}`);
  const fits = histories.map(({ t, y }, i) => {
    const stats = new LineStats();
    for (let j = 0; j < t.length; j++) stats.add(t[j] - t[0], y[j], 1);
    const fit = stats.n >= 2 ? stats.leastSquares() : undefined;
    if (!fit) throw new Error(`history ${i}: needs observations at 2 different times for a fit`);
    return fit;
  });
  const meanStd = (xs: number[]) => {
    const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
    const std = Math.sqrt(xs.reduce((s, x) => s + (x - mean) ** 2, 0) / (xs.length - 1));
    // Identical histories would give a zero spread, a prior no observation could move.
    return [mean, Math.max(std, 1e-6 * Math.max(Math.abs(mean), 1e-6))];
  };
  const [a, aStd] = meanStd(fits.map((f) => f.a));
  const [b, bStd] = meanStd(fits.map((f) => f.b));
  return { a, b, aStd, bStd };
}
