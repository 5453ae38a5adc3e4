/**
 * Overall equipment effectiveness (OEE) of one asset over a window, and MTBF / MTTR from its
 * state history. OEE = availability × performance × quality (Nakajima 1988; ISO 22400-2
 * KPIs "availability", "effectiveness", "quality ratio"):
 *   availability = running time / planned production time (window minus planned stops)
 *   performance  = ideal cycle time × produced count / running time (capped at 1)
 *   quality      = good count / produced count
 * MTBF = running time / failures, MTTR = down time / failures, a failure being a change into "down".
 */
import { Check, finiteNumber, nonEmptyString, object, oneOf, optional } from "../shared/validate";

/** Machine states: producing, ready but not producing, failed, or a planned stop (break, changeover, no order). */
export const MACHINE_STATES = ["running", "idle", "down", "planned-stop"] as const;
export type MachineState = (typeof MACHINE_STATES)[number];

export interface StateChange {
  ts: number;
  state: MachineState;
}

export interface OeeReport {
  asset: string;
  /** Window start and end, epoch ms. */
  start: number;
  end: number;
  availability: number;
  performance: number;
  quality: number;
  oee: number;
  produced: number;
  good: number;
  /** Times in the window, hours. */
  plannedH: number;
  runningH: number;
  downH: number;
  failures: number;
  /** Mean time between failures and to repair, hours; undefined when no failure began in the window. */
  mtbfH?: number;
  mttrH?: number;
}

const ratio = finiteNumber({ min: 0, max: 1 });
const nonNegative = finiteNumber({ min: 0 });

export const checkOeeReport: Check<OeeReport> = object({
  asset: nonEmptyString,
  start: nonNegative,
  end: nonNegative,
  availability: ratio,
  performance: ratio,
  quality: ratio,
  oee: ratio,
  produced: nonNegative,
  good: nonNegative,
  plannedH: nonNegative,
  runningH: nonNegative,
  downH: nonNegative,
  failures: finiteNumber({ min: 0, integer: true }),
  mtbfH: optional(nonNegative),
  mttrH: optional(nonNegative),
});

export const checkStateChange: Check<StateChange & { asset: string }> = object({
  asset: nonEmptyString,
  ts: nonNegative,
  state: oneOf(MACHINE_STATES),
});

export interface OeeInput {
  asset: string;
  start: number;
  end: number;
  /** The state at `start` (the last change before the window). */
  initialState: MachineState;
  /** State changes inside the window, in time order. */
  changes: StateChange[];
  produced: number;
  scrap: number;
  /** Ideal (design) cycle time of one unit, seconds. */
  idealCycleS: number;
}

const HOUR_MS = 3_600_000;

/** Time spent in each state within [start, end]. */
export function stateDurations(start: number, end: number, initial: MachineState, changes: StateChange[]): Record<MachineState, number> {
  const durations: Record<MachineState, number> = { running: 0, idle: 0, down: 0, "planned-stop": 0 };
  let state = initial;
  let since = start;
  for (const change of changes) {
    const at = Math.min(Math.max(change.ts, start), end);
    durations[state] += at - since;
    state = change.state;
    since = at;
  }
  durations[state] += end - since;
  return durations;
}

/** Failures: changes into "down" from another state. */
export function countFailures(initial: MachineState, changes: StateChange[]): number {
  let failures = 0;
  let state = initial;
  for (const change of changes) {
    if (change.state === "down" && state !== "down") failures++;
    state = change.state;
  }
  return failures;
}

const safeRatio = (numerator: number, denominator: number) => (denominator > 0 ? Math.min(numerator / denominator, 1) : 0);

export function computeOee(input: OeeInput): OeeReport {
  if (!(input.end > input.start)) throw new Error(`OEE window: end (${input.end}) must be after start (${input.start})`);
  const durations = stateDurations(input.start, input.end, input.initialState, input.changes);
  const plannedMs = input.end - input.start - durations["planned-stop"];
  const runningMs = durations.running;
  const good = Math.max(input.produced - input.scrap, 0);
  const availability = safeRatio(runningMs, plannedMs);
  // Performance above 1 means the ideal cycle time is set too long; capped so OEE stays a ratio.
  const performance = safeRatio(input.idealCycleS * 1000 * input.produced, runningMs);
  const quality = safeRatio(good, input.produced);
  const failures = countFailures(input.initialState, input.changes);
  return {
    asset: input.asset,
    start: input.start,
    end: input.end,
    availability,
    performance,
    quality,
    oee: availability * performance * quality,
    produced: input.produced,
    good,
    plannedH: plannedMs / HOUR_MS,
    runningH: runningMs / HOUR_MS,
    downH: durations.down / HOUR_MS,
    failures,
    ...(failures > 0 ? { mtbfH: runningMs / HOUR_MS / failures, mttrH: durations.down / HOUR_MS / failures } : {}),
  };
}

/**
 * The running window of one asset: state changes and counts since the last report.
 * `report(end)` closes the window and starts the next one at `end` in the state it ended in.
 */
export class OeeWindow {
  private changes: StateChange[] = [];
  private produced = 0;
  private scrap = 0;

  constructor(
    readonly asset: string,
    private start: number,
    private initialState: MachineState = "idle",
  ) {}

  state(change: StateChange): void {
    const last = this.changes.at(-1)?.ts ?? this.start;
    if (change.ts < last) throw new Error(`state change at ${change.ts} is older than the last one (${last}): send them in time order`);
    this.changes.push(change);
  }

  count(produced: number, scrap: number): void {
    this.produced += produced;
    this.scrap += scrap;
  }

  report(end: number, idealCycleS: number): OeeReport {
    const report = computeOee({
      asset: this.asset,
      start: this.start,
      end,
      initialState: this.initialState,
      changes: this.changes.filter((c) => c.ts <= end),
      produced: this.produced,
      scrap: this.scrap,
      idealCycleS,
    });
    this.initialState = this.changes.filter((c) => c.ts <= end).at(-1)?.state ?? this.initialState;
    this.changes = this.changes.filter((c) => c.ts > end);
    this.start = end;
    this.produced = 0;
    this.scrap = 0;
    return report;
  }
}
