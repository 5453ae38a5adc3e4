/**
 * Drift of the healthy baseline, reported apart from anomalies: a slow, lasting shift of
 * features (after a repair, a new load, the summer) while the windows still look healthy
 * one by one. Each feature's robust z-score (clipped, so a single spike counts little)
 * feeds a two-sided Page-Hinkley test against its baseline mean (Page 1954; Hinkley
 * 1971): the cumulative sum of (z − mean − δ) above its running minimum, and the mirror
 * for downward shifts. A sum beyond λ reports drift of that feature.
 *
 * Only windows below the anomaly threshold feed the test: a fault is an anomaly, not drift.
 */

export interface DriftOptions {
  /** Shifts smaller than this (in robust standard deviations) are tolerated. */
  delta: number;
  /** Detection threshold of the cumulative sum. */
  lambda: number;
}

export const DRIFT_DEFAULTS: DriftOptions = { delta: 0.5, lambda: 50 };

/** z-scores are clipped to this before they are summed. */
const Z_CLIP = 4;
/** Smoothing of the reported recent mean shift per feature. */
const SHIFT_SMOOTHING = 0.05;

export interface DriftedFeature {
  feature: string;
  /** Recent mean deviation from the baseline, in robust standard deviations (signed). */
  shift: number;
  direction: "up" | "down";
}

export interface DriftState {
  up: number[];
  down: number[];
  shift: number[];
  windows: number;
}

export class DriftDetector {
  private readonly up: Float64Array;
  private readonly down: Float64Array;
  private readonly shift: Float64Array;
  windows = 0;

  constructor(
    readonly featureNames: readonly string[],
    /** Mean of each feature's clipped z-score over the baseline (the reference level). */
    private readonly reference: Float64Array,
    readonly options: DriftOptions,
  ) {
    if (!(options.delta >= 0)) throw new Error(`drift delta: expected a number >= 0, got ${options.delta}`);
    if (!(options.lambda > 0)) throw new Error(`drift lambda: expected a number > 0, got ${options.lambda}`);
    const d = featureNames.length;
    this.up = new Float64Array(d);
    this.down = new Float64Array(d);
    this.shift = new Float64Array(d);
  }

  static clip(z: number): number {
    return Math.max(-Z_CLIP, Math.min(Z_CLIP, z));
  }

  /** Feed the robust z-scores of one healthy-looking window; returns the features drifting now (may be empty). */
  update(z: ArrayLike<number>): DriftedFeature[] {
    this.windows++;
    const drifted: DriftedFeature[] = [];
    for (let j = 0; j < this.featureNames.length; j++) {
      const x = DriftDetector.clip(z[j]) - this.reference[j];
      this.up[j] = Math.max(0, this.up[j] + x - this.options.delta);
      this.down[j] = Math.max(0, this.down[j] - x - this.options.delta);
      this.shift[j] += SHIFT_SMOOTHING * (x - this.shift[j]);
      if (this.up[j] > this.options.lambda || this.down[j] > this.options.lambda) {
        drifted.push({ feature: this.featureNames[j], shift: this.shift[j], direction: this.up[j] > this.options.lambda ? "up" : "down" });
      }
    }
    return drifted.sort((a, b) => Math.abs(b.shift) - Math.abs(a.shift));
  }

  state(): DriftState {
    return { up: Array.from(this.up), down: Array.from(this.down), shift: Array.from(this.shift), windows: this.windows };
  }

  restore(state: DriftState): void {
    const d = this.featureNames.length;
    if (state.up.length !== d || state.down.length !== d || state.shift.length !== d) {
      throw new Error(`drift state: expected ${d} values per sum, one per baseline feature`);
    }
    this.up.set(state.up);
    this.down.set(state.down);
    this.shift.set(state.shift);
    this.windows = state.windows;
  }
}
