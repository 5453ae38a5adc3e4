/**
 * The selectable scorers and their ensemble. Each scorer gives a raw score (higher = less
 * like the baseline) on its own scale; to combine and threshold them, every raw score is
 * normalised against the same scorer's scores of held-out baseline windows:
 *
 *   normalised = (raw − median) / (q99 − median)
 *
 * so a typical healthy window scores about 0 and the most unusual 1 % of healthy windows
 * score above 1, for every scorer. Above 1 the scale is logarithmic (1 + ln s): the
 * order of windows is kept, but a distance-based scorer that reaches 10 000 on a broken
 * bearing cannot drown a bounded one (the isolation forest tops out near 10) in the
 * ensemble, which is the mean of the normalised scores.
 *
 * Held-out scores come from K-fold cross-fitting over contiguous blocks of the baseline
 * (windows close in time are alike, so random folds would leak): each block is scored by
 * models fitted on the other blocks. Scores of the very windows a model was fitted on are
 * optimistic (a Mahalanobis distance with twenty features on a hundred windows by far),
 * and a threshold set from them would raise false alarms on new healthy data.
 */
import { IsolationForest, Matrix, rowsOf } from "./isolation-forest";
import { RobustMahalanobis, median, quantile } from "./robust";

export const SCORERS = ["ensemble", "isolation-forest", "mahalanobis", "autoencoder"] as const;
export type ScorerName = (typeof SCORERS)[number];

/** The synchronous single scorers; "ensemble" combines them. The ONNX autoencoder (./autoencoder) is async and scores alone. */
const COMPONENTS = ["isolation-forest", "mahalanobis"] as const;
type ComponentName = (typeof COMPONENTS)[number];

export interface ScorerOptions {
  scorer: ScorerName;
  /** Seed of the isolation forest. */
  seed: number;
}

/**
 * A learning window whose held-out score is this many robust standard deviations (from
 * the MAD of all held-out scores) above their median is a transient (a knock, a spike of
 * the sensor), not healthy behaviour, and is left out of the fitted baseline.
 */
const TRANSIENT_SIGMAS = 10;
/** At most this fraction of a baseline is left out as transients; beyond it all windows are kept (the phase itself was unsteady). */
const MAX_TRANSIENT_FRACTION = 0.1;

/** The fewest baseline windows a model is fitted on (each of the 5 folds then trains on >= 16). */
export const MIN_BASELINE_WINDOWS = 20;
const FOLDS = 5;
const NORMALISATION_QUANTILE = 0.99;

interface RawScorer {
  score(points: Float64Array, offset: number): number;
}

function fitComponent(name: ComponentName, points: Matrix, seed: number): RawScorer {
  if (name === "isolation-forest") return new IsolationForest(points, { seed });
  return new RobustMahalanobis(points);
}

function componentsOf(scorer: ScorerName): readonly ComponentName[] {
  if (scorer === "autoencoder") throw new Error("the autoencoder scorer is asynchronous: fit it with AutoencoderScorer.fit");
  return scorer === "ensemble" ? COMPONENTS : [scorer];
}

/** Maps a raw score onto the common scale: 0 typical healthy, 1 the 99th percentile of healthy. */
export interface Normaliser {
  centre: number;
  spread: number;
}

/** 1 + ln(s) above 1: monotonic, continuous and equal to s at the threshold's scale. */
function compress(s: number): number {
  return s <= 1 ? s : 1 + Math.log(s);
}

export function normalise(raw: number, normaliser: Normaliser): number {
  return compress((raw - normaliser.centre) / normaliser.spread);
}

export function normaliserOf(heldOut: Float64Array): Normaliser {
  const centre = median(heldOut);
  const spread = quantile(heldOut, NORMALISATION_QUANTILE) - centre;
  return { centre, spread: Math.max(spread, Math.abs(centre) * 1e-9, 1e-12) };
}

/** A fitted scorer (single or ensemble) with its normalisation and its held-out baseline scores. */
export class FittedScorer {
  private readonly components: Array<{ scorer: RawScorer; normaliser: Normaliser }>;
  /** Normalised scores of every baseline window from the models that did not see it. */
  readonly heldOutScores: Float64Array;

  constructor(points: Matrix, options: ScorerOptions) {
    if (points.rows < MIN_BASELINE_WINDOWS) {
      throw new Error(`baseline: expected at least ${MIN_BASELINE_WINDOWS} windows to learn from, got ${points.rows}`);
    }
    const names = componentsOf(options.scorer);
    const fold = (row: number) => Math.floor((row * FOLDS) / points.rows);
    const heldOutRaw = names.map(() => new Float64Array(points.rows));
    for (let k = 0; k < FOLDS; k++) {
      const training = rowsOf(points, (row) => fold(row) !== k);
      names.forEach((name, c) => {
        const scorer = fitComponent(name, training, options.seed);
        for (let row = 0; row < points.rows; row++) {
          if (fold(row) === k) heldOutRaw[c][row] = scorer.score(points.data, row * points.columns);
        }
      });
    }
    this.components = names.map((name, c) => ({ scorer: fitComponent(name, points, options.seed), normaliser: normaliserOf(heldOutRaw[c]) }));
    this.heldOutScores = new Float64Array(points.rows);
    for (let row = 0; row < points.rows; row++) {
      let sum = 0;
      this.components.forEach(({ normaliser }, c) => (sum += normalise(heldOutRaw[c][row], normaliser)));
      this.heldOutScores[row] = sum / this.components.length;
    }
  }

  /** The normalised score of one point (mean over the components for the ensemble). */
  score(point: Float64Array, offset = 0): number {
    let sum = 0;
    for (const { scorer, normaliser } of this.components) sum += normalise(scorer.score(point, offset), normaliser);
    return sum / this.components.length;
  }
}

export interface FittedBaseline {
  scorer: FittedScorer;
  /** The windows fitted on: the baseline without its transients. */
  points: Matrix;
  /** How many learning windows were left out as transients. */
  transients: number;
}

/**
 * Fit a scorer on baseline windows, leaving out transients: fit on all, find windows far
 * above the others by their held-out scores, refit without them. A one-off spike during
 * learning would otherwise stretch the threshold so far that the real fault never
 * crosses it (FEMTO Bearing1_2 has a 14 g spike in its first minutes).
 */
export function fitBaseline(points: Matrix, options: ScorerOptions): FittedBaseline {
  const first = new FittedScorer(points, options);
  const steady = steadyRows(first.heldOutScores);
  if (!steady) return { scorer: first, points, transients: 0 };
  const kept = rowsOf(points, steady.keep);
  return { scorer: new FittedScorer(kept, options), points: kept, transients: steady.transients };
}

/**
 * The windows to keep when some held-out scores are transients (far above the others),
 * or undefined to keep them all: none is a transient, too many are, or too few would be left.
 */
export function steadyRows(scores: Float64Array): { keep: (row: number) => boolean; transients: number } | undefined {
  const centre = median(scores);
  const sigma = 1.4826 * median(scores.map((s) => Math.abs(s - centre)));
  const limit = centre + TRANSIENT_SIGMAS * sigma;
  const keep = (row: number) => scores[row] <= limit;
  let transients = 0;
  for (let row = 0; row < scores.length; row++) if (!keep(row)) transients++;
  if (transients === 0 || transients > MAX_TRANSIENT_FRACTION * scores.length || scores.length - transients < MIN_BASELINE_WINDOWS) return undefined;
  return { keep, transients };
}
