/**
 * The two MILP solvers behind one call: HiGHS (npm `highs`, a WebAssembly build of the
 * HiGHS branch-and-cut solver) and javascript-lp-solver (pure JavaScript branch and
 * bound). Both run synchronously, so the planner calls them in a worker thread
 * (planner-worker.ts); this module itself knows nothing of threads.
 */
import type { Highs } from "highs";
import loadHighs from "highs";
import jsLpSolver from "javascript-lp-solver";
import type { Model as JsLpModel, SolveResult as JsLpResult } from "javascript-lp-solver";
import { Milp, objectiveOf, relativeGap } from "./milp";

export const SOLVERS = ["highs", "javascript-lp-solver"] as const;
export type SolverName = (typeof SOLVERS)[number];

export interface SolveJob {
  milp: Milp;
  solver: SolverName;
  timeLimitS: number;
  /** Stop when the proven relative gap is at most this (0 = prove the optimum). */
  gapTarget: number;
  /** A feasible column vector to start from (the heuristic plan). */
  incumbent?: number[];
}

export interface SolveProgress {
  elapsedS: number;
  /** Best objective found so far, and the best proven lower bound, when known. */
  incumbent?: number;
  bound?: number;
  gap?: number;
}

export type SolveStatus = "optimal" | "gap reached" | "time limit" | "infeasible" | "no solution" | "error";

export interface SolveResult {
  solver: SolverName;
  status: SolveStatus;
  /** The best solution found, if any. */
  columns?: number[];
  objective?: number;
  /** Proven lower bound on the objective, when the solver proved one. */
  bound?: number;
  /** Relative gap (objective - bound) / objective; 1 when nothing is proven. */
  gap: number;
  timeMs: number;
  message?: string;
}

let highsLoading: Promise<Highs> | undefined;
function highs(): Promise<Highs> {
  highsLoading ??= loadHighs();
  return highsLoading;
}

/** Progress callbacks come from inside the solver: report at most this often. */
const PROGRESS_EVERY_MS = 250;

export async function solveWithHighs(job: SolveJob, onProgress: (p: SolveProgress) => void): Promise<SolveResult> {
  const h = await highs();
  const started = performance.now();
  const { milp } = job;
  const starts = [0];
  const indices: number[] = [];
  const values: number[] = [];
  for (const row of milp.rows) {
    indices.push(...row.indices);
    values.push(...row.values);
    starts.push(indices.length);
  }
  const model = h.createModel({
    numCols: milp.numCols,
    numRows: milp.rows.length,
    colCost: milp.colCost,
    colLower: new Array<number>(milp.numCols).fill(0),
    colUpper: new Array<number>(milp.numCols).fill(1),
    rowLower: milp.rows.map((r) => (Number.isFinite(r.lower) ? r.lower : -h.infinity)),
    rowUpper: milp.rows.map((r) => (Number.isFinite(r.upper) ? r.upper : h.infinity)),
    matrix: { format: "csr", numRows: milp.rows.length, numCols: milp.numCols, starts, indices, values },
    integrality: Array.from({ length: milp.numCols }, (_, i) =>
      i < milp.candidateCount ? h.constants.variableType.integer : h.constants.variableType.continuous,
    ),
  });
  try {
    model.options.set({ output_flag: false, time_limit: job.timeLimitS, mip_rel_gap: job.gapTarget });
    if (job.incumbent) model.setSolution({ colValue: job.incumbent });
    let lastReport = 0;
    const report = (data: { running_time?: number; mip_primal_bound?: number; mip_dual_bound?: number; mip_gap?: number }) => {
      const now = performance.now();
      if (now - lastReport < PROGRESS_EVERY_MS) return;
      lastReport = now;
      const finite = (x: number | undefined) => (x !== undefined && Number.isFinite(x) && Math.abs(x) < 1e20 ? x : undefined);
      onProgress({ elapsedS: data.running_time ?? (now - started) / 1000, incumbent: finite(data.mip_primal_bound), bound: finite(data.mip_dual_bound), gap: finite(data.mip_gap) });
    };
    model.run({
      [h.constants.callbackType.mipLogging]: (event) => void report(event.data),
      [h.constants.callbackType.mipImprovingSolution]: (event) => void report(event.data),
    });
    const status = model.getModelStatus();
    const timeMs = performance.now() - started;
    const codes = h.constants.modelStatus;
    if (status === codes.infeasible) return { solver: "highs", status: "infeasible", gap: 1, timeMs };
    const columns = Array.from(model.getSolution().colValue);
    const hasSolution = columns.length === milp.numCols && status !== codes.notSet && Number(model.info.get("primal_solution_status")) === h.constants.solutionStatus.feasible;
    if (!hasSolution) return { solver: "highs", status: status === codes.timeLimit ? "time limit" : "no solution", gap: 1, timeMs };
    const objective = objectiveOf(milp, columns);
    const bound = Number(model.info.get("mip_dual_bound"));
    const gap = status === codes.optimal && job.gapTarget === 0 ? 0 : relativeGap(objective, bound);
    const solveStatus: SolveStatus = status === codes.optimal ? (gap <= 1e-6 ? "optimal" : "gap reached") : status === codes.timeLimit ? "time limit" : "no solution";
    return { solver: "highs", status: solveStatus, columns, objective, bound: Number.isFinite(bound) ? bound : undefined, gap, timeMs };
  } finally {
    model.dispose();
  }
}

