/**
 * Features benchmark, on 4096-sample windows of real CWRU data, every figure beside a
 * reference measured in the same run:
 * - windows/s of the full feature set (time + spectrum + Welch bands + ISO velocity +
 *   envelope + bearing lines) beside the same computation in NumPy/SciPy
 *   (bench/features/numpy_features.py, Debian python3-scipy);
 * - one 4096-point real FFT, fft.js, the WebAssembly kernel (nodes/features/wasm) and the
 *   plan the core uses, beside FFTW (bench/features/fftw_rfft.c, compiled here with cc
 *   against Debian libfftw3-dev).
 * A missing python3-scipy or libfftw3-dev skips those rows with a note.
 * All three sides count CPU time of their own process, not wall time: the machine is
 * shared, and wall time would charge other people's work to whichever side ran then.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import FFT from "fft.js";
import { bearingDefectMultipliers } from "../nodes/config/asset";
import { FeatureExtractor, FeatureOptions } from "../nodes/features/extractor";
import { fftPlan } from "../nodes/features/fft";
import { WasmFftPlan } from "../nodes/features/wasm-fft";
import { readSignalColumn } from "../nodes/ingest/recordings";
import { dataDir, packageRoot } from "../nodes/shared/paths";
import { BenchReport, keep } from "./report";

const LENGTH = 4096;
const FS = 12_000;
const RPM = 1797;
const SECONDS = 2;
const FILES = ["12k_IR007_0_105.csv", "12k_OR021at6_0_234.csv", "12k_B007_0_118.csv"];
const cwru = path.join(dataDir, "cwru");
const outDir = path.join(packageRoot, "bench-output");

/** The full feature set, as the golden fixtures' "full feature set" cases. */
const options: Partial<FeatureOptions> = {
  time: true,
  spectral: true,
  bearing: true,
  iso: true,
  fftSize: LENGTH,
  window: "hann",
  bands: [
    { lowHz: 0, highHz: 500 },
    { lowHz: 500, highHz: 2000 },
    { lowHz: 2000, highHz: 6000 },
  ],
  welchSegment: 1024,
  envelopeBandHz: [2000, 5000],
  envelopeOrder: 4,
  bearingOptions: { harmonics: 3, tolerance: 0.02, noiseBins: 20, threshold: 5 },
  orders: bearingDefectMultipliers({ balls: 9, ballDiameter: 0.3126, pitchDiameter: 1.537, contactAngleDeg: 0 }),
  machineGroup: "group2-rigid",
  accelerationUnit: "g",
  decimation: 1,
};

/**
 * Calls per CPU second of `fn` (user + system time of this process), after a warm-up,
 * in rounds of about 0.1 s; the best round counts, as the least disturbed one.
 */
function cpuThroughput(fn: () => unknown, seconds: number): number {
  let sink: unknown;
  const cpuMs = () => {
    const usage = process.cpuUsage();
    return (usage.user + usage.system) / 1000;
  };
  const warmUpEnd = cpuMs() + 200;
  while (cpuMs() < warmUpEnd) sink = fn();
  let best = 0;
  const end = cpuMs() + seconds * 1000;
  while (cpuMs() < end) {
    const start = cpuMs();
    let calls = 0;
    while (cpuMs() - start < 100) {
      sink = fn();
      calls++;
    }
    best = Math.max(best, calls / ((cpuMs() - start) / 1000));
  }
  keep(sink);
  return best;
}

interface PythonResult {
  windowsPerSecond: number;
  rfftMicroseconds: number;
  numpy: string;
  scipy: string;
}

function runPython(windows: Array<{ file: string; offset: number }>): PythonResult | undefined {
  const script = path.join(packageRoot, "bench", "features", "numpy_features.py");
  const job = { dataDir: cwru, windows, length: LENGTH, fs: FS, rpm: RPM, options, seconds: SECONDS };
  try {
    return JSON.parse(execFileSync("python3", [script], { input: JSON.stringify(job), encoding: "utf8" })) as PythonResult;
  } catch (err) {
    console.log(`  (NumPy/SciPy reference skipped: ${(err as Error).message.split("\n")[0]}; apt-get install python3-numpy python3-scipy)`);
    return undefined;
  }
}

