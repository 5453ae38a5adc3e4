/**
 * The planning model: time cut into slots, and for every task the candidate assignments
 * (technician, start slot) that its skills, the technician's shifts, its earliest start,
 * its parts and its deadline allow, each with its cost (labour, downtime outside planned
 * stops, lateness). Conflicts between candidates (one task per technician and per asset
 * at a time, parts drawn from stock before a reorder arrives) are listed as rows.
 * Tasks with no candidate at all get the reason. Heuristic and MILP work on this model.
 */
import type { MaintenanceTask } from "../shared/contract";
import { HOUR_MS, Interval, PRIORITY_WEIGHT, PlannerOptions, PlanningInput, Technician } from "./instance";

export interface Candidate {
  task: number;
  technician: number;
  /** First and one-past-last slot the assignment occupies. */
  firstSlot: number;
  endSlot: number;
  /** Real start and end (end = start + duration), epoch ms. */
  start: number;
  end: number;
  labour: number;
  downtime: number;
  lateness: number;
  cost: number;
}

/** A set of candidates of which at most `capacity` units may be chosen (with `weights`). */
export interface ConflictRow {
  kind: "technician" | "asset" | "part";
  label: string;
  candidates: number[];
  weights: number[];
  capacity: number;
}

export interface PlanningModel {
  input: PlanningInput;
  options: PlannerOptions;
  /** Slot 0 starts at `origin` (now, rounded up to the hour). */
  origin: number;
  slotMs: number;
  slotCount: number;
  candidates: Candidate[];
  /** Candidate indices of each task. */
  byTask: number[][];
  /** What leaving each task out costs. */
  leftOutCost: number[];
  /** Why a task has no candidate, by task index. */
  noCandidateReason: Map<number, string>;
  rows: ConflictRow[];
}

const iso = (ms: number) => new Date(ms).toISOString().replace(/:00\.000Z$/, "Z");

/** Hours of [start, end) outside the given disjoint intervals. */
export function hoursOutside(start: number, end: number, inside: Interval[]): number {
  let covered = 0;
  for (const stop of inside) covered += Math.max(0, Math.min(end, stop.end) - Math.max(start, stop.start));
  return (end - start - covered) / HOUR_MS;
}

function hasSkills(technician: Technician, task: MaintenanceTask): boolean {
  return task.skills.every((skill) => technician.skills.includes(skill));
}

/** When the parts of a task can be there: now if in stock, else when a reorder arrives. */
interface PartTiming {
  /** No candidate may start before this (a part not in stock in the needed quantity). */
  notBefore: number;
  /** Set when the task can never get its parts. */
  missing?: string;
}

function partTiming(task: MaintenanceTask, input: PlanningInput): PartTiming {
  let notBefore = 0;
  for (const need of task.parts) {
    const part = input.parts.find((p) => p.part === need.part);
    if (!part) return { notBefore, missing: `part ${need.part} is not in the parts list (no stock, no lead time)` };
    const arrival = input.now + part.leadTimeH * HOUR_MS;
    if (part.stock < need.quantity) notBefore = Math.max(notBefore, arrival);
  }
  return { notBefore };
}

/** The model at the finest slot length (1, 2, 4 or 8 h unless fixed) that stays within the size budget. */
export function buildModel(input: PlanningInput, options: PlannerOptions): PlanningModel {
  const slotChoices = options.slotH > 0 ? [options.slotH] : [1, 2, 4, 8];
  let model = buildModelWithSlot(input, options, slotChoices[0]);
  for (const slotH of slotChoices.slice(1)) {
    if (model.candidates.length <= options.maxBinaries) break;
    model = buildModelWithSlot(input, options, slotH);
  }
  return model;
}

