/**
 * Runs a SolveJob in a worker thread so the event loop stays free, forwards its progress,
 * and guarantees an end: the solver's own time limit, and if the solver does not return
 * in time (javascript-lp-solver only checks its clock between branch-and-bound nodes),
 * the worker is terminated and the result says so. `cancel()` terminates it at once.
 */
import * as path from "node:path";
import { Worker } from "node:worker_threads";
import type { WorkerMessage } from "./solver-worker";
import type { SolveJob, SolveProgress, SolveResult } from "./solvers";

/** Extra time a solver gets beyond its limit to return its best solution before it is terminated. */
const GRACE_MS = 3000;

export interface RunningSolve {
  result: Promise<SolveResult>;
  cancel(): void;
}

export function solveInWorker(job: SolveJob, onProgress: (p: SolveProgress) => void = () => undefined): RunningSolve {
  const started = performance.now();
  const worker = new Worker(path.join(__dirname, "solver-worker.js"), { workerData: job });
  let settle: (r: SolveResult) => void = () => undefined;
  const result = new Promise<SolveResult>((resolve) => (settle = resolve));
  let finished = false;
  const finish = (outcome: Omit<SolveResult, "solver" | "timeMs"> & { timeMs?: number }) => {
    if (finished) return;
    finished = true;
    clearTimeout(killer);
    void worker.terminate();
    settle({ solver: job.solver, timeMs: performance.now() - started, ...outcome });
  };
  const killer = setTimeout(
    () => finish({ status: "time limit", gap: 1, message: `no answer ${GRACE_MS / 1000} s after the time limit: solver stopped` }),
    job.timeLimitS * 1000 + GRACE_MS,
  );
  worker.on("message", (message: WorkerMessage) => {
    if (message.type === "progress") onProgress(message);
    else if (message.type === "result") finish(message.result);
    else finish({ status: "error", gap: 1, message: message.message });
  });
  worker.on("error", (err) => finish({ status: "error", gap: 1, message: err.message }));
  worker.on("exit", (code) => finish({ status: "error", gap: 1, message: `solver thread exited (${code})` }));
  return { result, cancel: () => finish({ status: "time limit", gap: 1, message: "cancelled" }) };
}
