/**
 * The fast first plan: tasks in order of what leaving them out would cost (priority),
 * then by deadline, each placed at its cheapest candidate that is still free; then a few
 * passes that move each task to a cheaper free candidate if there is one. Milliseconds
 * even for hundreds of tasks, always feasible, and the MILP's starting incumbent.
 */
import { PlanningModel, candidateRows } from "./model";

export function greedyPlan(model: PlanningModel, improvementPasses = 3): number[] {
  const rowsOf = candidateRows(model);
  const usage = new Float64Array(model.rows.length);
  const fits = (i: number) => rowsOf[i].every(({ row, weight }) => usage[row] + weight <= model.rows[row].capacity + 1e-9);
  const take = (i: number, sign: 1 | -1) => rowsOf[i].forEach(({ row, weight }) => (usage[row] += sign * weight));
  const byCost = model.byTask.map((list) => [...list].sort((a, b) => model.candidates[a].cost - model.candidates[b].cost));
  const chosen: Array<number | undefined> = model.byTask.map(() => undefined);

  const order = model.input.tasks
    .map((task, t) => ({ t, leftOut: model.leftOutCost[t], deadline: task.deadline }))
    .sort((a, b) => b.leftOut - a.leftOut || a.deadline - b.deadline);
  for (const { t } of order) {
    const pick = byCost[t].find(fits);
    if (pick !== undefined && model.candidates[pick].cost < model.leftOutCost[t]) {
      chosen[t] = pick;
      take(pick, 1);
    }
  }

  for (let pass = 0; pass < improvementPasses; pass++) {
    let improved = false;
    for (const { t } of order) {
      const current = chosen[t];
      if (current !== undefined) take(current, -1);
      const pick = byCost[t].find(fits);
      const better = pick !== undefined && model.candidates[pick].cost < (current === undefined ? model.leftOutCost[t] : model.candidates[current].cost);
      const next = better ? pick : current;
      if (next !== undefined) take(next, 1);
      if (next !== current) improved = true;
      chosen[t] = next;
    }
    if (!improved) break;
  }
  return chosen.filter((i): i is number => i !== undefined);
}