export function buildModelWithSlot(input: PlanningInput, options: PlannerOptions, slotH: number): PlanningModel {
  const slotMs = slotH * HOUR_MS;
  const origin = Math.ceil(input.now / HOUR_MS) * HOUR_MS;
  const slotCount = Math.floor((options.horizonH * HOUR_MS) / slotMs);
  const horizonEnd = origin + slotCount * slotMs;
  const candidates: Candidate[] = [];
  const byTask: number[][] = input.tasks.map(() => []);
  const noCandidateReason = new Map<number, string>();
  const stopsOf = new Map(input.windows.map((w) => [w.asset, w]));
  const busyTechnician = new Map<string, Interval[]>();
  const busyAsset = new Map<string, Interval[]>();
  for (const order of input.started) {
    if (order.end <= input.now) continue;
    busyTechnician.set(order.technician, [...(busyTechnician.get(order.technician) ?? []), order]);
    busyAsset.set(order.asset, [...(busyAsset.get(order.asset) ?? []), order]);
  }
  const overlapsBusy = (busy: Interval[] | undefined, start: number, end: number) =>
    (busy ?? []).some((b) => b.start < end && start < b.end);

  input.tasks.forEach((task, t) => {
    const durationMs = task.durationH * HOUR_MS;
    const durationSlots = Math.ceil(durationMs / slotMs - 1e-9);
    const latestEnd = task.deadline + options.lateToleranceH * HOUR_MS;
    const skilled = input.technicians.map((tech, k) => ({ tech, k })).filter(({ tech }) => hasSkills(tech, task));
    const parts = partTiming(task, input);
    if (skilled.length === 0) return noCandidateReason.set(t, `no technician has the skills: ${task.skills.join(", ")}`);
    if (latestEnd <= input.now) return noCandidateReason.set(t, `deadline already passed (${iso(task.deadline)})`);
    if (task.earliestStart + durationMs > latestEnd) {
      return noCandidateReason.set(t, `earliest start ${iso(task.earliestStart)} leaves no time before the deadline ${iso(task.deadline)}`);
    }
    if (parts.missing) return noCandidateReason.set(t, parts.missing);
    if (parts.notBefore + durationMs > latestEnd) {
      return noCandidateReason.set(t, `parts arrive ${iso(parts.notBefore)}, after the deadline ${iso(task.deadline)}`);
    }
    const windows = stopsOf.get(task.asset);
    const downtimeRate = windows?.downtimeCostPerH ?? options.defaultDowntimeCostPerH;
    const latenessRate = options.latenessCostPerH * PRIORITY_WEIGHT[task.priority] * (task.pFail ?? 1);
    const notBefore = Math.max(task.earliestStart, parts.notBefore, input.now);
    for (const { tech, k } of skilled) {
      for (const shift of tech.shifts) {
        const firstSlot = Math.max(0, Math.ceil((Math.max(shift.start, notBefore) - origin) / slotMs));
        for (let s = firstSlot; s + durationSlots <= slotCount; s++) {
          const start = origin + s * slotMs;
          const end = start + durationMs;
          if (end > shift.end || end > latestEnd || end > horizonEnd) break;
          if (overlapsBusy(busyTechnician.get(tech.id), start, start + durationSlots * slotMs)) continue;
          if (overlapsBusy(busyAsset.get(task.asset), start, start + durationSlots * slotMs)) continue;
          const labour = task.durationH * tech.hourlyCost;
          const downtime = hoursOutside(start, end, windows?.stops ?? []) * downtimeRate;
          const lateness = (Math.max(0, end - task.deadline) / HOUR_MS) * latenessRate;
          byTask[t].push(candidates.length);
          candidates.push({ task: t, technician: k, firstSlot: s, endSlot: s + durationSlots, start, end, labour, downtime, lateness, cost: labour + downtime + lateness });
        }
      }
    }
    if (byTask[t].length === 0) {
      noCandidateReason.set(t, "no capacity: no shift of a technician with the skills fits between earliest start and deadline");
    }
  });

  const model: PlanningModel = {
    input,
    options,
    origin,
    slotMs,
    slotCount,
    candidates,
    byTask,
    leftOutCost: input.tasks.map((task) => options.leftOutCost * PRIORITY_WEIGHT[task.priority]),
    noCandidateReason,
    rows: [],
  };
  model.rows = [...occupancyRows(model, "technician"), ...occupancyRows(model, "asset"), ...partRows(model)];
  return model;
}

