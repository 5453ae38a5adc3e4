/**
 * Robust statistics of the healthy baseline: quantiles, median and MAD per feature,
 * robust z-scores, and a Mahalanobis distance on the robustly standardised features with
 * a shrunk correlation matrix (so a baseline of a hundred windows and twenty correlated
 * features still gives a well-conditioned, invertible matrix).
 */
import type { Matrix } from "./isolation-forest";

/** Quantile q in [0, 1] with linear interpolation between order statistics (NumPy's default). */
export function quantile(values: ArrayLike<number>, q: number): number {
  if (values.length === 0) throw new Error("quantile of no values");
  const sorted = Float64Array.from(values).sort();
  const position = q * (sorted.length - 1);
  const below = Math.floor(position);
  const above = Math.min(below + 1, sorted.length - 1);
  return sorted[below] + (position - below) * (sorted[above] - sorted[below]);
}

export function median(values: ArrayLike<number>): number {
  return quantile(values, 0.5);
}

/** 1.4826 × MAD estimates the standard deviation of normally distributed data. */
const MAD_TO_SIGMA = 1.4826;

/** Per-feature centre (median) and scale (robust standard deviation) of the baseline. */
export class RobustScaler {
  readonly centre: Float64Array;
  readonly scale: Float64Array;

  constructor(points: Matrix) {
    const { rows, columns, data } = points;
    this.centre = new Float64Array(columns);
    this.scale = new Float64Array(columns);
    const column = new Float64Array(rows);
    for (let j = 0; j < columns; j++) {
      for (let i = 0; i < rows; i++) column[i] = data[i * columns + j];
      const centre = median(column);
      const deviations = column.map((x) => Math.abs(x - centre));
      this.centre[j] = centre;
      this.scale[j] = robustScale(MAD_TO_SIGMA * median(deviations), column, centre);
    }
  }

  /** Robust z-scores of one point into `out`: distance from the baseline median in robust standard deviations. */
  standardise(point: ArrayLike<number>, out: Float64Array, offset = 0): Float64Array {
    for (let j = 0; j < this.centre.length; j++) out[j] = (point[offset + j] - this.centre[j]) / this.scale[j];
    return out;
  }
}

/**
 * Changes smaller than this fraction of a feature's typical value are below what a
 * condition feature resolves (a dominant frequency moves in FFT bins, a level in ADC
 * steps), so the scale never drops below it: a feature that sat on one FFT bin through
 * the whole baseline then reads "−14 σ" one bin group away, not "−135 000 σ".
 */
const RELATIVE_SCALE_FLOOR = 0.01;

/**
 * The robust scale with two fallbacks: the MAD is 0 when more than half the baseline
 * shares one value (a quantised or saturated feature), then the standard deviation
 * stands in; and never less than 1 % of the feature's median (above).
 */
function robustScale(mad: number, column: Float64Array, centre: number): number {
  let scale = mad;
  if (!(scale > 0)) {
    let sum = 0;
    for (const x of column) sum += (x - centre) * (x - centre);
    scale = Math.sqrt(sum / Math.max(1, column.length - 1));
  }
  return Math.max(scale, RELATIVE_SCALE_FLOOR * Math.abs(centre), 1e-12);
}

/** z-scores beyond this are clipped when estimating correlations, so rare spikes in the baseline do not dominate. */
const CORRELATION_CLIP = 5;

/**
 * Mahalanobis distance of robust z-scores, divided by √d so that a healthy point scores
 * about 1 whatever the number of features. The correlation matrix is shrunk towards the
 * identity by λ = d / (d + n) (more shrinkage for fewer windows per feature), a simple
 * form of Ledoit-Wolf style regularisation.
 */
export class RobustMahalanobis {
  readonly scaler: RobustScaler;
  /** Lower-triangular Cholesky factor of the shrunk correlation matrix, row-major. */
  private readonly cholesky: Float64Array;
  private readonly z: Float64Array;
  private readonly solved: Float64Array;

  constructor(points: Matrix) {
    const { rows, columns } = points;
    this.scaler = new RobustScaler(points);
    const d = columns;
    const z = new Float64Array(d);
    const covariance = new Float64Array(d * d);
    for (let i = 0; i < rows; i++) {
      this.scaler.standardise(points.data, z, i * d);
      for (let a = 0; a < d; a++) z[a] = Math.max(-CORRELATION_CLIP, Math.min(CORRELATION_CLIP, z[a]));
      for (let a = 0; a < d; a++) for (let b = 0; b <= a; b++) covariance[a * d + b] += z[a] * z[b];
    }
    const lambda = d / (d + rows);
    const correlation = new Float64Array(d * d);
    for (let a = 0; a < d; a++) {
      for (let b = 0; b <= a; b++) {
        const r = covariance[a * d + b] / Math.sqrt(covariance[a * d + a] * covariance[b * d + b] || 1);
        correlation[a * d + b] = a === b ? 1 : (1 - lambda) * r;
      }
    }
    this.cholesky = choleskyLower(correlation, d);
    this.z = new Float64Array(d);
    this.solved = new Float64Array(d);
  }

  /** Distance of one point; also leaves its robust z-scores in `zOut` when given. */
  score(point: ArrayLike<number>, offset = 0, zOut?: Float64Array): number {
    const d = this.z.length;
    const z = this.scaler.standardise(point, this.z, offset);
    if (zOut) zOut.set(z);
    // Solve L y = z; then zᵀ R⁻¹ z = |y|².
    const L = this.cholesky;
    let sum = 0;
    for (let a = 0; a < d; a++) {
      let s = z[a];
      for (let b = 0; b < a; b++) s -= L[a * d + b] * this.solved[b];
      const y = s / L[a * d + a];
      this.solved[a] = y;
      sum += y * y;
    }
    return Math.sqrt(sum / d);
  }
}

/** Cholesky factor of a symmetric positive-definite matrix given by its lower triangle. */
function choleskyLower(matrix: Float64Array, d: number): Float64Array {
  const L = new Float64Array(d * d);
  for (let a = 0; a < d; a++) {
    for (let b = 0; b <= a; b++) {
      let s = matrix[a * d + b];
      for (let k = 0; k < b; k++) s -= L[a * d + k] * L[b * d + k];
      if (a === b) {
        // Shrinkage keeps the matrix positive definite; the floor guards rounding only.
        L[a * d + a] = Math.sqrt(Math.max(s, 1e-9));
      } else {
        L[a * d + b] = s / L[b * d + b];
      }
    }
  }
  return L;
}
