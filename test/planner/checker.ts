/**
 * The independent schedule checker: reads a schedule and the raw planning input (epoch
 * ms, hours) and lists every broken rule. Written from the rules in docs/planner.md, not
 * from the planner's model: it uses no slot grid, no candidates and no code of
 * nodes/planner beyond the input types.
 */
import type { MaintenanceTask, Priority, Schedule, WorkOrder } from "../../nodes/shared/contract";
import type { Interval, PlanningInput } from "../../nodes/planner/instance";

/** The cost settings the rules depend on. */
export interface CheckerSettings {
  horizonH: number;
  lateToleranceH: number;
  latenessCostPerH: number;
  leftOutCost: number;
  defaultDowntimeCostPerH: number;
}

const H = 3_600_000;
const WEIGHT: Record<Priority, number> = { low: 1, medium: 2, high: 4, urgent: 8 };

export interface CheckedCost {
  labour: number;
  downtime: number;
  lateness: number;
  leftOut: number;
  objective: number;
}

const overlaps = (a: Interval, b: Interval) => a.start < b.end && b.start < a.end;

function uncoveredHours(start: number, end: number, covers: Interval[]): number {
  // Walk the hour fractions minute by minute: slow, obviously right.
  let outside = 0;
  for (let t = start; t < end; t += 60_000) if (!covers.some((c) => c.start <= t && t < c.end)) outside++;
  return outside / 60;
}

/** Rules one work order must satisfy on its own; the empty list when it does. */
export function workOrderViolations(input: PlanningInput, settings: CheckerSettings, task: MaintenanceTask, order: Pick<WorkOrder, "technician" | "start" | "end" | "asset">): string[] {
  const problems: string[] = [];
  const where = `task ${task.id}`;
  const tech = input.technicians.find((t) => t.id === order.technician);
  if (!tech) return [`${where}: unknown technician ${order.technician}`];
  for (const skill of task.skills) if (!tech.skills.includes(skill)) problems.push(`${where}: ${tech.id} lacks skill ${skill}`);
  if (order.asset !== task.asset) problems.push(`${where}: work order on asset ${order.asset}, task on ${task.asset}`);
  if (Math.abs(order.end - order.start - task.durationH * H) > 1) problems.push(`${where}: lasts ${(order.end - order.start) / H} h, task needs ${task.durationH} h`);
  if (order.start < input.now) problems.push(`${where}: starts before now`);
  if (order.start < task.earliestStart) problems.push(`${where}: starts before its earliest start`);
  if (!tech.shifts.some((s) => s.start <= order.start && order.end <= s.end)) problems.push(`${where}: not inside one shift of ${tech.id}`);
  if (order.end > task.deadline + settings.lateToleranceH * H) problems.push(`${where}: ends after deadline + tolerance`);
  if (order.end > Math.ceil(input.now / H) * H + settings.horizonH * H) problems.push(`${where}: ends after the horizon`);
  for (const need of task.parts) {
    const part = input.parts.find((p) => p.part === need.part);
    if (!part) problems.push(`${where}: part ${need.part} is unknown, the task cannot be done`);
    else if (part.stock < need.quantity && order.start < input.now + part.leadTimeH * H) problems.push(`${where}: starts before part ${need.part} arrives`);
  }
  return problems;
}

/**
 * Whether a task could be done alone: some technician and some start on the plan's grid
 * (every `slotH` hours from now rounded up to the hour) that breaks no rule and does not
 * collide with started work. Tasks that cannot be done carry no penalty in the objective.
 */
export function doableAlone(input: PlanningInput, settings: CheckerSettings, task: MaintenanceTask, slotH: number): boolean {
  const origin = Math.ceil(input.now / H) * H;
  const running = input.started.filter((o) => o.end > input.now);
  for (let start = origin; start < origin + settings.horizonH * H; start += slotH * H) {
    // The plan reserves whole slots: a started work order must not touch the slots either.
    const reserved = { start, end: start + Math.ceil(task.durationH / slotH - 1e-9) * slotH * H };
    for (const tech of input.technicians) {
      const order = { technician: tech.id, asset: task.asset, start, end: start + task.durationH * H };
      if (workOrderViolations(input, settings, task, order).length > 0) continue;
      if (running.some((o) => (o.technician === tech.id || o.asset === task.asset) && overlaps(o, reserved))) continue;
      return true;
    }
  }
  return false;
}

