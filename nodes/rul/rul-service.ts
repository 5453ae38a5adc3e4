/**
 * The core of pdm-rul: per-asset state for the chosen method, fed one observation at a
 * time, answering with a RulMessage or with the reason it has none. Holds the repair
 * detection and the run-to-failure library. The node adapter and the evaluation both go
 * through this class. Framework-free (the ONNX model is loaded by the caller).
 */
import type { RulMessage, RulUnit } from "../shared/contract";
import { Check, finiteNumber, isRecord, nonEmptyString, object, optional, recordOf } from "../shared/validate";
import { DegradationModel, DegradationOptions, DegradationShape, LinearisedHistory, isEstimate, linearised, priorFromHistories } from "./degradation";
import { RulEstimate, toRulMessage } from "./estimate";
import { ObservationWindow, SequenceRulModel } from "./sequence-model";
import { RunHistory, SimilarityModel, checkHistory } from "./similarity";

/** What pdm-rul reads: a features message, a health-index message, or any record of numbers with an asset and a time. */
export interface Observation {
  asset: string;
  /** Epoch ms. */
  t0: number;
  features?: Record<string, number>;
  healthIndex?: number;
  /** Cycle number, for assets counted in cycles (default: one cycle per observation). */
  cycle?: number;
}

export const checkObservation: Check<Observation> = (value, path) => {
  const observation = object({
    asset: nonEmptyString,
    t0: finiteNumber({ min: 0 }),
    features: optional(recordOf(finiteNumber())),
    healthIndex: optional(finiteNumber({ min: 0, max: 100 })),
    cycle: optional(finiteNumber({ min: 0 })),
  })(value, path);
  return observation as Observation;
};

export type RulMethod = "linear-degradation" | "exponential-degradation" | "onnx" | "similarity";
export const RUL_METHODS: readonly RulMethod[] = ["linear-degradation", "exponential-degradation", "onnx", "similarity"];
/** Degradation prior: vague, or estimated from the run-to-failure library (mean and spread of each history's fit). */
export type DegradationPrior = "vague" | "library";
export const DEGRADATION_PRIORS: readonly DegradationPrior[] = ["vague", "library"];

export interface RulServiceOptions {
  method: RulMethod;
  unit: RulUnit;
  /** Hours per cycle, for the 24 h / 7 d / 30 d horizons when the unit is cycles. */
  hoursPerCycle: number;
  /** "healthIndex" (from pdm-health-index) or the name of a feature in msg.payload.features. Degradation and similarity. */
  signal: string;
  /** The signal's value at failure (default 0 for the health index). Degradation. */
  threshold: number;
  /** Exponential offset in the model's growing damage space; undefined = 1 % of the way from the first value away from the threshold. */
  phi?: number;
  minObservations: number;
  slopeDetectionLevel: number;
  /** Degradation: forgetting factor per observation (1 = none). */
  forgetting: number;
  /** Degradation: the prior of the model's parameters. */
  prior: DegradationPrior;
  /** A jump back towards as-new by this share of the first-value-to-threshold distance starts a new run (repair). 0 = off. */
  repairFraction: number;
  /** Similarity: neighbours. Similarity and the degradation prior "library": the run-to-failure histories. */
  neighbours: number;
  library: RunHistory[];
  /** ONNX: the loaded model. */
  model?: SequenceRulModel;
}

export const DEFAULT_RUL_OPTIONS: Omit<RulServiceOptions, "method" | "unit"> = {
  hoursPerCycle: 1,
  signal: "healthIndex",
  threshold: 0,
  minObservations: 5,
  slopeDetectionLevel: 0.05,
  forgetting: 1,
  prior: "vague",
  repairFraction: 0.2,
  neighbours: 5,
  library: [],
};

/** One asset's current run, as it is persisted. */
export interface AssetRun {
  /** Times in the service's unit. */
  t: number[];
  /** The signal as observed (health index or feature value); for ONNX the raw records. */
  values: number[];
  records?: Array<Record<string, number>>;
  lastHealthIndex?: number;
  repairs: number;
}

export interface RulServiceState {
  assets: Record<string, AssetRun>;
  library: RunHistory[];
}

export type RulOutcome =
  | { ok: true; message: RulMessage; repaired: boolean; detail?: unknown }
  | { ok: false; reason: string; repaired: boolean };

