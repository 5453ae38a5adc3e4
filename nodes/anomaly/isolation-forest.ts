/**
 * Isolation forest as in Liu, Ting & Zhou, "Isolation Forest" (ICDM 2008) and
 * "Isolation-Based Anomaly Detection" (TKDD 2012): each tree isolates a random
 * subsample of ψ points (default 256) by splitting on a random feature at a random
 * value between that feature's min and max, up to the height limit ceil(log2 ψ).
 * The anomaly score is s(x) = 2^(−E[h(x)] / c(ψ)), where h is the path length and
 * c(n) the average path length of an unsuccessful binary-search-tree search, which is
 * also added at leaves that still hold more than one point.
 *
 * All trees live in flat typed arrays (children of a node are stored next to each
 * other), and each leaf stores its finished path length, so scoring is a loop of
 * comparisons and one addition per tree.
 */
import { SeededRandom } from "./random";

export interface IsolationForestOptions {
  /** Number of trees (paper: 100). */
  trees: number;
  /** Subsample size ψ per tree (paper: 256); smaller data use all points. */
  sampleSize: number;
  seed: number;
}

export const ISOLATION_FOREST_DEFAULTS: IsolationForestOptions = { trees: 100, sampleSize: 256, seed: 42 };

const EULER_GAMMA = 0.5772156649015329;

/** c(n): average path length of an unsuccessful search in a binary search tree of n points. */
export function averagePathLength(n: number): number {
  if (n <= 1) return 0;
  if (n === 2) return 1;
  const harmonic = Math.log(n - 1) + EULER_GAMMA;
  return 2 * harmonic - (2 * (n - 1)) / n;
}

/** Points as rows of a row-major matrix: row i is data[i*d .. i*d+d). */
export interface Matrix {
  data: Float64Array;
  rows: number;
  columns: number;
}

export function matrixFromRows(rows: ArrayLike<number>[], columns: number): Matrix {
  const data = new Float64Array(rows.length * columns);
  rows.forEach((row, i) => {
    if (row.length !== columns) throw new Error(`row ${i}: expected ${columns} values, got ${row.length}`);
    data.set(row, i * columns);
  });
  return { data, rows: rows.length, columns };
}

/** The rows of `points` for which `keep(row)` holds, in order, as a new matrix. */
export function rowsOf(points: Matrix, keep: (row: number) => boolean): Matrix {
  const kept: number[] = [];
  for (let i = 0; i < points.rows; i++) if (keep(i)) kept.push(i);
  const data = new Float64Array(kept.length * points.columns);
  kept.forEach((row, k) => data.set(points.data.subarray(row * points.columns, (row + 1) * points.columns), k * points.columns));
  return { data, rows: kept.length, columns: points.columns };
}

export class IsolationForest {
  /** Split feature per node; -1 marks a leaf. */
  private readonly feature: Int32Array;
  /** Split value per internal node; finished path length (depth + c(size)) per leaf. */
  private readonly value: Float64Array;
  /** Index of the left child (the right one follows it). */
  private readonly left: Int32Array;
  private readonly roots: Int32Array;
  /** c(ψ), the normaliser of the mean path length. */
  private readonly normaliser: number;
  readonly columns: number;

