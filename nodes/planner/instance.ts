/**
 * What the planner plans with, besides the maintenance tasks of the contract: technicians
 * (skills, shifts, hourly cost), production windows per asset (planned stops and the cost
 * of taking the asset down outside them) and spare parts (stock, lead time), with their
 * run-time checks. Times are epoch ms, durations and rates per hour. Framework-free.
 */
import { MaintenanceTask, PRIORITIES, Priority, WorkOrder, checkMaintenanceTask, checkWorkOrder } from "../shared/contract";
import { Check, ValidationError, arrayOf, fail, finiteNumber, nonEmptyString, object, optional } from "../shared/validate";

/** A time interval [start, end) in epoch ms. */
export interface Interval {
  start: number;
  end: number;
}

export interface Technician {
  id: string;
  skills: string[];
  /** When the technician works; a task must fit inside one shift. May be empty (absent all horizon). */
  shifts: Interval[];
  hourlyCost: number;
}

/** The planned production stops of one asset; outside them maintenance costs `downtimeCostPerH`. */
export interface ProductionWindows {
  asset: string;
  downtimeCostPerH: number;
  stops: Interval[];
}

export interface SparePart {
  part: string;
  stock: number;
  /** Hours from ordering now until a reorder arrives. */
  leadTimeH: number;
}

/** Everything one plan is computed from. */
export interface PlanningInput {
  /** The planning moment: nothing starts before it, work orders started before it stay. */
  now: number;
  tasks: MaintenanceTask[];
  technicians: Technician[];
  windows: ProductionWindows[];
  parts: SparePart[];
  /** Work already started: kept as they are, their technician and asset are busy until they end. */
  started: WorkOrder[];
}

export interface PlannerOptions {
  /** How far ahead the plan reaches, hours. */
  horizonH: number;
  /** Time slot length in hours, or 0 to choose the finest of 1, 2, 4, 8 h that keeps the model under `maxBinaries`. */
  slotH: number;
  /** The model's size budget (decision variables); above it at the coarsest slot the solver is skipped. */
  maxBinaries: number;
  /** How long after its deadline a task may still end (at a lateness cost); later it is left out. */
  lateToleranceH: number;
  /** Lateness cost per hour after the deadline, multiplied by the priority weight and the failure probability. */
  latenessCostPerH: number;
  /** Cost of leaving one task out, multiplied by its priority weight. */
  leftOutCost: number;
  /** Downtime cost per hour for assets that have no production windows entry. */
  defaultDowntimeCostPerH: number;
}

export const DEFAULT_OPTIONS: PlannerOptions = {
  horizonH: 168,
  slotH: 0,
  maxBinaries: 30_000,
  lateToleranceH: 24,
  latenessCostPerH: 200,
  leftOutCost: 20_000,
  defaultDowntimeCostPerH: 0,
};

/** A plan is for a shift team, not a whole ERP backlog: more tasks than this are an error. */
export const MAX_TASKS = 2000;
export const MAX_TECHNICIANS = 200;

/** How much more a priority weighs than "low", in lateness and in the cost of leaving a task out. */
export const PRIORITY_WEIGHT: Record<Priority, number> = { low: 1, medium: 2, high: 4, urgent: 8 };
export { PRIORITIES };

export const HOUR_MS = 3_600_000;

const epochMs = finiteNumber({ min: 0 });
const nonNegative = finiteNumber({ min: 0 });

const checkInterval: Check<Interval> = (value, path) => {
  const interval = object({ start: epochMs, end: epochMs })(value, path);
  if (interval.end <= interval.start) fail(`${path}.end`, `a time after start (${interval.start})`, interval.end);
  return { start: interval.start, end: interval.end };
};

export const checkTechnician: Check<Technician> = (value, path) => {
  const t = object({ id: nonEmptyString, skills: arrayOf(nonEmptyString), shifts: arrayOf(checkInterval), hourlyCost: nonNegative })(value, path);
  return { id: t.id, skills: t.skills, shifts: t.shifts, hourlyCost: t.hourlyCost };
};

