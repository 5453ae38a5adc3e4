/**
 * The fast first plan: tasks in order of what leaving them out would cost (priority),
 * then by deadline, each placed at its cheapest candidate that is still free; then passes
 * that move a task to a cheaper candidate, pushing aside the one task in its way if that
 * task has somewhere else to go (or is cheaper left out). Milliseconds for hundreds of
 * tasks, always feasible, and the MILP's starting incumbent.
 */
import { PlanningModel, candidateRows } from "./model";

export function greedyPlan(model: PlanningModel, improvementPasses = 4): number[] {
  const rowsOf = candidateRows(model);
  const usage = new Float64Array(model.rows.length);
  /** Which tasks have their chosen candidate in each row. */
  const occupants = model.rows.map(() => new Set<number>());
  const chosen: Array<number | undefined> = model.byTask.map(() => undefined);
  const fits = (i: number) => rowsOf[i].every(({ row, weight }) => usage[row] + weight <= model.rows[row].capacity + 1e-9);
  const place = (t: number, i: number | undefined) => {
    const old = chosen[t];
    if (old !== undefined) {
      for (const { row, weight } of rowsOf[old]) {
        usage[row] -= weight;
        occupants[row].delete(t);
      }
    }
    if (i !== undefined) {
      for (const { row, weight } of rowsOf[i]) {
        usage[row] += weight;
        occupants[row].add(t);
      }
    }
    chosen[t] = i;
  };
  const costOf = (t: number, i: number | undefined) => (i === undefined ? model.leftOutCost[t] : model.candidates[i].cost);
  const byCost = model.byTask.map((list) => [...list].sort((a, b) => model.candidates[a].cost - model.candidates[b].cost));
  /** The cheapest free candidate of a task, or undefined (left out) when none beats leaving it out. */
  const bestFree = (t: number) => {
    const pick = byCost[t].find(fits);
    return pick !== undefined && model.candidates[pick].cost < model.leftOutCost[t] ? pick : undefined;
  };

  const order = model.input.tasks
    .map((task, t) => ({ t, leftOut: model.leftOutCost[t], deadline: task.deadline }))
    .sort((a, b) => b.leftOut - a.leftOut || a.deadline - b.deadline)
    .map(({ t }) => t);
  for (const t of order) place(t, bestFree(t));

  for (let pass = 0; pass < improvementPasses; pass++) {
    let improved = false;
    for (const t of order) {
      for (const candidate of byCost[t]) {
        if (model.candidates[candidate].cost >= costOf(t, chosen[t]) - 1e-9) break;
        if (tryMove(t, candidate)) {
          improved = true;
          break;
        }
      }
    }
    if (!improved) break;
  }
  return chosen.filter((i): i is number => i !== undefined);

  /** Move task t to `candidate`, displacing at most one other task; keep it if the plan gets cheaper. */
  function tryMove(t: number, candidate: number): boolean {
    const before = chosen[t];
    place(t, undefined);
    const blockers = new Set<number>();
    for (const { row, weight } of rowsOf[candidate]) {
      if (usage[row] + weight > model.rows[row].capacity + 1e-9) occupants[row].forEach((u) => blockers.add(u));
    }
    if (blockers.size > 1) {
      place(t, before);
      return false;
    }
    const [blocker] = blockers;
    const blockerBefore = blocker === undefined ? undefined : chosen[blocker];
    if (blocker !== undefined) place(blocker, undefined);
    if (!fits(candidate)) {
      if (blocker !== undefined) place(blocker, blockerBefore);
      place(t, before);
      return false;
    }
    place(t, candidate);
    let delta = model.candidates[candidate].cost - costOf(t, before);
    if (blocker !== undefined) {
      const moved = bestFree(blocker);
      place(blocker, moved);
      delta += costOf(blocker, moved) - costOf(blocker, blockerBefore);
    }
    if (delta < -1e-9) return true;
    // Not better: put everything back.
    if (blocker !== undefined) place(blocker, undefined);
    place(t, before);
    if (blocker !== undefined) place(blocker, blockerBefore);
    return false;
  }
}