/** One row per technician (or asset) and slot where two or more tasks could be at once. */
function occupancyRows(model: PlanningModel, kind: "technician" | "asset"): ConflictRow[] {
  const keyOf = (c: Candidate) => (kind === "technician" ? model.input.technicians[c.technician].id : model.input.tasks[c.task].asset);
  const cells = new Map<string, { candidates: number[]; tasks: Set<number> }>();
  model.candidates.forEach((c, i) => {
    for (let s = c.firstSlot; s < c.endSlot; s++) {
      const key = `${keyOf(c)}@${s}`;
      let cell = cells.get(key);
      if (!cell) cells.set(key, (cell = { candidates: [], tasks: new Set() }));
      cell.candidates.push(i);
      cell.tasks.add(c.task);
    }
  });
  const rows: ConflictRow[] = [];
  for (const [label, cell] of cells) {
    if (cell.tasks.size < 2) continue;
    rows.push({ kind, label, candidates: cell.candidates, weights: cell.candidates.map(() => 1), capacity: 1 });
  }
  return dropDominatedRows(rows);
}

/** Consecutive slots of one resource often hold the same candidates: one row per distinct set. */
function dropDominatedRows(rows: ConflictRow[]): ConflictRow[] {
  const keep: ConflictRow[] = [];
  const signatures = new Set<string>();
  for (const row of rows) {
    const signature = `${row.label.split("@")[0]}:${[...row.candidates].sort((a, b) => a - b).join(",")}`;
    if (signatures.has(signature)) continue;
    signatures.add(signature);
    keep.push(row);
  }
  return keep;
}

/** Candidates starting before a part's reorder arrives draw from its stock: at most the stock. */
function partRows(model: PlanningModel): ConflictRow[] {
  const rows: ConflictRow[] = [];
  for (const part of model.input.parts) {
    const arrival = model.input.now + part.leadTimeH * HOUR_MS;
    const candidates: number[] = [];
    const weights: number[] = [];
    const demand = new Map<number, number>();
    model.candidates.forEach((c, i) => {
      if (c.start >= arrival) return;
      const need = model.input.tasks[c.task].parts.find((p) => p.part === part.part);
      if (!need) return;
      candidates.push(i);
      weights.push(need.quantity);
      demand.set(c.task, need.quantity);
    });
    const totalDemand = [...demand.values()].reduce((a, b) => a + b, 0);
    if (totalDemand > part.stock) rows.push({ kind: "part", label: part.part, candidates, weights, capacity: part.stock });
  }
  return rows;
}

export interface Evaluation {
  feasible: boolean;
  /** The first violated rule, when not feasible. */
  violation?: string;
  labour: number;
  downtime: number;
  lateness: number;
  leftOut: number;
  objective: number;
}

/** Cost and feasibility of a choice of candidates (at most one per task). */
export function evaluate(model: PlanningModel, chosen: number[]): Evaluation {
  const result: Evaluation = { feasible: true, labour: 0, downtime: 0, lateness: 0, leftOut: 0, objective: 0 };
  const scheduled = new Set<number>();
  const usage = new Map<number, number>();
  const rowsOf = candidateRows(model);
  for (const i of chosen) {
    const c = model.candidates[i];
    if (scheduled.has(c.task)) return { ...result, feasible: false, violation: `task ${model.input.tasks[c.task].id} chosen twice` };
    scheduled.add(c.task);
    result.labour += c.labour;
    result.downtime += c.downtime;
    result.lateness += c.lateness;
    for (const { row, weight } of rowsOf[i]) {
      const used = (usage.get(row) ?? 0) + weight;
      if (used > model.rows[row].capacity) return { ...result, feasible: false, violation: `${model.rows[row].kind} ${model.rows[row].label} over capacity` };
      usage.set(row, used);
    }
  }
  // Tasks without any candidate cost the same in every plan: they are not part of the objective.
  model.byTask.forEach((list, t) => {
    if (list.length > 0 && !scheduled.has(t)) result.leftOut += model.leftOutCost[t];
  });
  result.objective = result.labour + result.downtime + result.lateness + result.leftOut;
  return result;
}

/** For each candidate, the rows it appears in and its weight there. */
export function candidateRows(model: PlanningModel): Array<Array<{ row: number; weight: number }>> {
  const rowsOf: Array<Array<{ row: number; weight: number }>> = model.candidates.map(() => []);
  model.rows.forEach((row, r) => row.candidates.forEach((i, j) => rowsOf[i].push({ row: r, weight: row.weights[j] })));
  return rowsOf;
}
