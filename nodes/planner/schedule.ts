/**
 * From a choice of candidates to what the node sends: work orders (started work kept as
 * it is), the tasks left out with the reason, the cost breakdown, Gantt rows for a
 * dashboard, and how many assignments changed against the previous plan.
 */
import type { Schedule, UnscheduledTask, WorkOrder } from "../shared/contract";
import { relativeGap } from "./milp";
import { Evaluation, PlanningModel, evaluate } from "./model";

export interface GanttItem {
  id: string;
  taskId: string;
  asset: string;
  label: string;
  start: number;
  end: number;
  priority: WorkOrder["priority"];
  /** Work already under way when the plan was made. */
  started: boolean;
}

export interface GanttRow {
  technician: string;
  items: GanttItem[];
}

/** The contract's Schedule plus what the planner knows beyond it. */
export interface PlannerSchedule extends Schedule {
  /**
   * Objective of the plan: cost.total plus the penalties of the tasks it left out although
   * it could have done them (tasks nobody can do cost the same in every plan and are not counted).
   */
  objective: number;
  /** Best proven lower bound on the objective (0 when nothing better is proven). */
  bound: number;
  /** Slot length of the model, hours: starts are on this grid. */
  slotH: number;
  gantt: GanttRow[];
  /** Tasks whose technician or start differs from the previous plan (or that moved in or out of it). */
  changedAssignments: number;
}

export interface SolverInfo {
  name: string;
  status: string;
  bound: number;
  timeMs: number;
}

function leftOutReason(model: PlanningModel, t: number): string {
  const reason = model.noCandidateReason.get(t);
  if (reason) return reason;
  const cheapest = Math.min(...model.byTask[t].map((i) => model.candidates[i].cost));
  if (cheapest >= model.leftOutCost[t]) {
    return `doing it costs more (at least ${cheapest.toFixed(0)}) than leaving it out (${model.leftOutCost[t].toFixed(0)})`;
  }
  return "no capacity: every possible slot is taken by more valuable work (technicians, the asset or its parts)";
}

export function toSchedule(model: PlanningModel, chosen: number[], solver: SolverInfo, previous?: Schedule): PlannerSchedule {
  const { input } = model;
  const evaluation: Evaluation = evaluate(model, chosen);
  if (!evaluation.feasible) throw new Error(`internal error: infeasible plan (${evaluation.violation})`);
  const planned: WorkOrder[] = chosen.map((i) => {
    const c = model.candidates[i];
    const task = input.tasks[c.task];
    return {
      id: `wo-${task.id}`,
      taskId: task.id,
      asset: task.asset,
      technician: input.technicians[c.technician].id,
      start: c.start,
      end: c.end,
      priority: task.priority,
      action: task.action,
      parts: task.parts,
    };
  });
  const started = input.started.filter((order) => order.start < input.now);
  const workOrders = [...started, ...planned].sort((a, b) => a.start - b.start || a.technician.localeCompare(b.technician));
  const scheduledTasks = new Set(chosen.map((i) => model.candidates[i].task));
  const unscheduled: UnscheduledTask[] = input.tasks.flatMap((task, t) => (scheduledTasks.has(t) ? [] : [{ taskId: task.id, reason: leftOutReason(model, t) }]));
  const total = evaluation.labour + evaluation.downtime + evaluation.lateness;
  const bound = Math.min(solver.bound, evaluation.objective);
  return {
    createdAt: input.now,
    workOrders,
    unscheduled,
    cost: { labour: evaluation.labour, downtime: evaluation.downtime, lateness: evaluation.lateness, total },
    solver: { name: solver.name, status: solver.status, gap: relativeGap(evaluation.objective, bound), timeMs: solver.timeMs },
    objective: evaluation.objective,
    bound,
    slotH: model.slotMs / 3_600_000,
    gantt: ganttRows(workOrders, input.technicians.map((t) => t.id), input.now),
    changedAssignments: previous ? changedAssignments(previous, workOrders, new Set(input.tasks.map((t) => t.id))) : 0,
  };
}

function ganttRows(workOrders: WorkOrder[], technicians: string[], now: number): GanttRow[] {
  return technicians.map((technician) => ({
    technician,
    items: workOrders
      .filter((order) => order.technician === technician)
      .map((order) => ({
        id: order.id,
        taskId: order.taskId,
        asset: order.asset,
        label: `${order.asset}: ${order.action}`,
        start: order.start,
        end: order.end,
        priority: order.priority,
        started: order.start < now,
      })),
  }));
}

/** Tasks of the current plan whose assignment differs from the previous plan's. */
export function changedAssignments(previous: Schedule, workOrders: WorkOrder[], taskIds: Set<string>): number {
  const before = new Map(previous.workOrders.map((o) => [o.taskId, o]));
  const after = new Map(workOrders.map((o) => [o.taskId, o]));
  let changed = 0;
  for (const taskId of taskIds) {
    const a = before.get(taskId);
    const b = after.get(taskId);
    const wasPlanned = a !== undefined || previous.unscheduled.some((u) => u.taskId === taskId);
    if (!wasPlanned) continue; // a new task is not a change of an assignment
    if (!a || !b ? a !== b : a.technician !== b.technician || a.start !== b.start) changed++;
  }
  return changed;
}