function runFftw(): number | undefined {
  const source = path.join(packageRoot, "bench", "features", "fftw_rfft.c");
  const binary = path.join(outDir, "fftw_rfft");
  try {
    fs.mkdirSync(outDir, { recursive: true });
    execFileSync("cc", ["-O2", "-o", binary, source, "-lfftw3", "-lm"], { stdio: "pipe" });
    const result = JSON.parse(execFileSync(binary, [String(LENGTH), String(SECONDS)], { encoding: "utf8" })) as { microseconds: number };
    return result.microseconds;
  } catch (err) {
    console.log(`  (FFTW reference skipped: ${(err as Error).message.split("\n")[0]}; apt-get install libfftw3-dev)`);
    return undefined;
  }
}

export function run(report: BenchReport): void {
  const windowsAt: Array<{ file: string; offset: number }> = [];
  const windows: Float64Array[] = [];
  for (const file of FILES) {
    const samples = readSignalColumn(path.join(cwru, file));
    for (let k = 0; k < 8; k++) {
      windowsAt.push({ file, offset: k * LENGTH });
      windows.push(samples.slice(k * LENGTH, (k + 1) * LENGTH));
    }
  }
  // Windows arrive as plain arrays of numbers in Node-RED messages.
  const messages = windows.map((w) => Array.from(w));

  const extractor = new FeatureExtractor(options);
  let next = 0;
  const ours = cpuThroughput(() => extractor.compute(messages[next++ % messages.length], FS, RPM), SECONDS);
  const python = runPython(windowsAt);
  if (python) {
    report.add({
      name: `features: full set, ${LENGTH}-sample CWRU windows`,
      value: ours,
      unit: "windows/CPU-s",
      reference: `NumPy ${python.numpy}/SciPy ${python.scipy}`,
      referenceValue: python.windowsPerSecond,
      higherIsBetter: true,
      target: ">= 2x reference",
    });
  } else console.log(`  features: full set: ${ours.toFixed(0)} windows/s (no reference)`);

  // fft.js alone, with plain arrays in and out as its plan calls it; the WebAssembly
  // kernel alone, its input already in the plan's memory and the bins copied out to
  // Float64Arrays; and the plan as the features use it (the WebAssembly one): samples
  // written into its input, bins out.
  const x = windows[0];
  const fftjs = new FFT(LENGTH);
  const out = fftjs.createComplexArray() as number[];
  const input = Array.from(x);
  const fftjsUs = 1e6 / cpuThroughput(() => (fftjs.realTransform(out, input), out), SECONDS);
  const re = new Float64Array(LENGTH / 2 + 1);
  const im = new Float64Array(LENGTH / 2 + 1);
  const wasm = new WasmFftPlan(LENGTH);
  wasm.input.set(x);
  const wasmUs = 1e6 / cpuThroughput(() => (wasm.realForward(wasm.input, re, im), re), SECONDS);
  const plan = fftPlan(LENGTH);
  const planUs = 1e6 / cpuThroughput(() => {
    // as amplitudeSpectrum does: write the (windowed) samples into the plan's input
    for (let i = 0; i < LENGTH; i++) plan.input[i] = x[i];
    plan.realForward(plan.input, re, im);
    return re;
  }, SECONDS);
  const fftw = runFftw();
  if (fftw !== undefined) {
    const row = { unit: "CPU-us", reference: "FFTW 3 (FFTW_MEASURE, cc -O2)", referenceValue: fftw, higherIsBetter: false } as const;
    report.add({ name: `FFT: ${LENGTH}-point real, fft.js realTransform`, value: fftjsUs, ...row });
    report.add({ name: `FFT: ${LENGTH}-point real, WebAssembly kernel (bins out)`, value: wasmUs, ...row, target: "within 4x of FFTW" });
    report.add({ name: `FFT: ${LENGTH}-point real, core plan (fill input, WebAssembly, bins out)`, value: planUs, ...row });
    if (python) report.add({ name: `FFT: ${LENGTH}-point real, numpy.fft.rfft`, value: python.rfftMicroseconds, ...row });
  } else {
    console.log(`  FFT ${LENGTH}: fft.js ${fftjsUs.toFixed(1)} us, WebAssembly ${wasmUs.toFixed(1)} us, core plan ${planUs.toFixed(1)} us (no reference)`);
  }
}
