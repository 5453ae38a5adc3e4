/**
 * The anytime planner as the node uses it: a planning run (./plan) in a worker thread so
 * the event loop stays free. `first` resolves with the heuristic plan, `final` with the
 * solver's. The run always ends: the solver has its time limit, and if it has not answered
 * a grace period later (javascript-lp-solver checks its clock only between branch-and-bound
 * nodes) the thread is terminated and the heuristic plan is final. `cancel()` ends it at once.
 */
import * as path from "node:path";
import { Worker } from "node:worker_threads";
import type { Schedule } from "../shared/contract";
import { PlannerOptions, PlanningInput } from "./instance";
import type { PlanJob, PlanMessage, SolverSettings } from "./plan";
import type { PlannerSchedule } from "./schedule";
import type { SolveProgress } from "./solvers";

export type { SolverSettings } from "./plan";

/** Extra time a solver gets beyond its limit to return its best plan before it is terminated. */
const GRACE_MS = 3000;

export interface PlanRun {
  first: Promise<PlannerSchedule>;
  final: Promise<PlannerSchedule>;
  cancel(): void;
}

export function startPlan(
  input: PlanningInput,
  options: PlannerOptions,
  settings: SolverSettings,
  previous?: Schedule,
  onProgress: (p: SolveProgress) => void = () => undefined,
): PlanRun {
  const started = performance.now();
  const job: PlanJob = { input, options, settings, previous };
  const worker = new Worker(path.join(__dirname, "planner-worker.js"), { workerData: job });
  const first = deferred<PlannerSchedule>();
  const final = deferred<PlannerSchedule>();
  // A caller may wait only for the final plan, or stop waiting when it cancels a run: a failed
  // plan must never be an unhandled rejection (a standalone Node-RED exits on one).
  first.promise.catch(() => undefined);
  final.promise.catch(() => undefined);
  const fail = (err: Error) => {
    first.reject(err);
    final.reject(err);
  };
  let heuristic: PlannerSchedule | undefined;
  let killer: NodeJS.Timeout | undefined;
  let finished = false;
  const finish = (end: () => void) => {
    if (finished) return;
    finished = true;
    clearTimeout(killer);
    void worker.terminate();
    end();
  };
  /** Stop without the solver's answer: the heuristic plan is final, if there is one yet. */
  const stop = (why: string) =>
    finish(() => {
      if (heuristic) {
        const timeMs = performance.now() - started;
        final.resolve({ ...heuristic, solver: { ...heuristic.solver, name: settings.solver, status: `${why}; heuristic plan kept`, timeMs } });
      }
      else fail(new Error(`planning stopped: ${why}`));
    });

  worker.on("message", (message: PlanMessage | { type: "error"; message: string }) => {
    if (message.type === "first") {
      heuristic = message.schedule;
      first.resolve(message.schedule);
      if (message.solving) killer = setTimeout(() => stop(`time limit: no answer ${GRACE_MS / 1000} s after it, solver stopped`), settings.timeLimitS * 1000 + GRACE_MS);
    } else if (message.type === "progress") onProgress(message.progress);
    else if (message.type === "final") finish(() => final.resolve(message.schedule));
    else if (heuristic) stop(`solver failed (${message.message})`);
    else finish(() => fail(new Error(message.message)));
  });
  worker.on("error", (err) => (heuristic ? stop(`solver failed (${err.message})`) : finish(() => fail(err))));
  worker.on("exit", (code) => stop(`planning thread exited (${code})`));
  return { first: first.promise, final: final.promise, cancel: () => stop("cancelled") };
}

function deferred<T>() {
  let resolve: (value: T) => void = () => undefined;
  let reject: (err: Error) => void = () => undefined;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}
