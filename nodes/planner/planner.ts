/**
 * The anytime planner: a feasible plan from the greedy heuristic at once, then the MILP
 * solved in a worker thread within a time limit, starting from that plan; the better of
 * the two is the final plan. Re-planning passes the previous plan: started work stays,
 * and the result counts the assignments that changed.
 */
import type { Schedule } from "../shared/contract";
import { PlannerOptions, PlanningInput } from "./instance";
import { greedyPlan } from "./heuristic";
import { Milp, buildMilp, chosenOf, columnsOf } from "./milp";
import { PlanningModel, buildModel, evaluate } from "./model";
import { PlannerSchedule, toSchedule } from "./schedule";
import { SolveProgress, SolveResult, SolverName } from "./solvers";
import { solveInWorker } from "./solve-in-worker";

export interface SolverSettings {
  solver: SolverName;
  timeLimitS: number;
  /** Stop at this proven relative gap (0.01 = 1 %). */
  gapTarget: number;
}

export interface PlanRun {
  model: PlanningModel;
  /** The heuristic plan, available at once. */
  first: PlannerSchedule;
  /** The final plan: the solver's if it found a better one, else the heuristic's with the solver's bound. */
  final: Promise<PlannerSchedule>;
  cancel(): void;
}

/** Start planning. `previous` is the last plan sent (for the changed-assignments count). */
export function startPlan(
  input: PlanningInput,
  options: PlannerOptions,
  settings: SolverSettings,
  previous?: Schedule,
  onProgress: (p: SolveProgress) => void = () => undefined,
): PlanRun {
  const started = performance.now();
  const model = buildModel(input, options);
  const greedy = greedyPlan(model);
  const heuristicMs = performance.now() - started;
  const nothingToDecide = model.candidates.length === 0;
  const first = toSchedule(model, greedy, { name: "heuristic", status: nothingToDecide ? "optimal" : "heuristic", bound: nothingToDecide ? Infinity : 0, timeMs: heuristicMs }, previous);
  if (nothingToDecide) return { model, first, final: Promise.resolve(first), cancel: () => undefined };
  if (model.candidates.length > options.maxBinaries) {
    const status = `heuristic only: model too large (${model.candidates.length} assignments > ${options.maxBinaries})`;
    const only = { ...first, solver: { ...first.solver, status } };
    return { model, first, final: Promise.resolve(only), cancel: () => undefined };
  }
  const milp = buildMilp(model);
  const running = solveInWorker({ milp, solver: settings.solver, timeLimitS: settings.timeLimitS, gapTarget: settings.gapTarget, incumbent: columnsOf(milp, model, greedy) }, onProgress);
  const final = running.result.then((result) => {
    const timeMs = performance.now() - started;
    return toSchedule(model, bestOf(model, milp, greedy, result), { name: result.solver, status: statusText(result), bound: result.bound ?? 0, timeMs }, previous);
  });
  return { model, first, final, cancel: running.cancel };
}

/** The solver's plan if it is feasible and no worse than the heuristic's. */
function bestOf(model: PlanningModel, milp: Milp, greedy: number[], result: SolveResult): number[] {
  if (!result.columns) return greedy;
  const chosen = chosenOf(milp, result.columns);
  const solverPlan = evaluate(model, chosen);
  return solverPlan.feasible && solverPlan.objective <= evaluate(model, greedy).objective + 1e-6 ? chosen : greedy;
}

function statusText(result: SolveResult): string {
  return result.message ? `${result.status}: ${result.message}` : result.status;
}
