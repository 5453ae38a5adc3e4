/**
 * Time-domain condition indicators of one window (e.g. Lei et al., "Condition monitoring
 * indicators", and ISO 13373-2 for peak, RMS and crest factor). Two passes over the
 * samples: the mean first, then central moments, so kurtosis stays exact for signals
 * with an offset.
 */

/**
 * Write the time-domain features of `x[0..n)` into `out`. Throws when they are undefined:
 * fewer than 2 samples, or all samples equal (a stuck or disconnected sensor).
 */
export function timeFeatures(x: ArrayLike<number>, out: Record<string, number>, n = x.length): void {
  if (n < 2) throw new Error(`window: expected at least 2 samples for time-domain features, got ${n}`);
  let sum = 0;
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < n; i++) {
    const v = x[i];
    sum += v;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  if (min === max) throw new Error(`window: all ${n} samples equal ${min}: a stuck or disconnected sensor? shape features are undefined`);
  const mean = sum / n;
  let m2 = 0;
  let m3 = 0;
  let m4 = 0;
  let sumSquares = 0;
  let sumAbs = 0;
  let sumSqrtAbs = 0;
  let crossings = 0;
  let previousPositive = x[0] - mean >= 0;
  for (let i = 0; i < n; i++) {
    const v = x[i];
    const d = v - mean;
    const d2 = d * d;
    m2 += d2;
    m3 += d2 * d;
    m4 += d2 * d2;
    sumSquares += v * v;
    const a = Math.abs(v);
    sumAbs += a;
    sumSqrtAbs += Math.sqrt(a);
    const positive = d >= 0;
    if (positive !== previousPositive) crossings++;
    previousPositive = positive;
  }
  m2 /= n;
  m3 /= n;
  m4 /= n;
  const rms = Math.sqrt(sumSquares / n);
  const peak = Math.max(Math.abs(min), Math.abs(max));
  const meanAbs = sumAbs / n;
  const meanSqrtAbs = sumSqrtAbs / n;
  out.mean = mean;
  out.rms = rms;
  out.std = Math.sqrt(m2);
  out.peak = peak;
  out.peak_to_peak = max - min;
  out.crest_factor = peak / rms;
  out.kurtosis = m4 / (m2 * m2);
  out.skewness = m3 / Math.pow(m2, 1.5);
  out.shape_factor = rms / meanAbs;
  out.impulse_factor = peak / meanAbs;
  out.clearance_factor = peak / (meanSqrtAbs * meanSqrtAbs);
  out.zero_crossing_rate = crossings / (n - 1);
}
