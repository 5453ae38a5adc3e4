/**
 * Isolation forest speed beside scikit-learn's IsolationForest (Debian python3-sklearn,
 * bench/anomaly/sklearn_iforest.py) on the same data in the same run: fit time (100
 * trees × 256 samples) and scores per second, both in CPU time of one thread (the machine
 * is shared). Data: the 18 default pdm-features features of real CWRU windows; the
 * healthy windows are the training set, every window of every recording the test set,
 * repeated to 100 000 rows. A missing python3-sklearn skips the reference with a note.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { IsolationForest, Matrix, matrixFromRows } from "../nodes/anomaly/isolation-forest";
import { besideManifest, readManifest, readSignalColumn } from "../nodes/ingest/recordings";
import { dataDir } from "../nodes/shared/paths";
import { featureWindows } from "../eval/anomaly/windows";
import { pearsonCorrelation } from "../nodes/rul/feature-metrics";
import { BenchReport, keep } from "./report";

const TEST_ROWS = 100_000;
const FIT_REPEATS = 7;
const COMPARED_SCORES = 2000;

interface SklearnResult {
  sklearn: string;
  fitSeconds: number;
  scoresPerSecond: number;
  firstScores: number[];
}

/** CPU seconds (user + system) spent in `fn`. */
function cpuSeconds(fn: () => void): number {
  const start = process.cpuUsage();
  fn();
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1e6;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function cwruData(): { train: Matrix; test: Matrix } {
  const manifest = path.join(dataDir, "cwru", "manifest.csv");
  const train: number[][] = [];
  const test: number[][] = [];
  let names: string[] | undefined;
  for (const row of readManifest(manifest)) {
    const signal = readSignalColumn(besideManifest(manifest, row.file));
    // Healthy windows every 64 samples, so there are more than the 256 each tree samples.
    const hop = row.label === "normal" ? 64 : 256;
    const windows = featureWindows(signal, Number(row.sampling_rate_hz), 12_000, { size: 1024, hop }, { asset: "bench", sensor: "de", t0: 0 });
    names ??= Object.keys(windows[0].features);
    const vectors = windows.map((w) => (names as string[]).map((name) => w.features[name]));
    if (row.label === "normal") train.push(...vectors);
    test.push(...vectors);
  }
  const d = (names as string[]).length;
  const repeated = Array.from({ length: TEST_ROWS }, (_, i) => test[i % test.length]);
  return { train: matrixFromRows(train, d), test: matrixFromRows(repeated, d) };
}

function runSklearn(train: Matrix, test: Matrix): SklearnResult | undefined {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pdm-bench-anomaly-"));
  try {
    const trainFile = path.join(dir, "train.f64");
    const testFile = path.join(dir, "test.f64");
    fs.writeFileSync(trainFile, Buffer.from(train.data.buffer, train.data.byteOffset, train.data.byteLength));
    fs.writeFileSync(testFile, Buffer.from(test.data.buffer, test.data.byteOffset, test.data.byteLength));
    const script = path.resolve(__dirname, "..", "..", "bench", "anomaly", "sklearn_iforest.py");
    const job = JSON.stringify({ train: trainFile, test: testFile, columns: train.columns, repeats: FIT_REPEATS, compare: COMPARED_SCORES });
    const env = { ...process.env, OMP_NUM_THREADS: "1", OPENBLAS_NUM_THREADS: "1" };
    // Debian's python3 has python3-sklearn; a python3 earlier on PATH (pyenv, venv) may not.
    const errors: string[] = [];
    for (const python of [process.env.PDM_PYTHON, "/usr/bin/python3", "python3"].filter((p): p is string => Boolean(p))) {
      try {
        return JSON.parse(execFileSync(python, [script], { input: job, encoding: "utf8", env, stdio: ["pipe", "pipe", "pipe"] })) as SklearnResult;
      } catch (err) {
        errors.push(`${python}: ${(err as Error).message.split("\n").find((line) => /Error/.test(line)) ?? (err as Error).message.split("\n")[0]}`);
      }
    }
    console.log(`  (scikit-learn reference skipped: ${errors.join("; ")}; apt-get install python3-sklearn)`);
    return undefined;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export function run(report: BenchReport): void {
  const { train, test } = cwruData();
  console.log(`  data: ${train.rows} healthy CWRU windows to fit, ${test.rows} rows to score, ${train.columns} features`);
  let forest = new IsolationForest(train, { seed: 0 });
  // Warm up the JIT on fit and score before timing.
  for (let i = 0; i < 3; i++) keep(new IsolationForest(train, { seed: i }).scoreAll(train));
  const fits = Array.from({ length: FIT_REPEATS }, (_, seed) => cpuSeconds(() => (forest = new IsolationForest(train, { seed }))));
  let scores: Float64Array = new Float64Array(0);
  const scoreSeconds = cpuSeconds(() => (scores = forest.scoreAll(test)));
  keep(scores);
  const fitMs = median(fits) * 1000;
  const scoresPerSecond = test.rows / scoreSeconds;

  const sklearn = runSklearn(train, test);
  if (!sklearn) {
    console.log(`  isolation forest fit: ${fitMs.toFixed(2)} ms, scoring: ${Math.round(scoresPerSecond)} scores/s (no reference)`);
    return;
  }
  const reference = `scikit-learn ${sklearn.sklearn} IsolationForest`;
  report.add({
    name: `isolation forest fit, 100 trees × 256 of ${train.rows} CWRU windows, CPU time`,
    value: fitMs,
    unit: "ms",
    reference,
    referenceValue: sklearn.fitSeconds * 1000,
    higherIsBetter: false,
    target: "faster than scikit-learn",
  });
  report.add({
    name: "isolation forest scoring, one thread, CPU time",
    value: scoresPerSecond,
    unit: "scores/s",
    reference,
    referenceValue: sklearn.scoresPerSecond,
    higherIsBetter: true,
    target: "faster than scikit-learn and >= 100 000 scores/s",
  });
  console.log(`  scores of the first ${COMPARED_SCORES} rows, ours vs scikit-learn (different random trees): Pearson r = ${pearsonCorrelation(scores.slice(0, sklearn.firstScores.length), sklearn.firstScores).toFixed(4)}`);
}