/**
 * javascript-lp-solver has no progress hooks and no bound on a timeout: it reports
 * "optimal" when its branch and bound finished within the time limit, else its best
 * integer solution with gap 1 (not proven).
 */
export function solveWithJsLp(job: SolveJob): SolveResult {
  const started = performance.now();
  const { milp } = job;
  const variables: JsLpModel["variables"] = {};
  const ints: Record<string, 1> = {};
  for (let i = 0; i < milp.numCols; i++) {
    // No bound rows: every column is in its task's row "= 1", so it is at most 1 anyway.
    variables[`x${i}`] = { cost: milp.colCost[i] };
    if (i < milp.candidateCount) ints[`x${i}`] = 1;
  }
  const constraints: JsLpModel["constraints"] = {};
  milp.rows.forEach((row, r) => {
    row.indices.forEach((col, j) => (variables[`x${col}`][`r${r}`] = row.values[j]));
    constraints[`r${r}`] = row.lower === row.upper ? { equal: row.upper } : { max: row.upper };
  });
  const timeoutMs = job.timeLimitS * 1000;
  // Solve() is typed `SolveResult | unknown` for its multi-objective mode; a single objective gives a SolveResult.
  const result = jsLpSolver.Solve({ optimize: "cost", opType: "min", constraints, variables, ints, options: { timeout: timeoutMs, tolerance: job.gapTarget } }) as JsLpResult;
  const timeMs = performance.now() - started;
  const timedOut = timeMs >= timeoutMs * 0.98;
  if (!result.feasible) {
    return { solver: "javascript-lp-solver", status: timedOut ? "time limit" : "infeasible", gap: 1, timeMs };
  }
  const columns = Array.from({ length: milp.numCols }, (_, i) => Number(result[`x${i}`] ?? 0));
  const objective = objectiveOf(milp, columns);
  if (timedOut) return { solver: "javascript-lp-solver", status: "time limit", columns, objective, gap: 1, timeMs };
  return { solver: "javascript-lp-solver", status: job.gapTarget > 0 ? "gap reached" : "optimal", columns, objective, bound: objective * (1 - job.gapTarget), gap: job.gapTarget, timeMs };
}

export function solve(job: SolveJob, onProgress: (p: SolveProgress) => void): Promise<SolveResult> {
  if (job.solver === "highs") return solveWithHighs(job, onProgress);
  onProgress({ elapsedS: 0 });
  return Promise.resolve(solveWithJsLp(job));
}
