/**
 * How good a feature is as a prognostic parameter, as MATLAB's Predictive Maintenance
 * Toolbox defines the three measures (Coble & Hines 2009), over run-to-failure members
 * (one array of the feature's values per past run, oldest first, ending at failure):
 *
 * - monotonicity   (1/M) sum_j |#(dx > 0) - #(dx < 0)| / (N_j - 1)         0..1
 * - trendability   min over pairs of members of |corr(x_j, x_k)|,
 *                  members resampled to the shortest length                    0..1
 * - prognosability exp(-std(x_j(N_j)) / mean_j |x_j(1) - x_j(N_j)|)           0..1
 *
 * 1 is best for each. Trendability and prognosability need at least two members.
 * Framework-free.
 */

export interface FeatureQuality {
  feature: string;
  monotonicity: number;
  /** Undefined with fewer than two members. */
  trendability?: number;
  prognosability?: number;
  members: number;
}

export function monotonicity(members: ArrayLike<number>[]): number {
  let total = 0;
  let counted = 0;
  for (const x of members) {
    if (x.length < 2) continue;
    let up = 0;
    let down = 0;
    for (let i = 1; i < x.length; i++) {
      const d = x[i] - x[i - 1];
      if (d > 0) up++;
      else if (d < 0) down++;
    }
    total += Math.abs(up - down) / (x.length - 1);
    counted++;
  }
  return counted === 0 ? NaN : total / counted;
}

/** Linear resampling of a series to `length` points over its whole span. */
export function resample(x: ArrayLike<number>, length: number): Float64Array {
  const out = new Float64Array(length);
  if (x.length === 1 || length === 1) return out.fill(x[0]);
  for (let i = 0; i < length; i++) {
    const pos = (i * (x.length - 1)) / (length - 1);
    const lo = Math.floor(pos);
    const hi = Math.min(x.length - 1, lo + 1);
    out[i] = x[lo] + (pos - lo) * (x[hi] - x[lo]);
  }
  return out;
}

/** Pearson correlation of two equally long series; 0 where either is constant. */
export function pearsonCorrelation(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const n = a.length;
  let ma = 0;
  let mb = 0;
  for (let i = 0; i < n; i++) {
    ma += a[i];
    mb += b[i];
  }
  ma /= n;
  mb /= n;
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < n; i++) {
    sab += (a[i] - ma) * (b[i] - mb);
    saa += (a[i] - ma) ** 2;
    sbb += (b[i] - mb) ** 2;
  }
  // A constant series (up to rounding) has no trend to correlate.
  const flat = (ss: number, m: number) => ss <= n * (1e-9 * Math.max(1, Math.abs(m))) ** 2;
  return flat(saa, ma) || flat(sbb, mb) ? 0 : sab / Math.sqrt(saa * sbb);
}

export function trendability(members: ArrayLike<number>[]): number {
  if (members.length < 2) return NaN;
  const length = Math.min(...members.map((m) => m.length));
  const series = members.map((m) => resample(m, length));
  let worst = 1;
  for (let j = 0; j < series.length; j++) {
    for (let k = j + 1; k < series.length; k++) worst = Math.min(worst, Math.abs(pearsonCorrelation(series[j], series[k])));
  }
  return worst;
}

export function prognosability(members: ArrayLike<number>[]): number {
  if (members.length < 2) return NaN;
  const ends = members.map((m) => m[m.length - 1]);
  const mean = ends.reduce((s, x) => s + x, 0) / ends.length;
  const std = Math.sqrt(ends.reduce((s, x) => s + (x - mean) ** 2, 0) / (ends.length - 1));
  const range = members.reduce((s, m) => s + Math.abs(m[0] - m[m.length - 1]), 0) / members.length;
  return range > 0 ? Math.exp(-std / range) : 0;
}

/** The three measures for every feature found in the members' records, best first (by their sum). */
export function rankFeatures(runs: Array<Array<Record<string, number>>>): FeatureQuality[] {
  const names = new Set<string>();
  for (const run of runs) for (const record of run) for (const name of Object.keys(record)) names.add(name);
  const out: FeatureQuality[] = [];
  for (const feature of names) {
    const members = runs
      .map((run) => run.map((record) => record[feature]).filter((x): x is number => typeof x === "number" && Number.isFinite(x)))
      .filter((m) => m.length >= 2);
    if (members.length === 0) continue;
    const quality: FeatureQuality = { feature, monotonicity: monotonicity(members), members: members.length };
    if (members.length >= 2) {
      quality.trendability = trendability(members);
      quality.prognosability = prognosability(members);
    }
    out.push(quality);
  }
  const score = (q: FeatureQuality) => q.monotonicity + (q.trendability ?? 0) + (q.prognosability ?? 0);
  return out.sort((a, b) => score(b) - score(a));
}
