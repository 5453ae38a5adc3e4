/**
 * The optimum of a tiny planning instance by exhaustive search (depth first with a cost
 * bound), using only the checker's rules: every task either left out or given one
 * technician and one start on the hourly grid. Independent of the planner's model.
 */
import type { MaintenanceTask, WorkOrder } from "../../nodes/shared/contract";
import type { PlanningInput } from "../../nodes/planner/instance";
import { CheckerSettings, costOf, jointViolations, workOrderViolations } from "./checker";

const H = 3_600_000;

interface Option {
  order: WorkOrder;
  cost: number;
}

function optionsOf(input: PlanningInput, settings: CheckerSettings, task: MaintenanceTask): Option[] {
  const origin = Math.ceil(input.now / H) * H;
  const options: Option[] = [];
  for (let start = origin; start < origin + settings.horizonH * H; start += H) {
    for (const tech of input.technicians) {
      const order: WorkOrder = { id: `wo-${task.id}`, taskId: task.id, asset: task.asset, technician: tech.id, start, end: start + task.durationH * H, priority: task.priority, action: task.action, parts: task.parts };
      if (workOrderViolations(input, settings, task, order).length > 0) continue;
      if (jointViolations(input, [...input.started, order]).length > 0) continue;
      const cost = costOf({ ...input, tasks: [task] }, settings, [order], 1);
      options.push({ order, cost: cost.labour + cost.downtime + cost.lateness });
    }
  }
  return options.sort((a, b) => a.cost - b.cost);
}

/** The least objective over all valid plans (hourly starts), with the plan. */
export function exhaustiveOptimum(input: PlanningInput, settings: CheckerSettings): { objective: number; orders: WorkOrder[] } {
  const tasks = input.tasks.map((task) => {
    const options = optionsOf(input, settings, task);
    // A task nobody can do costs the same in every plan: no penalty (as in the checker's objective).
    const penalty = options.length > 0 ? settings.leftOutCost * { low: 1, medium: 2, high: 4, urgent: 8 }[task.priority] : 0;
    return { options, penalty, cheapest: Math.min(penalty, options[0]?.cost ?? Infinity) };
  });
  let best = { objective: Infinity, orders: [] as WorkOrder[] };
  const chosen: WorkOrder[] = [];
  const search = (i: number, cost: number) => {
    let bound = cost;
    for (let j = i; j < tasks.length; j++) bound += tasks[j].cheapest;
    if (bound >= best.objective - 1e-9) return;
    if (i === tasks.length) {
      best = { objective: cost, orders: [...chosen] };
      return;
    }
    for (const option of tasks[i].options) {
      chosen.push(option.order);
      if (jointViolations(input, chosen).length === 0) search(i + 1, cost + option.cost);
      chosen.pop();
    }
    search(i + 1, cost + tasks[i].penalty);
  };
  search(0, 0);
  return best;
}