  constructor(points: Matrix, options: Partial<IsolationForestOptions> = {}) {
    const { trees, sampleSize, seed } = { ...ISOLATION_FOREST_DEFAULTS, ...options };
    if (points.rows < 2) throw new Error(`isolation forest: expected at least 2 points, got ${points.rows}`);
    if (!(Number.isInteger(trees) && trees >= 1)) throw new Error(`isolation forest: trees must be an integer >= 1, got ${trees}`);
    if (!(Number.isInteger(sampleSize) && sampleSize >= 2)) throw new Error(`isolation forest: sampleSize must be an integer >= 2, got ${sampleSize}`);
    const psi = Math.min(sampleSize, points.rows);
    const heightLimit = Math.ceil(Math.log2(psi));
    const maxNodes = trees * (2 * psi - 1);
    this.feature = new Int32Array(maxNodes);
    this.value = new Float64Array(maxNodes);
    this.left = new Int32Array(maxNodes);
    this.roots = new Int32Array(trees);
    this.normaliser = averagePathLength(psi);
    this.columns = points.columns;

    const builder = new TreeBuilder(points, this.feature, this.value, this.left, heightLimit, new SeededRandom(seed));
    const all = new Int32Array(points.rows);
    for (let i = 0; i < points.rows; i++) all[i] = i;
    for (let t = 0; t < trees; t++) {
      // Subsample without replacement: a partial Fisher-Yates shuffle of the indices.
      for (let i = 0; i < psi; i++) {
        const j = i + builder.random.below(points.rows - i);
        const swap = all[i];
        all[i] = all[j];
        all[j] = swap;
      }
      this.roots[t] = builder.build(all.slice(0, psi));
    }
  }

  /** Score of one point in (0, 1]: near 1 anomalous, clearly below 0.5 normal. */
  score(point: ArrayLike<number>, offset = 0): number {
    const { feature, value, left, roots } = this;
    let total = 0;
    for (let t = 0; t < roots.length; t++) {
      let node = roots[t];
      let split = feature[node];
      while (split >= 0) {
        node = point[offset + split] < value[node] ? left[node] : left[node] + 1;
        split = feature[node];
      }
      total += value[node];
    }
    return Math.pow(2, -total / roots.length / this.normaliser);
  }

  /** Scores of every row of a matrix. */
  scoreAll(points: Matrix): Float64Array {
    if (points.columns !== this.columns) throw new Error(`isolation forest: expected ${this.columns} columns, got ${points.columns}`);
    const scores = new Float64Array(points.rows);
    for (let i = 0; i < points.rows; i++) scores[i] = this.score(points.data, i * points.columns);
    return scores;
  }
}

/** Grows the trees of one forest into its flat arrays. */
class TreeBuilder {
  private nodes = 0;

  constructor(
    private readonly points: Matrix,
    private readonly feature: Int32Array,
    private readonly value: Float64Array,
    private readonly left: Int32Array,
    private readonly heightLimit: number,
    readonly random: SeededRandom,
  ) {}

  /** Build one tree over `indices` (reordered in place); returns its root. */
  build(indices: Int32Array): number {
    const root = this.nodes++;
    this.grow(root, indices, 0, indices.length, 0);
    return root;
  }

  private leaf(node: number, size: number, depth: number): void {
    this.feature[node] = -1;
    this.value[node] = depth + averagePathLength(size);
  }

  private grow(node: number, indices: Int32Array, from: number, to: number, depth: number): void {
    const size = to - from;
    if (depth >= this.heightLimit || size <= 1) return this.leaf(node, size, depth);
    const { data, columns } = this.points;
    // A random feature that still varies among these points; features that are constant
    // here cannot split them (the paper leaves this case open; this follows scikit-learn).
    let split = -1;
    let min = 0;
    let max = 0;
    const first = this.random.below(columns);
    for (let tried = 0; tried < columns && split < 0; tried++) {
      const q = (first + tried) % columns;
      min = Infinity;
      max = -Infinity;
      for (let i = from; i < to; i++) {
        const x = data[indices[i] * columns + q];
        if (x < min) min = x;
        if (x > max) max = x;
      }
      if (max > min) split = q;
    }
    if (split < 0) return this.leaf(node, size, depth);
    const threshold = min + this.random.next() * (max - min);
    // Partition indices[from..to) into < threshold | >= threshold.
    let middle = from;
    for (let i = from; i < to; i++) {
      if (data[indices[i] * columns + split] < threshold) {
        const swap = indices[i];
        indices[i] = indices[middle];
        indices[middle] = swap;
        middle++;
      }
    }
    const child = this.nodes;
    this.nodes += 2;
    this.feature[node] = split;
    this.value[node] = threshold;
    this.left[node] = child;
    this.grow(child, indices, from, middle, depth + 1);
    this.grow(child + 1, indices, middle, to, depth + 1);
  }
}
