/**
 * Why a window is unusual: each feature's share of the squared robust deviation from the
 * baseline, with the signed deviation itself (in robust standard deviations). The same
 * explanation for every scorer, so an engineer reads alarms the same way whichever
 * scorer raised them: "kurtosis +14 σ, 71 % of the deviation".
 */
import type { Contribution } from "../shared/contract";

/** Contributions sorted by share, largest first; shares add up to 1. */
export function contributions(featureNames: readonly string[], z: ArrayLike<number>): Contribution[] {
  let total = 0;
  for (let j = 0; j < featureNames.length; j++) total += z[j] * z[j];
  const list = featureNames.map((feature, j) => ({
    feature,
    share: total > 0 ? (z[j] * z[j]) / total : 1 / featureNames.length,
    deviation: z[j],
  }));
  return list.sort((a, b) => b.share - a.share);
}