/** What a set of work orders costs, by the rules (labour, downtime outside stops, lateness, left out). */
export function costOf(input: PlanningInput, settings: CheckerSettings, orders: WorkOrder[], slotH: number): CheckedCost {
  const doable = (task: MaintenanceTask) => doableAlone(input, settings, task, slotH);
  const cost: CheckedCost = { labour: 0, downtime: 0, lateness: 0, leftOut: 0, objective: 0 };
  const done = new Set<string>();
  for (const order of orders) {
    const task = input.tasks.find((t) => t.id === order.taskId);
    const tech = input.technicians.find((t) => t.id === order.technician);
    if (!task || !tech) continue;
    done.add(task.id);
    const windows = input.windows.find((w) => w.asset === task.asset);
    cost.labour += task.durationH * tech.hourlyCost;
    cost.downtime += uncoveredHours(order.start, order.end, windows?.stops ?? []) * (windows?.downtimeCostPerH ?? settings.defaultDowntimeCostPerH);
    cost.lateness += (Math.max(0, order.end - task.deadline) / H) * settings.latenessCostPerH * WEIGHT[task.priority] * (task.pFail ?? 1);
  }
  for (const task of input.tasks) if (!done.has(task.id) && doable(task)) cost.leftOut += settings.leftOutCost * WEIGHT[task.priority];
  cost.objective = cost.labour + cost.downtime + cost.lateness + cost.leftOut;
  return cost;
}

/** Rules between work orders: one at a time per technician and per asset, parts drawn from stock. */
export function jointViolations(input: PlanningInput, orders: WorkOrder[]): string[] {
  const problems: string[] = [];
  for (let i = 0; i < orders.length; i++) {
    for (let j = i + 1; j < orders.length; j++) {
      const [a, b] = [orders[i], orders[j]];
      if (a.technician === b.technician && overlaps(a, b)) problems.push(`${a.technician} has ${a.taskId} and ${b.taskId} at once`);
      if (a.asset === b.asset && overlaps(a, b)) problems.push(`asset ${a.asset} has ${a.taskId} and ${b.taskId} at once`);
    }
  }
  for (const part of input.parts) {
    const arrival = input.now + part.leadTimeH * H;
    let fromStock = 0;
    for (const order of orders) {
      const task = input.tasks.find((t) => t.id === order.taskId);
      const need = task?.parts.find((p) => p.part === part.part);
      if (need && order.start < arrival && order.start >= input.now) fromStock += need.quantity;
    }
    if (fromStock > part.stock) problems.push(`part ${part.part}: ${fromStock} drawn before the reorder arrives, stock ${part.stock}`);
  }
  return problems;
}

/** Every broken rule of a schedule; the empty list when it is valid. */
export function checkSchedule(input: PlanningInput, settings: CheckerSettings, schedule: Schedule & { objective: number; slotH: number }): string[] {
  const problems: string[] = [];
  const started = input.started.filter((o) => o.start < input.now);
  for (const order of started) {
    const kept = schedule.workOrders.find((o) => o.id === order.id);
    if (!kept || kept.start !== order.start || kept.end !== order.end || kept.technician !== order.technician) problems.push(`started work order ${order.id} was changed or dropped`);
  }
  const planned = schedule.workOrders.filter((o) => !started.some((s) => s.id === o.id));
  const seen = new Map<string, number>();
  for (const order of planned) {
    seen.set(order.taskId, (seen.get(order.taskId) ?? 0) + 1);
    const task = input.tasks.find((t) => t.id === order.taskId);
    if (!task) {
      problems.push(`work order ${order.id} for unknown task ${order.taskId}`);
      continue;
    }
    if (order.priority !== task.priority || order.action !== task.action) problems.push(`work order ${order.id} does not copy its task's priority and action`);
    problems.push(...workOrderViolations(input, settings, task, order));
  }
  for (const task of input.tasks) {
    const scheduled = seen.get(task.id) ?? 0;
    const left = schedule.unscheduled.filter((u) => u.taskId === task.id);
    if (scheduled > 1) problems.push(`task ${task.id} scheduled ${scheduled} times`);
    if (scheduled + left.length !== 1) problems.push(`task ${task.id}: ${scheduled} work orders and ${left.length} unscheduled entries, expected exactly one`);
    for (const entry of left) if (!entry.reason.trim()) problems.push(`task ${task.id} left out without a reason`);
  }
  problems.push(...jointViolations(input, schedule.workOrders));
  const cost = costOf(input, settings, planned, schedule.slotH);
  const close = (a: number, b: number) => Math.abs(a - b) <= 1e-6 * Math.max(1, Math.abs(a), Math.abs(b));
  if (!close(cost.labour, schedule.cost.labour)) problems.push(`labour cost ${schedule.cost.labour}, rules give ${cost.labour}`);
  if (!close(cost.downtime, schedule.cost.downtime)) problems.push(`downtime cost ${schedule.cost.downtime}, rules give ${cost.downtime}`);
  if (!close(cost.lateness, schedule.cost.lateness)) problems.push(`lateness cost ${schedule.cost.lateness}, rules give ${cost.lateness}`);
  if (!close(cost.labour + cost.downtime + cost.lateness, schedule.cost.total)) problems.push(`total cost ${schedule.cost.total} is not the sum of its parts`);
  if (!close(cost.objective, schedule.objective)) problems.push(`objective ${schedule.objective}, rules give ${cost.objective}`);
  return problems;
}
