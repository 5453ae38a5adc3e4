/**
 * A health index from several condition features: 100 = as new, 0 = at the failure
 * threshold. The first `baselineCount` observations teach each feature's baseline (mean
 * and standard deviation); after that each feature's progress towards failure is
 *
 *   with a failure value x_f for the feature:  p = (x - mean) / (x_f - mean)
 *   without one:                               p = |x - mean| / (failureSigma * std)
 *
 * and the index is 100 * (1 - weighted mean of p), clipped to 0..100. A failure value in
 * the feature's own unit (e.g. RMS 20 g, the FEMTO stop criterion; an ISO 10816 zone
 * D limit) is the better choice; the sigma rule is a start when nothing else is known.
 * Framework-free.
 */

export interface HealthIndexOptions {
  /** Feature names to fuse, as they appear in the features message. */
  features: string[];
  /** Observations that make the baseline. */
  baselineCount: number;
  /** Failure values per feature, in the feature's unit. */
  failureValues: Record<string, number>;
  /** Distance from the baseline, in baseline standard deviations, that counts as failed for features without a failure value. */
  failureSigma: number;
  /** Relative weights per feature (default 1 each). */
  weights: Record<string, number>;
}

export const DEFAULT_HEALTH_INDEX: Omit<HealthIndexOptions, "features"> = {
  baselineCount: 10,
  failureValues: {},
  failureSigma: 10,
  weights: {},
};

export interface Baseline {
  mean: Record<string, number>;
  std: Record<string, number>;
}

/** What a HealthIndexer remembers, as JSON (persisted by the node). */
export interface HealthIndexState {
  /** Sums while learning: count, sum and sum of squares per feature. */
  learning: { count: number; sum: Record<string, number>; sumSq: Record<string, number> };
  baseline?: Baseline;
}

export type HealthIndexResult =
  | { learning: true; count: number; needed: number }
  | { learning: false; healthIndex: number; progress: Record<string, number> };

export function parseFailureValues(text: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const part of text.split(",").map((p) => p.trim()).filter(Boolean)) {
    const match = /^([^=:]+)[=:]\s*(.+)$/.exec(part);
    const value = match ? Number(match[2]) : NaN;
    if (!match || !Number.isFinite(value)) throw new Error(`failure values: expected "feature=value, ...", got "${part}"`);
    out[match[1].trim()] = value;
  }
  return out;
}

export class HealthIndexer {
  readonly options: HealthIndexOptions;
  private state: HealthIndexState;

  constructor(options: Pick<HealthIndexOptions, "features"> & Partial<HealthIndexOptions>, state?: HealthIndexState) {
    this.options = { ...DEFAULT_HEALTH_INDEX, ...options };
    const o = this.options;
    if (o.features.length === 0) throw new Error("features: choose at least one feature");
    if (!(Number.isInteger(o.baselineCount) && o.baselineCount >= 2)) throw new Error(`baselineCount: expected an integer >= 2, got ${o.baselineCount}`);
    if (!(o.failureSigma > 0)) throw new Error(`failureSigma: expected a number > 0, got ${o.failureSigma}`);
    for (const name of Object.keys(o.failureValues)) {
      if (!o.features.includes(name)) throw new Error(`failure value for "${name}", which is not among the features ${o.features.join(", ")}`);
    }
    this.state = state ?? HealthIndexer.emptyState();
  }

  static emptyState(): HealthIndexState {
    return { learning: { count: 0, sum: {}, sumSq: {} } };
  }

  get snapshot(): HealthIndexState {
    return this.state;
  }

  get baseline(): Baseline | undefined {
    return this.state.baseline;
  }

  /** Forget the baseline (after maintenance or a sensor change): the next observations teach a new one. */
  reset(): void {
    this.state = HealthIndexer.emptyState();
  }

  /** The chosen features from a features record, or an error naming the missing or non-finite one. */
  pick(features: Record<string, unknown>): Record<string, number> {
    const out: Record<string, number> = {};
    for (const name of this.options.features) {
      const value = features[name];
      if (typeof value !== "number" || !Number.isFinite(value)) {
        throw new Error(`msg.payload.features.${name}: expected a finite number, got ${value === undefined ? "nothing (missing)" : String(value)}`);
      }
      out[name] = value;
    }
    return out;
  }

  add(features: Record<string, unknown>): HealthIndexResult {
    const x = this.pick(features);
    const { baselineCount } = this.options;
    if (!this.state.baseline) {
      const l = this.state.learning;
      l.count++;
      for (const name of this.options.features) {
        l.sum[name] = (l.sum[name] ?? 0) + x[name];
        l.sumSq[name] = (l.sumSq[name] ?? 0) + x[name] * x[name];
      }
      if (l.count < baselineCount) return { learning: true, count: l.count, needed: baselineCount };
      const mean: Record<string, number> = {};
      const std: Record<string, number> = {};
      for (const name of this.options.features) {
        mean[name] = l.sum[name] / l.count;
        const variance = (l.sumSq[name] - l.count * mean[name] * mean[name]) / (l.count - 1);
        // A constant feature still gets a small spread so the sigma rule stays defined.
        std[name] = Math.max(Math.sqrt(Math.max(variance, 0)), 1e-9 * Math.max(1, Math.abs(mean[name])));
      }
      this.state.baseline = { mean, std };
    }
    return this.indexOf(x);
  }

  /** The index of one observation against the learned baseline. */
  indexOf(x: Record<string, number>): HealthIndexResult {
    const baseline = this.state.baseline;
    if (!baseline) return { learning: true, count: this.state.learning.count, needed: this.options.baselineCount };
    const progress: Record<string, number> = {};
    let weighted = 0;
    let totalWeight = 0;
    for (const name of this.options.features) {
      const mean = baseline.mean[name];
      const failure = this.options.failureValues[name];
      const p = failure !== undefined && failure !== mean
        ? (x[name] - mean) / (failure - mean)
        : Math.abs(x[name] - mean) / (this.options.failureSigma * baseline.std[name]);
      progress[name] = p;
      const weight = this.options.weights[name] ?? 1;
      weighted += weight * Math.min(1, Math.max(0, p));
      totalWeight += weight;
    }
    const healthIndex = Math.min(100, Math.max(0, 100 * (1 - weighted / totalWeight)));
    return { learning: false, healthIndex, progress };
  }
}
