/** Figures of the anomaly evaluation. */

/**
 * ROC AUC of scores of positives against negatives: the probability that a random
 * positive scores above a random negative, ties counting half (Mann-Whitney U / n₁n₂).
 */
export function rocAuc(positives: ArrayLike<number>, negatives: ArrayLike<number>): number {
  if (positives.length === 0 || negatives.length === 0) return NaN;
  const sorted = Float64Array.from(negatives).sort();
  let wins = 0;
  for (let i = 0; i < positives.length; i++) {
    const p = positives[i];
    const below = lowerBound(sorted, p);
    const notAbove = upperBound(sorted, p);
    wins += below + 0.5 * (notAbove - below);
  }
  return wins / (positives.length * negatives.length);
}

/** Index of the first element >= x in a sorted array. */
function lowerBound(sorted: Float64Array, x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Index of the first element > x in a sorted array. */
function upperBound(sorted: Float64Array, x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid] <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export function fraction(flags: boolean[]): number {
  return flags.length === 0 ? NaN : flags.filter(Boolean).length / flags.length;
}

export function percent(x: number, digits = 1): string {
  return Number.isNaN(x) ? "-" : `${(100 * x).toFixed(digits)} %`;
}