export const checkProductionWindows: Check<ProductionWindows> = (value, path) => {
  const w = object({ asset: nonEmptyString, downtimeCostPerH: nonNegative, stops: arrayOf(checkInterval) })(value, path);
  return { asset: w.asset, downtimeCostPerH: w.downtimeCostPerH, stops: w.stops };
};

export const checkSparePart: Check<SparePart> = (value, path) => {
  const p = object({ part: nonEmptyString, stock: finiteNumber({ min: 0, integer: true }), leadTimeH: nonNegative })(value, path);
  return { part: p.part, stock: p.stock, leadTimeH: p.leadTimeH };
};

function unique<T>(items: T[], key: (item: T) => string, path: string, what: string): void {
  const seen = new Set<string>();
  items.forEach((item, i) => {
    const k = key(item);
    if (seen.has(k)) throw new ValidationError(`${path}[${i}]`, `one entry per ${what}`, `a second entry for "${k}"`);
    seen.add(k);
  });
}

/** Check a whole planning input; errors name the field, e.g. `msg.payload.technicians[2].shifts[0].end`. */
export function checkPlanningInput(value: unknown, path: string): PlanningInput {
  const raw = object({
    now: epochMs,
    tasks: arrayOf(checkMaintenanceTask, { maxLength: MAX_TASKS }),
    technicians: arrayOf(checkTechnician, { maxLength: MAX_TECHNICIANS }),
    windows: optional(arrayOf(checkProductionWindows)),
    parts: optional(arrayOf(checkSparePart)),
    started: optional(arrayOf(checkWorkOrder)),
  })(value, path);
  const input: PlanningInput = {
    now: raw.now,
    tasks: raw.tasks,
    technicians: raw.technicians,
    windows: raw.windows ?? [],
    parts: raw.parts ?? [],
    started: raw.started ?? [],
  };
  unique(input.tasks, (t) => t.id, `${path}.tasks`, "task id");
  unique(input.technicians, (t) => t.id, `${path}.technicians`, "technician id");
  unique(input.windows, (w) => w.asset, `${path}.windows`, "asset");
  unique(input.parts, (p) => p.part, `${path}.parts`, "part");
  input.windows.forEach((w, i) => checkDisjoint(w.stops, `${path}.windows[${i}].stops`, "planned stops"));
  input.technicians.forEach((t, i) => checkDisjoint(t.shifts, `${path}.technicians[${i}].shifts`, "shifts"));
  return input;
}

/** Overlapping stops or shifts contradict each other (which one holds?): an error naming both. */
function checkDisjoint(intervals: Interval[], path: string, what: string): void {
  const order = intervals.map((interval, i) => ({ ...interval, i })).sort((a, b) => a.start - b.start);
  for (let j = 1; j < order.length; j++) {
    if (order[j].start < order[j - 1].end) {
      throw new ValidationError(`${path}[${order[j].i}]`, `${what} that do not overlap`, `an overlap with ${path}[${order[j - 1].i}]`);
    }
  }
}

export function checkPlannerOptions(value: Partial<Record<keyof PlannerOptions, unknown>>, path: string): PlannerOptions {
  const o = object({
    horizonH: finiteNumber({ above: 0, max: 24 * 62 }),
    slotH: finiteNumber({ min: 0, max: 24 }),
    maxBinaries: finiteNumber({ min: 100, integer: true }),
    lateToleranceH: nonNegative,
    latenessCostPerH: nonNegative,
    leftOutCost: finiteNumber({ above: 0 }),
    defaultDowntimeCostPerH: nonNegative,
  })({ ...DEFAULT_OPTIONS, ...Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined && v !== "")) }, path);
  return {
    horizonH: o.horizonH,
    slotH: o.slotH,
    maxBinaries: o.maxBinaries,
    lateToleranceH: o.lateToleranceH,
    latenessCostPerH: o.latenessCostPerH,
    leftOutCost: o.leftOutCost,
    defaultDowntimeCostPerH: o.defaultDowntimeCostPerH,
  };
}
