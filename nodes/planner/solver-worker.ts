/**
 * Worker thread entry: solves one MILP (a SolveJob from workerData) with the chosen
 * solver, posts progress while it runs and the result at the end, then exits.
 * The solvers block their thread for the whole solve; here that blocks no one.
 */
import { parentPort, workerData } from "node:worker_threads";
import { SolveJob, solve } from "./solvers";

export type WorkerMessage =
  | { type: "progress"; elapsedS: number; incumbent?: number; bound?: number; gap?: number }
  | { type: "result"; result: import("./solvers").SolveResult }
  | { type: "error"; message: string };

const post = (message: WorkerMessage) => parentPort?.postMessage(message);

solve(workerData as SolveJob, (progress) => post({ type: "progress", ...progress }))
  .then((result) => post({ type: "result", result }))
  .catch((err: unknown) => post({ type: "error", message: err instanceof Error ? err.message : String(err) }));
