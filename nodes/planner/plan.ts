/**
 * One planning run, start to end, on the thread it is called on: the model, the greedy
 * plan (reported at once), then the MILP from that plan within the time limit; the better
 * of the two is the final plan. planner-worker.ts runs it in a worker thread.
 */
import type { Schedule } from "../shared/contract";
import { PlannerOptions, PlanningInput } from "./instance";
import { greedyPlan } from "./heuristic";
import { Milp, buildMilp, chosenOf, columnsOf } from "./milp";
import { PlanningModel, buildModel, evaluate } from "./model";
import { PlannerSchedule, toSchedule } from "./schedule";
import { SolveProgress, SolveResult, SolverName, solve } from "./solvers";

export interface SolverSettings {
  solver: SolverName;
  timeLimitS: number;
  /** Stop at this proven relative gap (0.01 = 1 %). */
  gapTarget: number;
}

export interface PlanJob {
  input: PlanningInput;
  options: PlannerOptions;
  settings: SolverSettings;
  /** The last plan sent, for the changed-assignments count. */
  previous?: Schedule;
}

/** What a planning run reports, in this order: first, progress…, final. */
export type PlanMessage =
  | { type: "first"; schedule: PlannerSchedule; solving: boolean }
  | { type: "progress"; progress: SolveProgress }
  | { type: "final"; schedule: PlannerSchedule };

export async function runPlan(job: PlanJob, report: (message: PlanMessage) => void): Promise<void> {
  const { input, options, settings, previous } = job;
  const started = performance.now();
  const model = buildModel(input, options);
  const greedy = greedyPlan(model);
  const heuristicMs = performance.now() - started;
  if (model.candidates.length === 0) {
    // Nothing to decide: the plan that leaves every task out (with its reasons) is optimal.
    const only = toSchedule(model, greedy, { name: "heuristic", status: "optimal", bound: Infinity, timeMs: heuristicMs }, previous);
    report({ type: "first", schedule: only, solving: false });
    return report({ type: "final", schedule: only });
  }
  const first = toSchedule(model, greedy, { name: "heuristic", status: "heuristic", bound: 0, timeMs: heuristicMs }, previous);
  if (model.candidates.length > options.maxBinaries) {
    report({ type: "first", schedule: first, solving: false });
    const status = `heuristic only: model too large (${model.candidates.length} assignments > ${options.maxBinaries})`;
    return report({ type: "final", schedule: { ...first, solver: { ...first.solver, status } } });
  }
  report({ type: "first", schedule: first, solving: true });
  const milp = buildMilp(model);
  const result = await solve(
    { milp, solver: settings.solver, timeLimitS: settings.timeLimitS, gapTarget: settings.gapTarget, incumbent: columnsOf(milp, model, greedy) },
    (progress) => report({ type: "progress", progress }),
  );
  const status = result.message ? `${result.status}: ${result.message}` : result.status;
  const final = toSchedule(model, bestOf(model, milp, greedy, result), { name: result.solver, status, bound: result.bound ?? 0, timeMs: performance.now() - started }, previous);
  report({ type: "final", schedule: final });
}

/** The solver's plan if it is feasible and no worse than the heuristic's. */
function bestOf(model: PlanningModel, milp: Milp, greedy: number[], result: SolveResult): number[] {
  if (!result.columns) return greedy;
  const chosen = chosenOf(milp, result.columns);
  const solverPlan = evaluate(model, chosen);
  return solverPlan.feasible && solverPlan.objective <= evaluate(model, greedy).objective + 1e-6 ? chosen : greedy;
}
