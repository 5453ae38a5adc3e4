/**
 * The planner's MILP solved by HiGHS and by javascript-lp-solver on the same models, side
 * by side: solve time, and each plan's cost beside the best lower bound proven in the run
 * (ratio = 1 - gap, 1.00x = proven optimal). Easy instances (the LP relaxation is nearly
 * integral) and congested ones (more work than capacity, shared assets, scarce parts).
 * Each run is the node's: model, heuristic and solver in a worker thread, with a time limit.
 */
import { DEFAULT_OPTIONS, PlannerOptions } from "../nodes/planner/instance";
import { buildMilp, relativeGap } from "../nodes/planner/milp";
import { buildModel } from "../nodes/planner/model";
import { startPlan } from "../nodes/planner/planner";
import type { PlannerSchedule } from "../nodes/planner/schedule";
import type { SolverName } from "../nodes/planner/solvers";
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
  first: PlannerSchedule;
  final: PlannerSchedule;
  /** Seconds from the start until the heuristic plan arrived (worker start and model included). */
  firstS: number;
  wallS: number;
  /**
   * CPU seconds of the process during the run (the main thread only waits): on a shared
   * machine wall time also counts other people's work.
   */
  cpuS: number;
  /** Seconds until the solver's proven gap was <= 1 % and <= 5 % (from its progress reports). */
  within1PercentS?: number;
  within5PercentS?: number;
}

async function measure(solver: SolverName, input: ReturnType<typeof generateInstance>, options: PlannerOptions, timeLimitS: number): Promise<Measured> {
  const started = performance.now();
  const cpuStart = process.cpuUsage();
  const seconds = () => (performance.now() - started) / 1000;
  let within1PercentS: number | undefined;
  let within5PercentS: number | undefined;
  const run = startPlan(input, options, { solver, timeLimitS, gapTarget: 0 }, undefined, (p) => {
    if (p.gap !== undefined && p.gap <= 0.05) within5PercentS ??= seconds();
    if (p.gap !== undefined && p.gap <= 0.01) within1PercentS ??= seconds();
  });
  const first = await run.first;
  const firstS = seconds();
  const final = await run.final;
  const cpu = process.cpuUsage(cpuStart);
  const wallS = seconds();
  if (final.solver.gap <= 0.05) within5PercentS ??= wallS;
  if (final.solver.gap <= 0.01) within1PercentS ??= wallS;
  return { first, final, firstS, wallS, cpuS: (cpu.user + cpu.system) / 1e6, within1PercentS, within5PercentS };
}

export async function run(report: BenchReport): Promise<void> {
  for (const c of CASES) {
    const input = generateInstance(c.size);
    const options: PlannerOptions = { ...DEFAULT_OPTIONS, horizonH: c.size.horizonH };
    const model = buildModel(input, options);
    const milp = buildMilp(model);
    console.log(`  ${c.label}: ${milp.candidateCount} binaries, ${milp.rows.length} rows, ${model.slotMs / 3_600_000} h slots; limit ${c.timeLimitS} s`);
    const highs = await measure("highs", input, options, c.timeLimitS);
    const jsLp = await measure("javascript-lp-solver", input, options, c.timeLimitS);
    // The best lower bound either solver proved holds for both (same model).
    const bound = Math.max(highs.final.bound, jsLp.final.bound);
    const heuristicCost = highs.first.objective;
    for (const [name, m] of [["HiGHS", highs], ["javascript-lp-solver", jsLp]] as const) {
      const reached = (pct: number, s?: number) => (s !== undefined ? `, gap <= ${pct} % after ${s.toFixed(2)} s` : "");
      console.log(`    ${name}: ${m.final.solver.status}, ${m.wallS.toFixed(2)} s wall, ${m.cpuS.toFixed(2)} s CPU, plan cost ${m.final.objective.toFixed(0)}, ` +
        `gap ${(relativeGap(m.final.objective, bound) * 100).toFixed(2)} %${reached(1, m.within1PercentS)}${reached(5, m.within5PercentS)}`);
    }
    console.log(`    heuristic: first plan after ${highs.firstS.toFixed(2)} s (worker start and model included), plan cost ${heuristicCost.toFixed(0)}, gap ${(relativeGap(heuristicCost, bound) * 100).toFixed(2)} %`);
    report.add({ name: `planner ${c.label}: HiGHS solve time`, value: highs.wallS, unit: "s", reference: "javascript-lp-solver", referenceValue: jsLp.wallS, higherIsBetter: false, target: c.target });
    report.add({ name: `planner ${c.label}: HiGHS solve CPU time`, value: highs.cpuS, unit: "s", reference: "javascript-lp-solver", referenceValue: jsLp.cpuS, higherIsBetter: false });
    report.add({ name: `planner ${c.label}: HiGHS plan cost`, value: highs.final.objective, unit: "", reference: "best proven lower bound", referenceValue: bound, higherIsBetter: false, target: c.target ? ">= 0.99x (1 %) / 0.95x (5 %)" : undefined });
    report.add({ name: `planner ${c.label}: javascript-lp-solver plan cost`, value: jsLp.final.objective, unit: "", reference: "best proven lower bound", referenceValue: bound, higherIsBetter: false });
    report.add({ name: `planner ${c.label}: heuristic plan cost`, value: heuristicCost, unit: "", reference: "best proven lower bound", referenceValue: bound, higherIsBetter: false });
    report.add({ name: `planner ${c.label}: first feasible plan (heuristic) time`, value: highs.firstS, unit: "s", reference: "HiGHS final plan", referenceValue: highs.wallS, higherIsBetter: false, target: "< 5 s" });
  }
}