const MS_PER_HOUR = 3_600_000;
/**
 * Keep at most this many observations of a run for the degradation and similarity methods.
 * A longer run keeps its newest MAX_RUN / 2 observations at full rate and every other one of
 * the older part, so the past thins out geometrically (one in 2, 4, 8, … the older it is) and
 * the run still starts where it started: the degradation space is set by the first value, and
 * similarity matches the whole life. The model is rebuilt once per MAX_RUN / 4 observations,
 * not per observation, and the state file (every run, rewritten while data stream in) stays
 * small. With the default forgetting (0.95 per observation) the thinned part weighs nothing
 * in the fit; with forgetting 1 older observations weigh less once thinned.
 */
export const MAX_RUN = 5_000;

export class RulService {
  readonly options: RulServiceOptions;
  private readonly assets = new Map<string, AssetRun>();
  private readonly library: RunHistory[];
  private similarity: SimilarityModel | undefined;
  /** The degradation prior from the library, computed when first needed (per linear space, see degradationSpace). */
  private libraryPrior: DegradationOptions["prior"] | undefined;
  /** Cached degradation models per asset, rebuilt from the run when needed. */
  private readonly degradation = new Map<string, DegradationModel>();
  private readonly windows = new Map<string, ObservationWindow>();

  constructor(options: Pick<RulServiceOptions, "method" | "unit"> & Partial<RulServiceOptions>, state?: RulServiceState) {
    this.options = { ...DEFAULT_RUL_OPTIONS, ...options };
    const o = this.options;
    if (!RUL_METHODS.includes(o.method)) throw new Error(`method: expected one of ${RUL_METHODS.join(", ")}, got ${o.method}`);
    if (o.method === "onnx" && !o.model) throw new Error("the onnx method needs a model");
    if (o.method === "onnx" && o.model && o.model.sidecar.unit !== o.unit) {
      throw new Error(`unit: the model ${o.model.sidecar.name} predicts in ${o.model.sidecar.unit}, the node is set to ${o.unit}`);
    }
    if (!(o.hoursPerCycle > 0)) throw new Error(`hoursPerCycle: expected a number > 0, got ${o.hoursPerCycle}`);
    if (!Number.isFinite(o.threshold)) throw new Error(`threshold: expected a finite number, got ${o.threshold}`);
    if (!DEGRADATION_PRIORS.includes(o.prior)) throw new Error(`prior: expected one of ${DEGRADATION_PRIORS.join(", ")}, got ${o.prior}`);
    this.library = [...o.library, ...(state?.library ?? [])].map(checkHistory);
    for (const [asset, run] of Object.entries(state?.assets ?? {})) this.assets.set(asset, run);
  }

  get state(): RulServiceState {
    return { assets: Object.fromEntries(this.assets), library: this.library.slice(this.options.library.length) };
  }

  get librarySize(): number {
    return this.library.length;
  }

  /** Forget one asset's run (or every asset's). The library stays. */
  reset(asset?: string): void {
    for (const key of asset === undefined ? [...this.assets.keys()] : [asset]) {
      this.assets.delete(key);
      this.degradation.delete(key);
      this.windows.delete(key);
    }
  }

  /** The asset's run ended in failure: keep it as a run-to-failure history for the similarity method, start anew. */
  recordFailure(asset: string): RunHistory {
    const run = this.assets.get(asset);
    if (!run || run.t.length < 2) throw new Error(`asset "${asset}": no run with at least 2 observations to record as a failure`);
    const history = checkHistory({ id: `${asset}#${this.library.length + 1}`, t: run.t.map((t) => t - run.t[0]), values: run.values.slice() });
    this.addHistory(history);
    this.reset(asset);
    return history;
  }

  addHistory(history: RunHistory): void {
    this.library.push(checkHistory(history));
    this.similarity = undefined;
    if (this.options.prior === "library") {
      // A new history changes the prior: every asset's model is refitted with it.
      this.libraryPrior = undefined;
      this.degradation.clear();
    }
  }

  private timeOf(observation: Observation, run: AssetRun | undefined): number {
    if (this.options.unit === "h") return observation.t0 / MS_PER_HOUR;
    if (observation.cycle !== undefined) return observation.cycle;
    return run && run.t.length > 0 ? run.t[run.t.length - 1] + 1 : 1;
  }

  private signalOf(observation: Observation): number {
    const { signal } = this.options;
    if (signal === "healthIndex") {
      if (observation.healthIndex === undefined) throw new Error("msg.payload.healthIndex: expected a number 0-100 (wire a pdm-health-index before, or choose a feature as the signal)");
      return observation.healthIndex;
    }
    const value = observation.features?.[signal];
    if (value === undefined) throw new Error(`msg.payload.features.${signal}: expected a finite number (the chosen signal), got nothing (missing)`);
    return value;
  }

