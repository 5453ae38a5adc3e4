/**
 * From scores to alarms: an adaptive threshold from the baseline's own score distribution,
 * and an alarm that is raised only when k of the last n windows are above the threshold
 * and cleared only when k of the last n are below a lower clear level (hysteresis), so
 * one spike does not page anyone and an alarm does not flicker at the threshold.
 */
import type { Criticality } from "../config/asset";
import type { Severity } from "../shared/contract";
import { quantile } from "./robust";

/**
 * Threshold factor per asset criticality: the threshold is the baseline's score quantile
 * times this factor. More critical assets get a smaller factor, i.e. a stricter (more
 * sensitive) threshold: missing a fault costs more there than a rare false alarm.
 */
export const CRITICALITY_FACTORS: Record<Criticality, number> = { critical: 1.2, high: 1.35, medium: 1.5, low: 1.8 };

export interface ThresholdOptions {
  /** Quantile of the held-out baseline scores, e.g. 0.99. */
  quantile: number;
  /** Multiplies the quantile. */
  factor: number;
}

/**
 * The threshold on the normalised score. Normalised baseline scores centre on 0, so the
 * factor scales the distance from a typical healthy window; the floor keeps a threshold
 * above typical healthy scores if a tiny baseline puts the quantile near 0.
 */
export function adaptiveThreshold(heldOutScores: ArrayLike<number>, options: ThresholdOptions): number {
  return Math.max(quantile(heldOutScores, options.quantile), 0.5) * options.factor;
}

export interface AlarmOptions {
  /** Windows above the threshold (of the last `of`) that raise the alarm, and below the clear level that clear it. */
  k: number;
  of: number;
  /** The clear level as a fraction of the threshold (hysteresis), e.g. 0.8. */
  clearRatio: number;
}

export const ALARM_DEFAULTS: AlarmOptions = { k: 3, of: 5, clearRatio: 0.8 };

/** The raise/clear state machine of one asset. */
export class AlarmState {
  private readonly above: boolean[] = [];
  private readonly below: boolean[] = [];
  raised = false;

  constructor(readonly options: AlarmOptions) {
    if (!(Number.isInteger(options.of) && options.of >= 1)) throw new Error(`persistence: n must be an integer >= 1, got ${options.of}`);
    if (!(Number.isInteger(options.k) && options.k >= 1 && options.k <= options.of)) {
      throw new Error(`persistence: k must be an integer from 1 to n (${options.of}), got ${options.k}`);
    }
    if (!(options.clearRatio > 0 && options.clearRatio <= 1)) throw new Error(`clearRatio: expected a number in (0, 1], got ${options.clearRatio}`);
  }

  /** Feed one window's score; returns whether the alarm is raised after it. */
  update(score: number, threshold: number): boolean {
    push(this.above, score > threshold, this.options.of);
    push(this.below, score < threshold * this.options.clearRatio, this.options.of);
    const count = (flags: boolean[]) => flags.reduce((n, flag) => n + (flag ? 1 : 0), 0);
    if (!this.raised && count(this.above) >= this.options.k) this.raised = true;
    else if (this.raised && count(this.below) >= this.options.k) this.raised = false;
    return this.raised;
  }

  reset(): void {
    this.above.length = 0;
    this.below.length = 0;
    this.raised = false;
  }
}

function push(window: boolean[], flag: boolean, size: number): void {
  window.push(flag);
  if (window.length > size) window.shift();
}

/**
 * Severity of a raised alarm, ISA-18.2 style from urgency and consequence: urgency from
 * how far the score is beyond the threshold (below 2×: 1, below 4×: 2, else 3), one step
 * up for a critical asset and one down for a low-criticality one, within low..critical.
 */
export function severityOf(raised: boolean, score: number, threshold: number, criticality: Criticality): Severity {
  if (!raised) return "none";
  const ratio = score / threshold;
  const urgency = ratio < 2 ? 1 : ratio < 4 ? 2 : 3;
  const consequence = criticality === "critical" ? 1 : criticality === "low" ? -1 : 0;
  const levels: Severity[] = ["low", "medium", "high", "critical"];
  return levels[Math.max(0, Math.min(3, urgency + consequence - 1))];
}
