/**
 * RUL from a sequence model in ONNX: the last `window` observations of an asset, normalised
 * as the sidecar JSON says (per operating condition where the model was trained so), go
 * into the model; out comes the RUL. The interval and the failure probabilities come from
 * the residuals the sidecar carries (true minus predicted RUL on engines the model did not
 * train on), binned by predicted RUL: an empirical, conformal-style distribution.
 * Framework-free.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { OnnxSession, SessionOptions, createSession } from "../shared/onnx";
import { Check, arrayOf, finiteNumber, nonEmptyString, numberArray, object, oneOf, optional, fail } from "../shared/validate";
import { RUL_UNITS, RulUnit } from "../shared/contract";
import { RulEstimate } from "./estimate";

export interface ResidualBin {
  from: number;
  /** null = no upper end. */
  to: number | null;
  count: number;
  /** Residual quantiles at the sidecar's `levels`, ascending. */
  quantiles: number[];
}

export interface SequenceSidecar {
  format: "pdm-rul-sequence/1";
  name: string;
  /** The .onnx file, relative to the sidecar. */
  model: string;
  unit: RulUnit;
  input: { name: string; shape: number[] };
  output: { name: string };
  window: number;
  padding: "edge";
  features: string[];
  rulCap?: number;
  normalisation: {
    conditions?: { settings: string[]; scale: number[]; centroids: number[][] };
    mean: number[][];
    std: number[][];
  };
  residuals: { levels: number[]; bins: ResidualBin[] };
}

const positiveInteger = finiteNumber({ min: 1, integer: true });

const checkSidecarShape = object({
  format: oneOf(["pdm-rul-sequence/1"] as const),
  name: nonEmptyString,
  model: nonEmptyString,
  unit: oneOf(RUL_UNITS),
  input: object({ name: nonEmptyString, shape: numberArray({ minLength: 3, maxLength: 3 }) }),
  output: object({ name: nonEmptyString }),
  window: positiveInteger,
  padding: oneOf(["edge"] as const),
  features: arrayOf(nonEmptyString, { minLength: 1 }),
  rulCap: optional(finiteNumber({ above: 0 })),
  normalisation: object({
    conditions: optional(
      object({
        settings: arrayOf(nonEmptyString, { minLength: 1 }),
        scale: numberArray({ minLength: 1 }),
        centroids: arrayOf(numberArray({ minLength: 1 }), { minLength: 1 }),
      }),
    ),
    mean: arrayOf(numberArray({ minLength: 1 }), { minLength: 1 }),
    std: arrayOf(numberArray({ minLength: 1 }), { minLength: 1 }),
  }),
  residuals: object({
    levels: numberArray({ minLength: 3 }),
    bins: arrayOf(
      object({
        from: finiteNumber(),
        to: (value: unknown, p: string) => (value === null ? null : finiteNumber()(value, p)),
        count: finiteNumber({ min: 1, integer: true }),
        quantiles: numberArray({ minLength: 3 }),
      }),
      { minLength: 1 },
    ),
  }),
});

/** Check a sidecar's content, including that its parts agree with each other. */
export const checkSidecar: Check<SequenceSidecar> = (value, p) => {
  const s = checkSidecarShape(value, p) as SequenceSidecar;
  const f = s.features.length;
  if (s.input.shape[1] !== s.window) fail(`${p}.input.shape[1]`, `the window length ${s.window}`, s.input.shape[1]);
  if (s.input.shape[2] !== f) fail(`${p}.input.shape[2]`, `the number of features ${f}`, s.input.shape[2]);
  const conditions = s.normalisation.conditions?.centroids.length ?? 1;
  const { mean, std, conditions: c } = s.normalisation;
  if (mean.length !== conditions) fail(`${p}.normalisation.mean`, `one row per operating condition (${conditions})`, mean);
  if (std.length !== conditions) fail(`${p}.normalisation.std`, `one row per operating condition (${conditions})`, std);
  mean.forEach((row, i) => row.length !== f && fail(`${p}.normalisation.mean[${i}]`, `${f} values, one per feature`, row));
  std.forEach((row, i) => row.forEach((x, j) => !(x > 0) && fail(`${p}.normalisation.std[${i}][${j}]`, "a number > 0", x)));
  if (c) {
    if (c.scale.length !== c.settings.length) fail(`${p}.normalisation.conditions.scale`, `${c.settings.length} values, one per setting`, c.scale);
    c.centroids.forEach((row, i) => row.length !== c.settings.length && fail(`${p}.normalisation.conditions.centroids[${i}]`, `${c.settings.length} values`, row));
  }
  const levels = s.residuals.levels;
  if (levels[0] !== 0 || levels[levels.length - 1] !== 1) fail(`${p}.residuals.levels`, "levels from 0 to 1", levels);
  s.residuals.bins.forEach((bin, i) => bin.quantiles.length !== levels.length && fail(`${p}.residuals.bins[${i}].quantiles`, `${levels.length} quantiles, one per level`, bin.quantiles));
  return s;
};

