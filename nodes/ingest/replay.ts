/**
 * Replay of recorded vibration data as a sequence of timed steps, each a set of sample
 * blocks. The node adapter owns the timers; this module only says what comes when, on
 * the recording's own time axis (seconds since the start of the recording).
 * Framework-free.
 */
import { FEMTO_SAMPLE_RATE_HZ, besideManifest, readFemtoSnapshot, readManifest, readSignalColumn } from "./recordings";

/** One block of one sensor, before the adapter stamps asset and wall-clock time on it. */
export interface ReplayBlock {
  sensor: string;
  fs: number;
  values: number[];
  unit: string;
}

/** What is known about a step from the recording's manifest (ground truth for demos and evaluations). */
export interface ReplayInfo {
  file: string;
  /** CWRU: "normal", "inner_race", …; FEMTO: "run-to-failure". */
  label: string;
  /** FEMTO: seconds until the test was stopped at failure. */
  timeToEndS?: number;
  rpm?: number;
}

export interface ReplayStep {
  /** Seconds since the start of the recording. */
  atS: number;
  blocks: ReplayBlock[];
  info: ReplayInfo;
}

export interface Replay {
  /** Number of steps in one pass. */
  readonly length: number;
  /** When step `index` comes, in seconds since the start of the recording (cheap: reads no samples). */
  atS(index: number): number;
  step(index: number): ReplayStep;
}

/**
 * A FEMTO-ST run-to-failure folder (manifest.csv with file, elapsed_s, time_to_end_of_test_s):
 * one step per snapshot with a horizontal and a vertical block.
 */
export function femtoReplay(folder: string, sensorPrefix = "acc"): Replay {
  const manifestFile = `${folder}/manifest.csv`;
  const rows = readManifest(manifestFile).sort((a, b) => Number(a.elapsed_s) - Number(b.elapsed_s));
  if (rows.length === 0) throw new Error(`${manifestFile}: no snapshots listed`);
  return {
    length: rows.length,
    atS: (index) => Number(rows[index].elapsed_s),
    step(index) {
      const row = rows[index];
      const snapshot = readFemtoSnapshot(besideManifest(manifestFile, row.file));
      const block = (axis: string, values: Float64Array): ReplayBlock => ({
        sensor: `${sensorPrefix}_${axis}`,
        fs: FEMTO_SAMPLE_RATE_HZ,
        values: Array.from(values),
        unit: "g",
      });
      return {
        atS: Number(row.elapsed_s),
        blocks: [block("h", snapshot.horizontal), block("v", snapshot.vertical)],
        info: { file: row.file, label: "run-to-failure", timeToEndS: Number(row.time_to_end_of_test_s) },
      };
    },
  };
}

/**
 * Single-column recordings listed in a CWRU-style manifest (file, label, sampling_rate_hz,
 * rpm_in_file), played one after the other in blocks of `blockSize` samples, or of
 * `blockSize` seconds when `blockUnit` is "seconds" (then recordings at different rates,
 * such as CWRU's 48 kHz healthy and 12 kHz faulty files, give blocks of equal duration).
 * `files` picks and orders rows by file name; empty means all rows in manifest order.
 */
export interface SignalReplayOptions {
  files?: string[];
  blockSize: number;
  blockUnit?: "samples" | "seconds";
  sensor: string;
  unit?: string;
}

export function signalReplay(manifestFile: string, options: SignalReplayOptions): Replay {
  const all = readManifest(manifestFile);
  const rows = options.files && options.files.length > 0
    ? options.files.map((file) => {
        const row = all.find((r) => r.file === file);
        if (!row) throw new Error(`${manifestFile}: no row for file "${file}"`);
        return row;
      })
    : all;
  if (rows.length === 0) throw new Error(`${manifestFile}: no recordings listed`);
  const inSeconds = options.blockUnit === "seconds";
  if (inSeconds ? !(options.blockSize > 0 && Number.isFinite(options.blockSize)) : !(Number.isInteger(options.blockSize) && options.blockSize >= 16)) {
    throw new Error(`blockSize: expected ${inSeconds ? "a number of seconds > 0" : "an integer >= 16"}, got ${options.blockSize}`);
  }
  // Block counts and start times need each file's length: from the manifest when it says, else by reading.
  let startS = 0;
  const segments = rows.map((row) => {
    const fs = Number(row.sampling_rate_hz);
    if (!(fs > 0)) throw new Error(`${manifestFile}: sampling_rate_hz of "${row.file}" is not a positive number`);
    const samples = Number(row.n_samples) > 0 ? Number(row.n_samples) : readSignalColumn(besideManifest(manifestFile, row.file)).length;
    const blockLength = inSeconds ? Math.round(options.blockSize * fs) : options.blockSize;
    if (blockLength < 16) throw new Error(`blockSize: ${options.blockSize} s at ${fs} Hz gives fewer than 16 samples`);
    const segment = { row, fs, startS, blockLength, blocks: Math.floor(samples / blockLength) };
    startS += samples / fs;
    return segment;
  });
  const offsets: number[] = [];
  let total = 0;
  for (const segment of segments) {
    offsets.push(total);
    total += segment.blocks;
  }
  const segmentOf = (index: number) => {
    let k = segments.length - 1;
    while (offsets[k] > index) k--;
    return { segment: segments[k], first: (index - offsets[k]) * segments[k].blockLength };
  };
  let cached: { file: string; values: Float64Array } | undefined;
  const signal = (file: string) => {
    if (cached?.file !== file) cached = { file, values: readSignalColumn(besideManifest(manifestFile, file)) };
    return cached.values;
  };
  return {
    length: total,
    atS(index) {
      const { segment, first } = segmentOf(index);
      return segment.startS + first / segment.fs;
    },
    step(index) {
      const { segment, first } = segmentOf(index);
      const { row, fs, startS: segmentStart } = segment;
      const values = Array.from(signal(row.file).subarray(first, first + segment.blockLength));
      const rpm = Number(row.rpm_in_file);
      return {
        atS: segmentStart + first / fs,
        blocks: [{ sensor: options.sensor, fs, values, unit: options.unit ?? "g" }],
        info: { file: row.file, label: row.label ?? "", ...(rpm > 0 ? { rpm } : {}) },
      };
    },
  };
}

/** Milliseconds to wait from step `index` to the next at a replay speed (1 = real time); 0 for speed 0 (as fast as possible). */
export function delayToNextMs(replay: Replay, index: number, speed: number): number {
  if (speed === 0 || index + 1 >= replay.length) return 0;
  return Math.max(0, ((replay.atS(index + 1) - replay.atS(index)) * 1000) / speed);
}
