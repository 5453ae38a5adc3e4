/**
 * The planner's MILP solved by HiGHS and by javascript-lp-solver on the same models, side
 * by side: solve time, and each plan's cost beside the best lower bound proven in the run
 * (ratio = 1 - gap, 1.00x = proven optimal). Easy instances (the LP relaxation is nearly
 * integral) and congested ones (more work than capacity, shared assets, scarce parts).
 * Each solver runs in a worker thread with a time limit, as in the node.
 */
import { DEFAULT_OPTIONS, PlannerOptions } from "../nodes/planner/instance";
import { greedyPlan } from "../nodes/planner/heuristic";
import { buildMilp, chosenOf, columnsOf, relativeGap } from "../nodes/planner/milp";
import { buildModel, evaluate } from "../nodes/planner/model";
import { SolveResult, SolverName } from "../nodes/planner/solvers";
import { solveInWorker } from "../nodes/planner/solve-in-worker";
import { InstanceSize, generateInstance } from "../test/planner/generate";
import { BenchReport } from "./report";

interface Case {
  label: string;
  size: InstanceSize;
  timeLimitS: number;
  /** The target for this size, as text. */
  target?: string;
}

const CASES: Case[] = [
  { label: "10 tasks x 3 techs x 48 h", size: { tasks: 10, technicians: 3, horizonH: 48, seed: 1 }, timeLimitS: 30 },
  { label: "40 x 8 x 168 h", size: { tasks: 40, technicians: 8, horizonH: 168, seed: 2 }, timeLimitS: 30, target: "optimum or gap <= 1 % in < 5 s" },
  { label: "40 x 8 x 168 h congested", size: { tasks: 40, technicians: 8, horizonH: 168, seed: 3, congested: true }, timeLimitS: 30, target: "optimum or gap <= 1 % in < 5 s" },
  { label: "80 x 12 x 168 h congested", size: { tasks: 80, technicians: 12, horizonH: 168, seed: 4, congested: true }, timeLimitS: 60 },
  { label: "150 x 20 x 336 h", size: { tasks: 150, technicians: 20, horizonH: 336, seed: 5 }, timeLimitS: 60, target: "feasible in 5 s, gap <= 5 % in 60 s" },
  { label: "150 x 20 x 336 h congested", size: { tasks: 150, technicians: 20, horizonH: 336, seed: 6, congested: true }, timeLimitS: 60, target: "feasible in 5 s, gap <= 5 % in 60 s" },
];

interface Measured {
  result: SolveResult;
  wallS: number;
  /**
   * CPU seconds of the process during the solve (the main thread only waits): on a shared
   * machine wall time also counts other people's work.
   */
  cpuS: number;
  /** Seconds until the solver's proven gap was <= 1 % and <= 5 % (from its progress reports). */
  within1PercentS?: number;
  within5PercentS?: number;
}

async function measure(solver: SolverName, job: Parameters<typeof solveInWorker>[0]): Promise<Measured> {
  const started = performance.now();
  const cpuStart = process.cpuUsage();
  const seconds = () => (performance.now() - started) / 1000;
  let within1PercentS: number | undefined;
  let within5PercentS: number | undefined;
  const result = await solveInWorker({ ...job, solver }, (p) => {
    if (p.gap !== undefined && p.gap <= 0.05) within5PercentS ??= seconds();
    if (p.gap !== undefined && p.gap <= 0.01) within1PercentS ??= seconds();
  }).result;
  const cpu = process.cpuUsage(cpuStart);
  const wallS = seconds();
  if (result.columns && result.gap <= 0.05) within5PercentS ??= wallS;
  if (result.columns && result.gap <= 0.01) within1PercentS ??= wallS;
  return { result, wallS, cpuS: (cpu.user + cpu.system) / 1e6, within1PercentS, within5PercentS };
}

