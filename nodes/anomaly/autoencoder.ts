/**
 * The autoencoder scorer: the small ONNX autoencoder of models/anomaly (see its
 * MODEL_CARD.md) reconstructs the robust z-scores of a window, relative to the asset's
 * own baseline (RobustScaler, clipped to ±10); the raw score is the mean squared
 * reconstruction error. The model is not fitted on the baseline, but the scaler is: its
 * normalised scale is calibrated on baseline windows standardised by scalers fitted on
 * the other windows (5-fold, contiguous blocks), like the other scorers' cross-fitting. onnxruntime runs asynchronously,
 * so this scorer is async; it runs through the suite's one ONNX loader.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { OnnxBackend, OnnxSession, SessionOptions, createSession } from "../shared/onnx";
import { modelsDir } from "../shared/paths";
import { Matrix, rowsOf } from "./isolation-forest";
import { RobustScaler } from "./robust";
import { MIN_BASELINE_WINDOWS, Normaliser, normalise, normaliserOf, steadyRows } from "./scorers";

export const AUTOENCODER_FILE = path.join(modelsDir, "anomaly", "autoencoder.onnx");
const FOLDS = 5;
const SIDECAR_FILE = path.join(modelsDir, "anomaly", "autoencoder.json");

interface Sidecar {
  features: string[];
  clip: number;
  input: string;
  output: string;
}

/** The loaded model (one session per backend choice, shared by every detector of the process). */
export interface Autoencoder {
  session: OnnxSession;
  sidecar: Sidecar;
}

const loaded = new Map<string, Promise<Autoencoder>>();

/** Load the shipped autoencoder once per backend choice ("auto" or "web"; PDM_ONNX_BACKEND=web forces web). */
export function loadAutoencoder(options: SessionOptions = {}): Promise<Autoencoder> {
  const key = options.backend === "web" || process.env.PDM_ONNX_BACKEND === "web" ? "web" : `auto:${options.nativeModule ?? ""}`;
  let model = loaded.get(key);
  if (!model) {
    model = (async () => {
      const sidecar = JSON.parse(fs.readFileSync(SIDECAR_FILE, "utf8")) as Sidecar;
      const session = await createSession(AUTOENCODER_FILE, options);
      return { session, sidecar };
    })();
    // A failed load is not cached: the next detector tries again.
    model.catch(() => loaded.delete(key));
    loaded.set(key, model);
  }
  return model;
}

/** "onnx: node" or "onnx: web (fallback)" for a node status. */
export function backendLabel(backend: OnnxBackend): string {
  return backend === "onnxruntime-node" ? "onnx: node" : "onnx: web (fallback)";
}

/**
 * Mean squared reconstruction errors of `rows` points (rows of `data`, in baseline
 * feature order), in one batch.
 */
async function reconstructionErrors(model: Autoencoder, order: readonly number[], scaler: RobustScaler, data: Float64Array, rows: number, columns: number): Promise<Float64Array> {
  const d = order.length;
  const { clip, input, output } = model.sidecar;
  const z = new Float64Array(columns);
  const batch = new Float32Array(rows * d);
  for (let i = 0; i < rows; i++) {
    scaler.standardise(data, z, i * columns);
    for (let j = 0; j < d; j++) batch[i * d + j] = Math.max(-clip, Math.min(clip, z[order[j]]));
  }
  const result = await model.session.run({ [input]: { data: batch, dims: [rows, d] } });
  const reconstruction = result[output];
  if (!reconstruction || reconstruction.data.length !== rows * d) throw new Error(`autoencoder: expected output "${output}" of ${rows}×${d} values`);
  const errors = new Float64Array(rows);
  for (let i = 0; i < rows; i++) {
    let sum = 0;
    for (let j = 0; j < d; j++) {
      const e = reconstruction.data[i * d + j] - batch[i * d + j];
      sum += e * e;
    }
    errors[i] = sum / d;
  }
  return errors;
}

/** The autoencoder calibrated on one baseline. */
export class AutoencoderScorer {
  private constructor(
    private readonly model: Autoencoder,
    private readonly order: readonly number[],
    private readonly scaler: RobustScaler,
    private readonly normaliser: Normaliser,
    /** Normalised scores of the baseline windows. */
    readonly heldOutScores: Float64Array,
  ) {}

  get backend(): OnnxBackend {
    return this.model.session.backend;
  }

  get fallbackReason(): string | undefined {
    return this.model.session.fallbackReason;
  }

  /** The normalised score of one point (baseline feature order). */
  async score(point: Float64Array): Promise<number> {
    const [raw] = await reconstructionErrors(this.model, this.order, this.scaler, point, 1, point.length);
    return normalise(raw, this.normaliser);
  }

  /** Normalised scores of many points at once (rows of a matrix in baseline feature order). */
  async scoreMany(points: Matrix): Promise<Float64Array> {
    const raw = await reconstructionErrors(this.model, this.order, this.scaler, points.data, points.rows, points.columns);
    return raw.map((r) => normalise(r, this.normaliser));
  }

  /**
   * The robust scaler on all baseline windows; the normaliser from held-out scores: each
   * of 5 contiguous blocks of the baseline is standardised by a scaler fitted on the other
   * blocks, as the other scorers' cross-fitting does. (Scoring the windows with the
   * scaler fitted on them, as a first version did, gave 5.3 % false alarms on the
   * held-out CWRU windows in `npm run eval:anomaly -- --scorer autoencoder`.)
   */
  private static async calibrate(model: Autoencoder, order: readonly number[], points: Matrix): Promise<AutoencoderScorer> {
    const fold = (row: number) => Math.floor((row * FOLDS) / points.rows);
    const raw = new Float64Array(points.rows);
    for (let k = 0; k < FOLDS; k++) {
      const inFold = rowsOf(points, (row) => fold(row) === k);
      const errors = await reconstructionErrors(model, order, new RobustScaler(rowsOf(points, (row) => fold(row) !== k)), inFold.data, inFold.rows, inFold.columns);
      let i = 0;
      for (let row = 0; row < points.rows; row++) if (fold(row) === k) raw[row] = errors[i++];
    }
    const normaliser = normaliserOf(raw);
    return new AutoencoderScorer(model, order, new RobustScaler(points), normaliser, raw.map((r) => normalise(r, normaliser)));
  }

  /**
   * Calibrate on baseline windows, leaving out transients as the other scorers do (then
   * the robust scaler and the calibration are redone without them).
   */
  static async fit(points: Matrix, featureNames: readonly string[], options: SessionOptions = {}): Promise<{ scorer: AutoencoderScorer; points: Matrix; transients: number }> {
    if (points.rows < MIN_BASELINE_WINDOWS) {
      throw new Error(`baseline: expected at least ${MIN_BASELINE_WINDOWS} windows to learn from, got ${points.rows}`);
    }
    const model = await loadAutoencoder(options);
    const missing = model.sidecar.features.filter((name) => !featureNames.includes(name));
    if (missing.length > 0) {
      throw new Error(`the autoencoder takes the 18 default features of pdm-features; this baseline lacks ${missing.join(", ")}: choose another scorer for other feature settings`);
    }
    const order = model.sidecar.features.map((name) => featureNames.indexOf(name));
    const first = await AutoencoderScorer.calibrate(model, order, points);
    const steady = steadyRows(first.heldOutScores);
    if (!steady) return { scorer: first, points, transients: 0 };
    const kept = rowsOf(points, steady.keep);
    return { scorer: await AutoencoderScorer.calibrate(model, order, kept), points: kept, transients: steady.transients };
  }
}
