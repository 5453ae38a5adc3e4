/**
 * How every benchmark reports: each figure beside a reference measured in the same run,
 * as a ratio, so results compare across machines. Printed as a table and kept as JSON.
 */

export interface BenchRow {
  /** What was measured, e.g. "features: full set, 4096-sample windows". */
  name: string;
  value: number;
  unit: string;
  /** The reference measured in the same run, e.g. "NumPy/SciPy". */
  reference: string;
  referenceValue: number;
  /** true when a larger value is better (throughput), false for times. */
  higherIsBetter: boolean;
  /** The target from the issue, as text, e.g. ">= 2x reference". */
  target?: string;
}

export class BenchReport {
  readonly rows: BenchRow[] = [];

  add(row: BenchRow): void {
    this.rows.push(row);
    console.log(formatRow(row));
  }

  /** Ratio as "how many times better than the reference" (> 1 is better). */
  static advantage(row: BenchRow): number {
    return row.higherIsBetter ? row.value / row.referenceValue : row.referenceValue / row.value;
  }
}

function fmt(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  const abs = Math.abs(x);
  if (abs >= 1e6) return `${(x / 1e6).toFixed(2)} M`;
  if (abs >= 1e4) return `${(x / 1e3).toFixed(1)} k`;
  if (abs >= 100) return x.toFixed(0);
  return x.toPrecision(3);
}

export function formatRow(row: BenchRow): string {
  const ratio = BenchReport.advantage(row);
  return `${row.name}: ${fmt(row.value)} ${row.unit} | ${row.reference}: ${fmt(row.referenceValue)} ${row.unit} | ${ratio.toFixed(2)}x ${ratio >= 1 ? "better" : "worse"}${row.target ? ` (target ${row.target})` : ""}`;
}

/**
 * Run `fn` repeatedly for about `seconds` (after a warm-up) and return calls per second.
 * `fn` returns something so the work cannot be optimised away.
 */
export function throughput(fn: () => unknown, seconds = 1): number {
  let sink: unknown;
  const warmUpEnd = performance.now() + 200;
  while (performance.now() < warmUpEnd) sink = fn();
  let calls = 0;
  const start = performance.now();
  const end = start + seconds * 1000;
  while (performance.now() < end) {
    sink = fn();
    calls++;
  }
  keep(sink);
  return calls / ((performance.now() - start) / 1000);
}

let kept: unknown;
/** Keep a value alive so the JIT cannot drop the computation that made it. */
export function keep(value: unknown): void {
  kept = value;
}
export function lastKept(): unknown {
  return kept;
}
