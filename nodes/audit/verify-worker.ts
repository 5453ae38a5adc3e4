/**
 * Full verification off the Node-RED thread: a million records take several seconds of
 * CPU, during which the flows of a plant must keep running. This file is both the worker
 * (when loaded by a Worker) and the function that starts one.
 */
import { Worker, isMainThread, parentPort, workerData } from "node:worker_threads";
import type { Checkpoint } from "./checkpoint";
import { parsePublicKey } from "./checkpoint";
import { VerifyResult, verifyLogFile } from "./verify";

/** What a verification needs, in a form that can be posted to a worker (keys as hex). */
export interface VerifyJob {
  file: string;
  log: string;
  trustedKeys: string[];
  externalCheckpoints: Checkpoint[];
  maxProblems: number;
  detailDir?: string;
}

type Answer = { result: VerifyResult } | { error: string };

function runJob(job: VerifyJob): VerifyResult {
  return verifyLogFile(job.file, {
    log: job.log,
    trustedKeys: job.trustedKeys.map((hex) => parsePublicKey(hex)),
    externalCheckpoints: job.externalCheckpoints,
    maxProblems: job.maxProblems,
    detailDir: job.detailDir,
  });
}

/** Verify a log file in a worker thread; resolves with the result, rejects if the worker fails. */
export function verifyInWorker(job: VerifyJob): Promise<VerifyResult> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(__filename, { workerData: job });
    worker.once("message", (answer: Answer) => ("result" in answer ? resolve(answer.result) : reject(new Error(answer.error))));
    worker.once("error", reject);
    worker.once("exit", (code) => {
      if (code !== 0) reject(new Error(`the verification worker stopped with code ${code}`));
    });
  });
}

if (!isMainThread && parentPort) {
  let answer: Answer;
  try {
    answer = { result: runJob(workerData as VerifyJob) };
  } catch (err) {
    answer = { error: err instanceof Error ? err.message : String(err) };
  }
  parentPort.postMessage(answer);
}
