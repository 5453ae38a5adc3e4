/**
 * What every RUL method returns - a point estimate, a 5-95 % interval and the probability
 * of failure within a horizon - and its conversion to the contract's RulMessage.
 * Framework-free.
 */
import type { RulMessage, RulUnit } from "../shared/contract";

export interface RulEstimate {
  /** Remaining useful life (median of the method's distribution), in the method's time unit. */
  rul: number;
  /** 5 % quantile. */
  lower: number;
  /** 95 % quantile (capped at the method's horizon when its distribution has no finite 95 % point). */
  upper: number;
  /** Probability that the asset fails within `horizon` time units from now. */
  pFailWithin(horizon: number): number;
  method: string;
}

/** The contract's horizons in hours. */
export const PFAIL_HORIZONS_H = { "24h": 24, "7d": 168, "30d": 720 } as const;

export interface MessageContext {
  asset: string;
  t0: number;
  unit: RulUnit;
  healthIndex: number;
  /**
   * How many hours one cycle lasts, to turn the 24 h / 7 d / 30 d horizons into cycles
   * when the unit is "cycles" (default 1: the horizons then read as 24, 168 and 720 cycles).
   */
  hoursPerCycle?: number;
}

const clamp01 = (p: number) => Math.min(1, Math.max(0, p));

export function toRulMessage(estimate: RulEstimate, context: MessageContext): RulMessage {
  const perUnit = context.unit === "h" ? 1 : (context.hoursPerCycle ?? 1);
  const within = (hours: number) => clamp01(estimate.pFailWithin(hours / perUnit));
  const rul = Math.max(0, estimate.rul);
  return {
    asset: context.asset,
    t0: context.t0,
    rul,
    unit: context.unit,
    lower: Math.min(rul, Math.max(0, estimate.lower)),
    upper: Math.max(rul, estimate.upper),
    healthIndex: Math.min(100, Math.max(0, context.healthIndex)),
    pFail: { "24h": within(PFAIL_HORIZONS_H["24h"]), "7d": within(PFAIL_HORIZONS_H["7d"]), "30d": within(PFAIL_HORIZONS_H["30d"]) },
    method: estimate.method,
  };
}

/** Linear-interpolated quantile of sorted values (type 7, as NumPy's default). */
export function quantileSorted(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return NaN;
  const h = (sorted.length - 1) * p;
  const lo = Math.floor(h);
  const hi = Math.min(sorted.length - 1, lo + 1);
  const a = sorted[lo];
  const b = sorted[hi];
  if (a === b) return a;
  return a + (h - lo) * (b - a);
}

/** An estimate from samples of the RUL distribution (Infinity = never reaches the threshold). */
export function estimateFromSamples(samples: Float64Array | number[], method: string, horizon: number): RulEstimate {
  const sorted = Float64Array.from(samples).sort();
  const finiteCap = (x: number) => (Number.isFinite(x) ? Math.min(x, horizon) : horizon);
  return {
    rul: finiteCap(quantileSorted(sorted, 0.5)),
    lower: finiteCap(quantileSorted(sorted, 0.05)),
    upper: finiteCap(quantileSorted(sorted, 0.95)),
    pFailWithin(h: number) {
      // Count of samples <= h by binary search on the sorted samples.
      let lo = 0;
      let hi = sorted.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (sorted[mid] <= h) lo = mid + 1;
        else hi = mid;
      }
      return lo / sorted.length;
    },
    method,
  };
}
