/**
 * Similarity-based RUL from a library of run-to-failure histories, after MATLAB's
 * pairwiseSimilarityModel: the recent trajectory of the asset's health signal is slid
 * along every past history; the best-matching place in each history says how long that
 * machine still ran from a state like today's. The K most similar histories give the
 * RUL distribution: median as the estimate, their 5-95 % quantiles as the interval,
 * the share of them that failed within a horizon as the failure probability.
 * With few histories the interval is coarse, and it says so through `neighbours`.
 * Framework-free.
 */
import { RulEstimate, quantileSorted } from "./estimate";

/** One past run of one asset from new (or from repair) to failure. Times ascend; the last is the failure. */
export interface RunHistory {
  id: string;
  t: number[];
  values: number[];
}

export interface SimilarityOptions {
  /** Number of most similar histories that make the estimate (MATLAB's NumNearestNeighbors). */
  neighbours: number;
  /** Compare at most this many of the latest observations. */
  maxCompared: number;
  /** Fewer observations than this give no estimate. */
  minObservations: number;
}

export const DEFAULT_SIMILARITY: SimilarityOptions = { neighbours: 5, maxCompared: 50, minObservations: 5 };

export interface Match {
  history: string;
  /** RMS difference between the asset's recent trajectory and the history at the best alignment. */
  distance: number;
  /** Time the history still ran after the aligned point. */
  rul: number;
}

export interface SimilarityEstimate extends RulEstimate {
  matches: Match[];
}

export function checkHistory(history: RunHistory): RunHistory {
  const { id, t, values } = history;
  if (t.length !== values.length) throw new Error(`history ${id}: ${t.length} times but ${values.length} values`);
  if (t.length < 2) throw new Error(`history ${id}: at least 2 observations needed`);
  for (let i = 0; i < t.length; i++) {
    if (!Number.isFinite(t[i]) || !Number.isFinite(values[i])) throw new Error(`history ${id}: non-finite observation at index ${i}`);
    if (i > 0 && t[i] <= t[i - 1]) throw new Error(`history ${id}: times must increase (index ${i})`);
  }
  return history;
}

/** Index i of the segment [t[i], t[i+1]] that holds x (binary search, clamped to the ends). */
function segmentOf(t: number[], x: number): number {
  let lo = 0;
  let hi = t.length - 2;
  while (lo < hi) {
    const mid = (lo + hi + 1) >>> 1;
    if (t[mid] <= x) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** Linear interpolation of a history at time x from segment i on (clamped to the ends); returns the segment used. */
function interpolate(history: RunHistory, x: number, from: number, out: { value: number }): number {
  const { t, values } = history;
  if (x <= t[0]) {
    out.value = values[0];
    return 0;
  }
  if (x >= t[t.length - 1]) {
    out.value = values[values.length - 1];
    return t.length - 2;
  }
  let i = from;
  while (i < t.length - 2 && t[i + 1] < x) i++;
  const f = (x - t[i]) / (t[i + 1] - t[i]);
  out.value = values[i] + f * (values[i + 1] - values[i]);
  return i;
}

/**
 * The best alignment of the recent trajectory (times `t`, values `v`, oldest first) in one
 * history: the history's own observation times are the candidate places for "now".
 */
export function bestMatch(history: RunHistory, t: ArrayLike<number>, v: ArrayLike<number>): Match {
  const n = t.length;
  const now = t[n - 1];
  const span = now - t[0];
  const end = history.t[history.t.length - 1];
  let best: Match = { history: history.id, distance: Infinity, rul: 0 };
  const at = { value: 0 };
  for (let j = 0; j < history.t.length; j++) {
    const place = history.t[j];
    // A candidate "now" must leave room in the history for the whole compared span.
    if (place - span < history.t[0] - 1e-9) continue;
    let sum = 0;
    let segment = segmentOf(history.t, place - span);
    for (let k = 0; k < n; k++) {
      segment = interpolate(history, place - (now - t[k]), segment, at);
      const d = v[k] - at.value;
      sum += d * d;
      if (sum >= best.distance * best.distance * n) break;
    }
    const distance = Math.sqrt(sum / n);
    if (distance < best.distance) best = { history: history.id, distance, rul: end - place };
  }
  if (!Number.isFinite(best.distance)) {
    // Every history is shorter than the compared span: align the ends of the trajectories.
    const compared = Math.min(n, history.t.length);
    let sum = 0;
    for (let k = 0; k < compared; k++) {
      const d = v[n - compared + k] - history.values[history.values.length - compared + k];
      sum += d * d;
    }
    best = { history: history.id, distance: Math.sqrt(sum / compared), rul: 0 };
  }
  return best;
}

export class SimilarityModel {
  readonly options: SimilarityOptions;
  private readonly library: RunHistory[];

  constructor(library: RunHistory[], options: Partial<SimilarityOptions> = {}) {
    this.options = { ...DEFAULT_SIMILARITY, ...options };
    if (library.length < 2) throw new Error(`similarity needs at least 2 run-to-failure histories, the library has ${library.length}`);
    if (!(this.options.neighbours >= 1)) throw new Error(`neighbours: expected at least 1, got ${this.options.neighbours}`);
    this.library = library.map(checkHistory);
  }

  get size(): number {
    return this.library.length;
  }

  /** The estimate from the asset's trajectory since new (times ascending), or a reason why none. */
  estimate(t: ArrayLike<number>, v: ArrayLike<number>): SimilarityEstimate | { reason: string } {
    if (t.length !== v.length) throw new Error(`${t.length} times but ${v.length} values`);
    if (t.length < this.options.minObservations) {
      return { reason: `${t.length} of ${this.options.minObservations} observations needed for a comparison` };
    }
    const from = Math.max(0, t.length - this.options.maxCompared);
    const recentT = Array.prototype.slice.call(t, from) as number[];
    const recentV = Array.prototype.slice.call(v, from) as number[];
    const matches = this.library.map((history) => bestMatch(history, recentT, recentV)).sort((x, y) => x.distance - y.distance);
    const nearest = matches.slice(0, Math.min(this.options.neighbours, matches.length));
    const ruls = Float64Array.from(nearest, (m) => m.rul).sort();
    return {
      rul: quantileSorted(ruls, 0.5),
      lower: quantileSorted(ruls, 0.05),
      upper: quantileSorted(ruls, 0.95),
      pFailWithin: (h: number) => ruls.filter((r) => r <= h).length / ruls.length,
      method: "similarity",
      matches: nearest,
    };
  }
}