  /** Damage grows towards the threshold: the health index falls to it, a feature may rise or fall to it. */
  private damageOf(value: number, first: number): number {
    const { signal, threshold } = this.options;
    if (signal === "healthIndex") return 100 - value;
    return threshold >= first ? value : -value;
  }

  private damageThreshold(first: number): number {
    const { signal, threshold } = this.options;
    if (signal === "healthIndex") return 100 - threshold;
    return threshold >= first ? threshold : -threshold;
  }

  /** True when the new value is back towards as-new by more than repairFraction of the run's range (median of the last 5 as the reference). */
  private looksLikeRepair(run: AssetRun, value: number): boolean {
    const { repairFraction } = this.options;
    if (repairFraction <= 0 || run.values.length < 3 || this.options.method === "onnx") return false;
    const first = run.values[0];
    const recent = run.values.slice(-5).sort((a, b) => a - b)[Math.floor(Math.min(5, run.values.length) / 2)];
    const range = Math.abs(this.damageThreshold(first) - this.damageOf(first, first));
    const improvement = this.damageOf(recent, first) - this.damageOf(value, first);
    return range > 0 && improvement > repairFraction * range;
  }

  /** Take one observation of an asset and answer with an estimate or the reason there is none. */
  async update(observation: Observation): Promise<RulOutcome> {
    const { asset } = observation;
    let run = this.assets.get(asset);
    const t = this.timeOf(observation, run);
    if (run && run.t.length > 0 && t <= run.t[run.t.length - 1]) {
      throw new Error(`msg.payload: time ${t} ${this.options.unit} is not after the asset's previous observation (${run.t[run.t.length - 1]}); send a reset after a clock change`);
    }
    const value = this.options.method === "onnx" ? NaN : this.signalOf(observation);
    let repaired = false;
    if (run && this.looksLikeRepair(run, value)) {
      this.reset(asset);
      run = undefined;
      repaired = true;
    }
    if (!run) {
      run = { t: [], values: [], repairs: 0 };
      this.assets.set(asset, run);
    }
    if (repaired) run.repairs++;
    run.t.push(t);
    run.values.push(value);
    if (this.options.method === "onnx") {
      // The ONNX method keeps its own window of records; of the run it needs the last time only.
      run.t.splice(0, run.t.length - 1);
      run.values.splice(0, run.values.length - 1);
    } else if (run.t.length > MAX_RUN) {
      thinOlderHalf(run);
      this.degradation.delete(asset);
    }
    if (observation.healthIndex !== undefined) run.lastHealthIndex = observation.healthIndex;
    const result = await this.estimate(asset, run, observation);
    if ("reason" in result) return { ok: false, reason: result.reason, repaired };
    const healthIndex = run.lastHealthIndex ?? this.impliedHealthIndex(result.estimate.rul);
    const message = toRulMessage(result.estimate, { asset, t0: observation.t0, unit: this.options.unit, healthIndex, hoursPerCycle: this.options.hoursPerCycle });
    return { ok: true, message, repaired, detail: result.detail };
  }

  /** Without a health index in the input: 100 at the model's RUL cap (or more), 0 at RUL 0. */
  private impliedHealthIndex(rul: number): number {
    const cap = this.options.model?.sidecar.rulCap;
    return cap ? (100 * Math.min(rul, cap)) / cap : 100;
  }

  private async estimate(asset: string, run: AssetRun, observation: Observation): Promise<{ estimate: RulEstimate; detail?: unknown } | { reason: string }> {
    const o = this.options;
    if (o.method === "onnx") {
      const model = o.model as SequenceRulModel;
      let window = this.windows.get(asset);
      if (!window) {
        window = model.newWindow();
        this.windows.set(asset, window);
        for (const record of run.records ?? []) window.push(model.normalise(record));
      }
      // Models may use the age in cycles ("cycle", as the shipped C-MAPSS ones do): the
      // observation's cycle, or the node's own count, unless the features carry it.
      const record: Record<string, number> = { ...(observation.features ?? {}) };
      if (record.cycle === undefined && this.options.unit === "cycles") record.cycle = run.t[run.t.length - 1];
      window.push(model.normalise(record));
      run.records = [...(run.records ?? []), record].slice(-model.window);
      const [estimate] = await model.predict([window]);
      return { estimate, detail: { backend: model.backend, window: model.window, filled: window.count } };
    }
    if (o.method === "similarity") {
      if (this.library.length < 2) return { reason: `similarity needs at least 2 run-to-failure histories, the library has ${this.library.length}` };
      this.similarity ??= new SimilarityModel(this.library, { neighbours: o.neighbours, minObservations: o.minObservations });
      const result = this.similarity.estimate(run.t.map((t) => t - run.t[0]), run.values);
      if ("reason" in result) return result;
      return { estimate: result, detail: { matches: result.matches, library: this.library.length } };
    }
    return this.degradationEstimate(asset, run);
  }