export async function run(report: BenchReport): Promise<void> {
  for (const c of CASES) {
    const input = generateInstance(c.size);
    const options: PlannerOptions = { ...DEFAULT_OPTIONS, horizonH: c.size.horizonH };
    const heuristicStart = performance.now();
    const model = buildModel(input, options);
    const greedy = greedyPlan(model);
    const heuristicS = (performance.now() - heuristicStart) / 1000;
    const heuristicCost = evaluate(model, greedy).objective;
    const milp = buildMilp(model);
    console.log(`  ${c.label}: ${milp.candidateCount} binaries, ${milp.rows.length} rows, ${model.slotMs / 3_600_000} h slots; limit ${c.timeLimitS} s`);
    const job = { milp, timeLimitS: c.timeLimitS, gapTarget: 0, incumbent: columnsOf(milp, model, greedy) };
    const highs = await measure("highs", { ...job, solver: "highs" });
    const jsLp = await measure("javascript-lp-solver", { ...job, solver: "javascript-lp-solver" });
    // The best lower bound either solver proved holds for both (same model).
    const bound = Math.max(highs.result.bound ?? 0, jsLp.result.bound ?? 0);
    // The planner checks a solver's plan against the model and keeps the heuristic plan when
    // the solver's is infeasible (javascript-lp-solver may return a fractional point on its
    // timeout) or not better.
    const planCost = (m: Measured) => {
      const plan = m.result.columns ? evaluate(model, chosenOf(milp, m.result.columns)) : undefined;
      return plan?.feasible ? Math.min(heuristicCost, plan.objective) : heuristicCost;
    };
    for (const [name, m] of [["HiGHS", highs], ["javascript-lp-solver", jsLp]] as const) {
      const gap = relativeGap(planCost(m), bound);
      const reached = (pct: number, s?: number) => (s !== undefined ? `, gap <= ${pct} % after ${s.toFixed(2)} s` : "");
      console.log(`    ${name}: ${m.result.status}, ${m.wallS.toFixed(2)} s wall, ${m.cpuS.toFixed(2)} s CPU, plan cost ${planCost(m).toFixed(0)}, gap ${(gap * 100).toFixed(2)} %` +
        reached(1, m.within1PercentS) + reached(5, m.within5PercentS) + (m.result.message ? ` (${m.result.message})` : ""));
    }
    console.log(`    heuristic: ${(heuristicS * 1000).toFixed(0)} ms (model build included), plan cost ${heuristicCost.toFixed(0)}, gap ${(relativeGap(heuristicCost, bound) * 100).toFixed(2)} %`);
    report.add({ name: `planner ${c.label}: HiGHS solve time`, value: highs.wallS, unit: "s", reference: "javascript-lp-solver", referenceValue: jsLp.wallS, higherIsBetter: false, target: c.target });
    report.add({ name: `planner ${c.label}: HiGHS solve CPU time`, value: highs.cpuS, unit: "s", reference: "javascript-lp-solver", referenceValue: jsLp.cpuS, higherIsBetter: false });
    report.add({ name: `planner ${c.label}: HiGHS plan cost`, value: planCost(highs), unit: "", reference: "best proven lower bound", referenceValue: bound, higherIsBetter: false, target: c.target ? ">= 0.99x (1 %) / 0.95x (5 %)" : undefined });
    report.add({ name: `planner ${c.label}: javascript-lp-solver plan cost`, value: planCost(jsLp), unit: "", reference: "best proven lower bound", referenceValue: bound, higherIsBetter: false });
    report.add({ name: `planner ${c.label}: heuristic plan cost`, value: heuristicCost, unit: "", reference: "best proven lower bound", referenceValue: bound, higherIsBetter: false });
    report.add({ name: `planner ${c.label}: first feasible plan (heuristic) time`, value: heuristicS, unit: "s", reference: "HiGHS final plan", referenceValue: highs.wallS, higherIsBetter: false, target: "< 5 s" });
  }
}
