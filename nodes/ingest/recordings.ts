/**
 * Readers for recorded vibration data (CSV or gzipped CSV): the CWRU single-column files,
 * FEMTO-ST snapshots and the manifests that describe them. Used by pdm-replay, the
 * evaluations and the tests. Framework-free.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as zlib from "node:zlib";

/** Read a text file, transparently gunzipping `name.gz`; `name` may be given with or without `.gz`. */
export function readText(file: string): string {
  const candidates = file.endsWith(".gz") ? [file, file.slice(0, -3)] : [file, `${file}.gz`];
  const found = candidates.find((candidate) => fs.existsSync(candidate));
  if (!found) throw new Error(`recording not found: ${file} (nor ${candidates[1]})`);
  const bytes = fs.readFileSync(found);
  return (found.endsWith(".gz") ? zlib.gunzipSync(bytes) : bytes).toString("utf8");
}

/** A CSV with a header line, as an array of objects keyed by the header. No quoting (manifests have none). */
export function readManifest(file: string): Array<Record<string, string>> {
  const lines = readText(file).split(/\r?\n/).filter((line) => line.trim() !== "");
  if (lines.length === 0) throw new Error(`${file}: empty manifest`);
  const header = lines[0].split(",").map((name) => name.trim());
  return lines.slice(1).map((line) => {
    const cells = line.split(",");
    const row: Record<string, string> = {};
    header.forEach((name, i) => (row[name] = (cells[i] ?? "").trim()));
    return row;
  });
}

function parseNumber(text: string, file: string, line: number): number {
  const value = Number(text);
  if (text.trim() === "" || !Number.isFinite(value)) throw new Error(`${file}:${line}: not a number: "${text}"`);
  return value;
}

/** A single-column signal file (CWRU style): an optional header line, then one sample per line. */
export function readSignalColumn(file: string): Float64Array {
  const lines = readText(file).split(/\r?\n/);
  const first = lines[0] !== undefined && Number.isFinite(Number(lines[0])) ? 0 : 1;
  const values = new Float64Array(lines.length);
  let n = 0;
  for (let i = first; i < lines.length; i++) {
    if (lines[i] === "") continue;
    values[n++] = parseNumber(lines[i], file, i + 1);
  }
  return values.slice(0, n);
}

/** One FEMTO-ST snapshot: 0.1 s at 25.6 kHz, horizontal and vertical acceleration in g. */
export interface FemtoSnapshot {
  horizontal: Float64Array;
  vertical: Float64Array;
}

export const FEMTO_SAMPLE_RATE_HZ = 25_600;

/** Read a FEMTO `acc_NNNNN.csv`: columns hour, minute, second, microsecond, horizontal, vertical. */
export function readFemtoSnapshot(file: string): FemtoSnapshot {
  const lines = readText(file).split(/\r?\n/).filter((line) => line !== "");
  const horizontal = new Float64Array(lines.length);
  const vertical = new Float64Array(lines.length);
  lines.forEach((line, i) => {
    const cells = line.split(",");
    if (cells.length < 6) throw new Error(`${file}:${i + 1}: expected 6 columns, found ${cells.length}`);
    horizontal[i] = parseNumber(cells[4], file, i + 1);
    vertical[i] = parseNumber(cells[5], file, i + 1);
  });
  return { horizontal, vertical };
}

/** Resolve a manifest's `file` column relative to the manifest's folder. */
export function besideManifest(manifestFile: string, file: string): string {
  return path.join(path.dirname(manifestFile), file);
}