  /**
   * The degradation model's space for a run whose signal starts at `first`: the damage
   * threshold, phi, and the observed value as damage (held just above phi for the exponential
   * model, which cannot log values at or below it; documented).
   */
  private degradationSpace(first: number): { shape: DegradationShape; threshold: number; phi: number; damage: (value: number) => number } {
    const o = this.options;
    const shape: DegradationShape = o.method === "linear-degradation" ? "linear" : "exponential";
    const threshold = this.damageThreshold(first);
    const firstDamage = this.damageOf(first, first);
    const phi = o.phi ?? firstDamage - 0.01 * Math.abs(threshold - firstDamage);
    const floor = phi + 1e-6 * Math.max(1, Math.abs(threshold - phi));
    const damage = (v: number) => (shape === "exponential" ? Math.max(floor, this.damageOf(v, first)) : this.damageOf(v, first));
    return { shape, threshold, phi, damage };
  }

  /** The prior from the library's histories, each in its own degradation space (as its run was when it was new). */
  private priorFromLibrary(): DegradationOptions["prior"] | { reason: string } {
    if (this.library.length < 2) return { reason: `the prior from the library needs at least 2 run-to-failure histories, the library has ${this.library.length}` };
    this.libraryPrior ??= priorFromHistories(
      this.library.map((history): LinearisedHistory => {
        const { shape, phi, damage } = this.degradationSpace(history.values[0]);
        return { t: history.t, y: history.values.map((v) => linearised(shape, phi, damage(v)) as number) };
      }),
    );
    return this.libraryPrior;
  }

  private degradationEstimate(asset: string, run: AssetRun): { estimate: RulEstimate; detail?: unknown } | { reason: string } {
    const o = this.options;
    let model = this.degradation.get(asset);
    const { shape, threshold, phi, damage } = this.degradationSpace(run.values[0]);
    if (!model || model.count !== run.t.length - 1) {
      const prior = o.prior === "library" ? this.priorFromLibrary() : undefined;
      if (prior && "reason" in prior) return prior;
      model = new DegradationModel({ shape, threshold, phi, minObservations: o.minObservations, slopeDetectionLevel: o.slopeDetectionLevel, forgetting: o.forgetting, ...(prior && { prior }) });
      for (let i = 0; i < run.t.length; i++) model.add(run.t[i], damage(run.values[i]));
    } else {
      model.add(run.t[run.t.length - 1], damage(run.values[run.values.length - 1]));
    }
    this.degradation.set(asset, model);
    const result = model.estimate();
    if (!isEstimate(result)) return { reason: result.message };
    return { estimate: result, detail: { observations: run.t.length, posterior: model.posterior(), prior: o.prior } };
  }
}

/** Every other observation of the run's part before its newest MAX_RUN / 2 (see MAX_RUN). */
function thinOlderHalf(run: AssetRun): void {
  const older = run.t.length - MAX_RUN / 2;
  const kept = (_: number, i: number) => i >= older || i % 2 === 0;
  run.t = run.t.filter(kept);
  run.values = run.values.filter(kept);
}

/** A library file: an array of run-to-failure histories ({ id, t, values }). */
export function parseLibrary(raw: unknown, source: string): RunHistory[] {
  if (!Array.isArray(raw)) throw new Error(`${source}: expected an array of run-to-failure histories { id, t, values }`);
  return raw.map((item, i) => {
    if (!isRecord(item)) throw new Error(`${source}[${i}]: expected { id, t, values }`);
    const id = typeof item.id === "string" && item.id ? item.id : `${source}[${i}]`;
    const t = item.t;
    const values = item.values;
    if (!Array.isArray(t) || !Array.isArray(values)) throw new Error(`${source}[${i}]: expected arrays t and values`);
    return checkHistory({ id, t: t as number[], values: values as number[] });
  });
}
