/**
 * The MILP of a planning model, in a solver-neutral sparse form that can be posted to a
 * worker thread: one binary per candidate assignment, one continuous "left out" column
 * per task that has candidates (cost: its left-out penalty), and rows
 *   task t:            sum of its candidates + leftOut_t = 1   (done once, or left out)
 *   technician k, slot: sum of candidates occupying it <= 1
 *   asset a, slot:      sum of candidates occupying it <= 1
 *   part p:             sum of quantity x candidates starting before the reorder arrives <= stock
 * minimising labour + downtime + lateness + left-out penalties.
 */
import type { PlanningModel } from "./model";

export interface MilpRow {
  lower: number;
  upper: number;
  indices: number[];
  values: number[];
}

export interface Milp {
  /** Columns 0..candidates-1 are the candidates (binary), then one left-out column per task that has candidates. */
  numCols: number;
  candidateCount: number;
  colCost: number[];
  rows: MilpRow[];
}

/** The tasks the MILP decides about: those with at least one candidate (the others are left out anyway). */
function decidableTasks(model: PlanningModel): number[] {
  return model.byTask.flatMap((list, t) => (list.length > 0 ? [t] : []));
}

export function buildMilp(model: PlanningModel): Milp {
  const candidateCount = model.candidates.length;
  const tasks = decidableTasks(model);
  const taskRows: MilpRow[] = tasks.map((t, j) => ({
    lower: 1,
    upper: 1,
    indices: [...model.byTask[t], candidateCount + j],
    values: [...model.byTask[t].map(() => 1), 1],
  }));
  const conflictRows: MilpRow[] = model.rows.map((row) => ({ lower: -Infinity, upper: row.capacity, indices: row.candidates, values: row.weights }));
  return {
    numCols: candidateCount + tasks.length,
    candidateCount,
    colCost: [...model.candidates.map((c) => c.cost), ...tasks.map((t) => model.leftOutCost[t])],
    rows: [...taskRows, ...conflictRows],
  };
}

/** The column vector of a choice of candidates (the other decidable tasks left out). */
export function columnsOf(milp: Milp, model: PlanningModel, chosen: number[]): number[] {
  const values = new Array<number>(milp.numCols).fill(0);
  const scheduled = new Set<number>();
  for (const i of chosen) {
    values[i] = 1;
    scheduled.add(model.candidates[i].task);
  }
  decidableTasks(model).forEach((t, j) => (values[milp.candidateCount + j] = scheduled.has(t) ? 0 : 1));
  return values;
}

/** The candidates a solver's column vector chose. */
export function chosenOf(milp: Milp, columns: ArrayLike<number>): number[] {
  const chosen: number[] = [];
  for (let i = 0; i < milp.candidateCount; i++) if (columns[i] > 0.5) chosen.push(i);
  return chosen;
}

export function objectiveOf(milp: Milp, columns: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < milp.numCols; i++) sum += milp.colCost[i] * columns[i];
  return sum;
}

/** Relative optimality gap (objective - bound) / objective, in [0, 1] (all costs are >= 0, so 0 is always a bound). */
export function relativeGap(objective: number, bound: number): number {
  if (objective <= 1e-9) return 0;
  return Math.min(1, Math.max(0, (objective - bound) / Math.abs(objective)));
}
