/**
 * Worker thread entry: one planning run (a PlanJob from workerData), its messages posted
 * to the parent as they come. Model, heuristic and solver block this thread, not Node-RED's.
 */
import { parentPort, workerData } from "node:worker_threads";
import { PlanJob, runPlan } from "./plan";

runPlan(workerData as PlanJob, (message) => parentPort?.postMessage(message)).catch((err: unknown) =>
  parentPort?.postMessage({ type: "error", message: err instanceof Error ? err.message : String(err) }),
);