export function readSidecar(file: string): SequenceSidecar {
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, "utf8"));
  } catch (err) {
    throw new Error(`${file}: cannot read the sidecar JSON: ${(err as Error).message.split("\n")[0]}`);
  }
  return checkSidecar(raw, path.basename(file));
}

/** Where an observation's numbers go wrong: a missing or non-finite feature or setting. */
function value(observation: Record<string, unknown>, name: string): number {
  const x = observation[name];
  if (typeof x !== "number" || !Number.isFinite(x)) {
    throw new Error(`msg.payload.features.${name}: expected a finite number (the model needs it), got ${x === undefined ? "nothing (missing)" : String(x)}`);
  }
  return x;
}

/** The residual distribution for one predicted RUL, as an inverse CDF over the sidecar's levels. */
class ResidualTable {
  constructor(private readonly levels: number[], private readonly bins: ResidualBin[]) {}

  private bin(predicted: number): ResidualBin {
    return this.bins.find((b) => predicted >= b.from && (b.to === null || predicted < b.to)) ?? this.bins[predicted < this.bins[0].from ? 0 : this.bins.length - 1];
  }

  quantile(predicted: number, p: number): number {
    const q = this.bin(predicted).quantiles;
    const above = this.levels.findIndex((l) => l > p);
    const i = above === -1 ? this.levels.length - 2 : Math.max(0, above - 1);
    const f = (p - this.levels[i]) / (this.levels[i + 1] - this.levels[i]);
    return q[i] + f * (q[i + 1] - q[i]);
  }

  /** P(true RUL <= horizon) for a prediction: the residual CDF at horizon - predicted. */
  cdf(predicted: number, horizon: number): number {
    const q = this.bin(predicted).quantiles;
    const r = horizon - predicted;
    if (r < q[0]) return 0;
    if (r >= q[q.length - 1]) return 1;
    let i = 0;
    while (i < q.length - 2 && q[i + 1] <= r) i++;
    const f = q[i + 1] > q[i] ? (r - q[i]) / (q[i + 1] - q[i]) : 1;
    return this.levels[i] + f * (this.levels[i + 1] - this.levels[i]);
  }
}

/** The recent normalised observations of one asset, edge-padded at the start of a run. */
export class ObservationWindow {
  private readonly rows: Float32Array[] = [];

  constructor(readonly length: number, readonly width: number) {}

  get count(): number {
    return this.rows.length;
  }

  push(row: Float32Array): void {
    this.rows.push(row);
    if (this.rows.length > this.length) this.rows.shift();
  }

  /** Copy the window into `out` at `offset` (length * width values). */
  writeTo(out: Float32Array, offset = 0): void {
    if (this.rows.length === 0) throw new Error("no observations in the window");
    const pad = this.length - this.rows.length;
    for (let i = 0; i < this.length; i++) out.set(this.rows[Math.max(0, i - pad)], offset + i * this.width);
  }
}

export class SequenceRulModel {
  private readonly residuals: ResidualTable;

  private constructor(
    readonly sidecar: SequenceSidecar,
    private readonly session: OnnxSession,
  ) {
    this.residuals = new ResidualTable(sidecar.residuals.levels, sidecar.residuals.bins);
  }

  get backend(): string {
    return this.session.backend;
  }

  get fallbackReason(): string | undefined {
    return this.session.fallbackReason;
  }

