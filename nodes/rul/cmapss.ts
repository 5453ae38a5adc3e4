/**
 * Reader for NASA C-MAPSS files (data/cmapss/README.md): 26 whitespace-separated columns
 * per row (unit, cycle, 3 settings, 21 sensors), one row per engine per cycle, gzipped or
 * not; and the true-RUL files. Used by the evaluation and the tests. Framework-free.
 */
import { readText } from "../ingest/recordings";

export const CMAPSS_COLUMNS = ["unit", "cycle", "setting1", "setting2", "setting3", ...Array.from({ length: 21 }, (_, i) => `s${i + 1}`)];

export interface Engine {
  unit: number;
  /** One record per cycle, keyed by column name (settings and sensors), cycle 1 first. */
  cycles: Array<Record<string, number>>;
}

export function readCmapss(file: string): Engine[] {
  const engines: Engine[] = [];
  const lines = readText(file).split("\n");
  lines.forEach((line, i) => {
    const cells = line.trim().split(/\s+/);
    if (cells.length === 1 && cells[0] === "") return;
    if (cells.length !== CMAPSS_COLUMNS.length) throw new Error(`${file}:${i + 1}: expected ${CMAPSS_COLUMNS.length} columns, found ${cells.length}`);
    const record: Record<string, number> = {};
    CMAPSS_COLUMNS.forEach((name, k) => {
      const x = Number(cells[k]);
      if (!Number.isFinite(x)) throw new Error(`${file}:${i + 1}: column ${name} is not a number: "${cells[k]}"`);
      record[name] = x;
    });
    const unit = record.unit;
    let engine = engines[engines.length - 1];
    if (!engine || engine.unit !== unit) {
      engine = { unit, cycles: [] };
      engines.push(engine);
    }
    engine.cycles.push(record);
  });
  return engines;
}

/** A true-RUL file: one integer per line, line i = engine i. */
export function readTrueRul(file: string): number[] {
  return readText(file)
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line !== "")
    .map((line, i) => {
      const x = Number(line);
      if (!Number.isFinite(x)) throw new Error(`${file}:${i + 1}: not a number: "${line}"`);
      return x;
    });
}

/** PHM08 score: sum of exp(-d/13) - 1 for early predictions (d < 0), exp(d/10) - 1 for late ones, d = predicted - true. */
export function phm08Score(predicted: number[], truth: number[]): number {
  return predicted.reduce((sum, p, i) => {
    const d = p - truth[i];
    return sum + (d < 0 ? Math.exp(-d / 13) - 1 : Math.exp(d / 10) - 1);
  }, 0);
}

export function rmse(predicted: number[], truth: number[]): number {
  return Math.sqrt(predicted.reduce((sum, p, i) => sum + (p - truth[i]) ** 2, 0) / predicted.length);
}