  /**
   * Load a sidecar and its model, and check that the model takes what the sidecar says:
   * the input name, and a [batch, window, features] shape (from the model's metadata and
   * by one trial run).
   */
  static async load(sidecarFile: string, options: SessionOptions = {}): Promise<SequenceRulModel> {
    const sidecar = readSidecar(sidecarFile);
    const modelFile = path.resolve(path.dirname(sidecarFile), sidecar.model);
    const session = await createSession(modelFile, options);
    const mismatch = (what: string) => new Error(`${path.basename(modelFile)} does not match ${path.basename(sidecarFile)}: ${what}`);
    const input = session.inputs.find((i) => i.name === sidecar.input.name);
    if (!input) throw mismatch(`the model's inputs are ${session.inputs.map((i) => `"${i.name}"`).join(", ")}, the sidecar names "${sidecar.input.name}"`);
    if (!session.outputs.some((o) => o.name === sidecar.output.name)) {
      throw mismatch(`the model's outputs are ${session.outputs.map((o) => `"${o.name}"`).join(", ")}, the sidecar names "${sidecar.output.name}"`);
    }
    const expected = [sidecar.window, sidecar.features.length];
    if (input.shape) {
      const fixed = input.shape.slice(1);
      const differs = fixed.length !== 2 || fixed.some((d, i) => typeof d === "number" && d !== expected[i]);
      if (differs) throw mismatch(`the model's input shape is [${input.shape.join(", ")}], the sidecar says [batch, ${expected.join(", ")}]`);
    }
    const model = new SequenceRulModel(sidecar, session);
    try {
      await model.predictRaw(new Float32Array(2 * sidecar.window * sidecar.features.length), 2);
    } catch (err) {
      throw mismatch(`a trial run with [2, ${expected.join(", ")}] failed: ${(err as Error).message.split("\n")[0]}`);
    }
    return model;
  }

  get window(): number {
    return this.sidecar.window;
  }

  get width(): number {
    return this.sidecar.features.length;
  }

  newWindow(): ObservationWindow {
    return new ObservationWindow(this.sidecar.window, this.width);
  }

  /** The operating condition an observation belongs to (nearest centroid of its scaled settings). */
  condition(observation: Record<string, unknown>): number {
    const c = this.sidecar.normalisation.conditions;
    if (!c) return 0;
    const settings = c.settings.map((name) => value(observation, name) * c.scale[c.settings.indexOf(name)]);
    let best = 0;
    let bestDistance = Infinity;
    c.centroids.forEach((centroid, k) => {
      let d = 0;
      for (let i = 0; i < settings.length; i++) d += (settings[i] - centroid[i] * c.scale[i]) ** 2;
      if (d < bestDistance) {
        bestDistance = d;
        best = k;
      }
    });
    return best;
  }

  /** One observation (feature name -> value) as the model's normalised input row. */
  normalise(observation: Record<string, unknown>): Float32Array {
    const k = this.condition(observation);
    const { mean, std } = this.sidecar.normalisation;
    return Float32Array.from(this.sidecar.features, (name, i) => (value(observation, name) - mean[k][i]) / std[k][i]);
  }

  /** Raw model output for `batch` windows laid out one after another in `input`. */
  async predictRaw(input: Float32Array, batch: number): Promise<Float32Array> {
    const out = await this.session.run({ [this.sidecar.input.name]: { data: input, dims: [batch, this.sidecar.window, this.width] } });
    const rul = out[this.sidecar.output.name];
    if (!rul || rul.data.length !== batch) throw new Error(`model output "${this.sidecar.output.name}" has ${rul?.data.length ?? 0} values for ${batch} windows`);
    return rul.data;
  }

  /** The estimate (with interval and failure probabilities) for one predicted RUL. */
  estimateFor(predicted: number): RulEstimate {
    const rul = Math.max(0, predicted);
    const table = this.residuals;
    return {
      rul,
      lower: Math.max(0, rul + table.quantile(rul, 0.05)),
      upper: Math.max(rul, rul + table.quantile(rul, 0.95)),
      pFailWithin: (h: number) => table.cdf(rul, h),
      method: `onnx:${this.sidecar.name}`,
    };
  }

  /** Estimates for several windows at once (one model run). */
  async predict(windows: ObservationWindow[]): Promise<RulEstimate[]> {
    const size = this.sidecar.window * this.width;
    const input = new Float32Array(windows.length * size);
    windows.forEach((w, i) => w.writeTo(input, i * size));
    const raw = await this.predictRaw(input, windows.length);
    return Array.from(raw, (r) => this.estimateFor(r));
  }

  release(): Promise<void> {
    return this.session.release();
  }
}

