/**
 * The anomaly detector of one asset and sensor: a learning phase that collects healthy
 * feature vectors, then scoring against the baseline with an adaptive threshold, alarm
 * persistence and hysteresis, per-feature contributions and drift. Framework-free: the
 * pdm-anomaly node keeps one per asset/sensor, and the evaluation drives the same class.
 */
import type { Criticality } from "../config/asset";
import type { AnomalyMessage, FeaturesMessage } from "../shared/contract";
import { Check, arrayOf, boolean, fail, finiteNumber, isRecord, nonEmptyString, numberArray, object, optional } from "../shared/validate";
import { BASELINE_FORMAT, BASELINE_VERSION, BaselineJson, baselineMatrix, checkBaseline } from "./baseline";
import { contributions } from "./contributions";
import { DRIFT_DEFAULTS, DriftDetector, DriftOptions, DriftState, DriftedFeature } from "./drift";
import type { SessionOptions } from "../shared/onnx";
import { AutoencoderScorer } from "./autoencoder";
import type { Matrix } from "./isolation-forest";
import { RobustScaler } from "./robust";
import { FittedScorer, MIN_BASELINE_WINDOWS, ScorerName, fitBaseline } from "./scorers";
import { ALARM_DEFAULTS, AlarmOptions, AlarmState, CRITICALITY_FACTORS, adaptiveThreshold, severityOf } from "./threshold";

export const LEARNING_MODES = ["windows", "time", "command"] as const;
export type LearningMode = (typeof LEARNING_MODES)[number];

export interface DetectorOptions {
  scorer: ScorerName;
  seed: number;
  /** How the learning phase ends: after `learnWindows` windows, after `learnHours` of message time, or on "freeze". */
  learning: LearningMode;
  learnWindows: number;
  learnHours: number;
  criticality: Criticality;
  /** Quantile of held-out baseline scores the threshold starts from. */
  quantile: number;
  /** Threshold factor; undefined = from the criticality (CRITICALITY_FACTORS). */
  factor?: number;
  alarm: AlarmOptions;
  /** Drift detection settings; undefined = off. */
  drift?: DriftOptions;
  /** ONNX loader options of the autoencoder scorer (tests force the onnxruntime-web fallback with { backend: "web" }). */
  onnx?: SessionOptions;
}

export const DETECTOR_DEFAULTS: DetectorOptions = {
  scorer: "ensemble",
  seed: 42,
  learning: "windows",
  learnWindows: 100,
  learnHours: 24,
  criticality: "medium",
  quantile: 0.99,
  alarm: ALARM_DEFAULTS,
  drift: DRIFT_DEFAULTS,
};

/** The most windows a baseline keeps; beyond, every other window is dropped (time order is kept). */
export const MAX_BASELINE_WINDOWS = 2000;

/** The anomaly message of pdm-anomaly: the contract's shape plus which sensor and scorer. */
export interface AnomalyPayload extends AnomalyMessage {
  sensor: string;
  scorer: ScorerName;
  /** This window alone is above the threshold (the alarm needs k of n). */
  above: boolean;
}

export interface DriftReport {
  asset: string;
  sensor: string;
  t0: number;
  /** Healthy-looking windows scored since the baseline was learned. */
  windows: number;
  features: DriftedFeature[];
}

export interface LearnedReport {
  asset: string;
  sensor: string;
  windows: number;
  /** Windows left out of the fit as transients (far outside the others, e.g. a knock). */
  transients: number;
  threshold: number;
  featureNames: string[];
}

/** What one features message led to. */
export type Outcome =
  | { kind: "learning"; windows: number; progress: number; learned?: undefined }
  | { kind: "learned"; learned: LearnedReport }
  | { kind: "scored"; anomaly: AnomalyPayload; drift?: DriftReport };

/** The windows collected so far in a learning phase. */
interface Learning {
  featureNames?: string[];
  windows: number[][];
  /** Keep one window in `stride` (doubles each time the buffer is full). */
  stride: number;
  seen: number;
  from?: number;
  to?: number;
}

/** The fitted model of a baseline. */
class Model {
  readonly scorer: FittedScorer | AutoencoderScorer;
  readonly scaler: RobustScaler;
  readonly threshold: number;
  /** Learning windows left out of the fit as transients. */
  readonly transients: number;
  readonly drift?: DriftDetector;
  driftReported = false;

  /** Fit a synchronous scorer (all but the autoencoder). */
  static fit(baseline: BaselineJson, options: DetectorOptions): Model {
    return new Model(baseline, options, fitBaseline(baselineMatrix(baseline), { scorer: options.scorer, seed: options.seed }));
  }

  /** Fit any scorer; the autoencoder runs through onnxruntime, asynchronously. */
  static async fitAsync(baseline: BaselineJson, options: DetectorOptions): Promise<Model> {
    if (options.scorer !== "autoencoder") return Model.fit(baseline, options);
    return new Model(baseline, options, await AutoencoderScorer.fit(baselineMatrix(baseline), baseline.featureNames, options.onnx));
  }

  private constructor(
    readonly baseline: BaselineJson,
    options: DetectorOptions,
    fitted: { scorer: FittedScorer | AutoencoderScorer; points: Matrix; transients: number },
  ) {
    const points = fitted.points;
    this.scorer = fitted.scorer;
    this.transients = fitted.transients;
    this.scaler = new RobustScaler(points);
    const factor = options.factor ?? CRITICALITY_FACTORS[options.criticality];
    this.threshold = adaptiveThreshold(this.scorer.heldOutScores, { quantile: options.quantile, factor });
    if (options.drift) {
      const d = baseline.featureNames.length;
      const reference = new Float64Array(d);
      const z = new Float64Array(d);
      for (let i = 0; i < points.rows; i++) {
        this.scaler.standardise(points.data, z, i * d);
        for (let j = 0; j < d; j++) reference[j] += DriftDetector.clip(z[j]) / points.rows;
      }
      this.drift = new DriftDetector(baseline.featureNames, reference, options.drift);
    }
  }
}

export class AnomalyDetector {
  readonly options: DetectorOptions;
  private learning?: Learning;
  private model?: Model;
  private readonly alarm: AlarmState;
  /** A saved state whose baseline is still to be fitted (async scorers, after fromState). */
  private restoring?: DetectorState;

  constructor(
    readonly asset: string,
    readonly sensor: string,
    options: Partial<DetectorOptions> = {},
  ) {
    this.options = { ...DETECTOR_DEFAULTS, ...options };
    this.alarm = new AlarmState(this.options.alarm);
    if (this.options.learning !== "command") this.learn();
  }

  /** Start a (new) learning phase; the old baseline, if any, is replaced when it ends. */
  learn(): void {
    this.learning = { windows: [], stride: 1, seen: 0 };
  }

  get isLearning(): boolean {
    return this.learning !== undefined;
  }

  get hasBaseline(): boolean {
    return this.model !== undefined || this.restoring?.baseline !== undefined;
  }

  get threshold(): number | undefined {
    return this.model?.threshold;
  }

  get alarmRaised(): boolean {
    return this.alarm.raised;
  }

  /** Windows collected in the current learning phase. */
  get learnedWindows(): number {
    return this.learning?.windows.length ?? 0;
  }

  /** True for the autoencoder scorer: use processAsync, freezeAsync, importBaselineAsync. */
  get isAsync(): boolean {
    return this.options.scorer === "autoencoder";
  }

  /** End the learning phase now and fit the baseline from the windows collected. */
  freeze(): LearnedReport {
    return this.adopt(this.learnedBaseline());
  }

  /** freeze() for any scorer, the autoencoder included. */
  async freezeAsync(): Promise<LearnedReport> {
    return this.adoptAsync(this.learnedBaseline());
  }

  private learnedBaseline(): BaselineJson {
    const learning = this.learning;
    if (!learning) throw new Error(`${this.asset}/${this.sensor}: not learning: send msg.topic "learn" first`);
    if (!learning.featureNames || learning.windows.length < MIN_BASELINE_WINDOWS) {
      throw new Error(`${this.asset}/${this.sensor}: ${learning.windows.length} windows learned, at least ${MIN_BASELINE_WINDOWS} are needed`);
    }
    const baseline: BaselineJson = {
      format: BASELINE_FORMAT,
      version: BASELINE_VERSION,
      asset: this.asset,
      sensor: this.sensor,
      featureNames: learning.featureNames,
      windows: learning.windows,
      from: learning.from ?? 0,
      to: learning.to ?? 0,
    };
    return baseline;
  }

  /** Forget the baseline and the alarm; learning starts again unless learning is on command. */
  reset(): void {
    this.model = undefined;
    this.restoring = undefined;
    this.learning = undefined;
    this.alarm.reset();
    if (this.options.learning !== "command") this.learn();
  }

  exportBaseline(): BaselineJson {
    if (this.restoring?.baseline) return this.restoring.baseline;
    if (!this.model) throw new Error(`${this.asset}/${this.sensor}: no baseline to export yet`);
    return this.model.baseline;
  }

  /** Replace the baseline with an exported one (checked), ending any learning phase. */
  importBaseline(value: unknown, path = "msg.payload"): LearnedReport {
    const baseline = checkBaseline(value, path);
    return this.adopt({ ...baseline, asset: this.asset, sensor: this.sensor });
  }

  /** importBaseline() for any scorer, the autoencoder included. */
  async importBaselineAsync(value: unknown, path = "msg.payload"): Promise<LearnedReport> {
    const baseline = checkBaseline(value, path);
    return this.adoptAsync({ ...baseline, asset: this.asset, sensor: this.sensor });
  }

  private adopt(baseline: BaselineJson): LearnedReport {
    if (this.isAsync) throw new Error(`${this.asset}/${this.sensor}: the ${this.options.scorer} scorer is asynchronous: use the async methods`);
    return this.adopted(baseline, Model.fit(baseline, this.options));
  }

  private async adoptAsync(baseline: BaselineJson): Promise<LearnedReport> {
    return this.adopted(baseline, await Model.fitAsync(baseline, this.options));
  }

  private adopted(baseline: BaselineJson, model: Model): LearnedReport {
    this.restoring = undefined;
    this.model = model;
    this.learning = undefined;
    this.alarm.reset();
    return {
      asset: this.asset,
      sensor: this.sensor,
      windows: baseline.windows.length,
      transients: model.transients,
      threshold: model.threshold,
      featureNames: baseline.featureNames,
    };
  }

  /** Learn from or score one checked features message. */
  process(message: FeaturesMessage): Outcome {
    if (this.learning) {
      const outcome = this.collect(this.learning, message);
      return outcome ?? { kind: "learned", learned: this.freeze() };
    }
    const model = this.modelFor();
    const x = Float64Array.from(vectorOf(message, model.baseline.featureNames));
    if (model.scorer instanceof AutoencoderScorer) throw new Error(`${this.asset}/${this.sensor}: the autoencoder scorer is asynchronous: use processAsync`);
    return this.score(model, message, x, model.scorer.score(x));
  }

  /**
   * process() for any scorer, the autoencoder included. Calls must not overlap (the
   * node queues them): the alarm state and drift see windows in order.
   */
  async processAsync(message: FeaturesMessage): Promise<Outcome> {
    if (this.restoring) await this.restore();
    if (this.learning) {
      const outcome = this.collect(this.learning, message);
      return outcome ?? { kind: "learned", learned: await this.freezeAsync() };
    }
    const model = this.modelFor();
    const x = Float64Array.from(vectorOf(message, model.baseline.featureNames));
    return this.score(model, message, x, await model.scorer.score(x));
  }

  private modelFor(): Model {
    if (!this.model) {
      throw new Error(`${this.asset}/${this.sensor}: no baseline yet: send msg.topic "learn", then healthy windows, then "freeze" (or import a baseline)`);
    }
    return this.model;
  }

  /** Collect a learning window; undefined when learning is complete and the baseline is to be fitted. */
  private collect(learning: Learning, message: FeaturesMessage): Outcome | undefined {
    learning.featureNames ??= Object.keys(message.features).sort();
    const vector = vectorOf(message, learning.featureNames);
    learning.from ??= message.t0;
    learning.to = message.t0;
    if (learning.seen++ % learning.stride === 0) learning.windows.push(vector);
    if (learning.windows.length >= MAX_BASELINE_WINDOWS) {
      learning.windows = learning.windows.filter((_, i) => i % 2 === 0);
      learning.stride *= 2;
    }
    const progress = this.progress(learning);
    if (progress >= 1 && learning.windows.length >= MIN_BASELINE_WINDOWS) return undefined;
    return { kind: "learning", windows: learning.windows.length, progress: Math.min(progress, 0.99) };
  }

  /** How far the learning phase is, 0..1 (0 for learning on command, which ends on "freeze"). */
  private progress(learning: Learning): number {
    if (this.options.learning === "windows") return learning.seen / this.options.learnWindows;
    if (this.options.learning === "time") return ((learning.to ?? 0) - (learning.from ?? 0)) / (this.options.learnHours * 3_600_000);
    return 0;
  }

  private score(model: Model, message: FeaturesMessage, x: Float64Array, score: number): Outcome {
    const names = model.baseline.featureNames;
    const z = model.scaler.standardise(x, new Float64Array(names.length));
    const raised = this.alarm.update(score, model.threshold);
    const anomaly: AnomalyPayload = {
      asset: this.asset,
      sensor: this.sensor,
      t0: message.t0,
      score,
      threshold: model.threshold,
      anomaly: raised,
      severity: severityOf(raised, score, model.threshold, this.options.criticality),
      contributions: contributions(names, z),
      scorer: this.options.scorer,
      above: score > model.threshold,
    };
    if (!model.drift || score > model.threshold) return { kind: "scored", anomaly };
    const drifted = model.drift.update(z);
    if (drifted.length === 0 || model.driftReported) return { kind: "scored", anomaly };
    model.driftReported = true;
    return { kind: "scored", anomaly, drift: { asset: this.asset, sensor: this.sensor, t0: message.t0, windows: model.drift.windows, features: drifted } };
  }

  /** Fit the baseline of a saved state (async scorers), keeping its learning phase and drift state. */
  async restore(): Promise<void> {
    const state = this.restoring;
    if (!state?.baseline) return;
    const learning = this.learning;
    await this.adoptAsync(state.baseline);
    const model = this.model as Model;
    if (state.drift && model.drift) model.drift.restore(state.drift);
    model.driftReported = state.driftReported;
    this.learning = learning;
  }

  /** Everything needed to continue after a restart (the alarm state starts clear). */
  toState(): DetectorState {
    if (this.restoring) return this.restoring;
    return {
      format: STATE_FORMAT,
      version: STATE_VERSION,
      asset: this.asset,
      sensor: this.sensor,
      baseline: this.model?.baseline,
      drift: this.model?.drift?.state(),
      driftReported: this.model?.driftReported ?? false,
      learning: this.learning && { ...this.learning },
    };
  }

  /** A detector continuing from a saved state (checked; errors name the field). */
  static fromState(value: unknown, options: Partial<DetectorOptions>, path = "state"): AnomalyDetector {
    const state = checkState(value, path);
    const detector = new AnomalyDetector(state.asset, state.sensor, options);
    if (state.baseline && detector.isAsync) {
      // The autoencoder fits asynchronously: on the first processAsync (restore()).
      detector.restoring = state;
      detector.learning = state.learning;
      return detector;
    }
    if (state.baseline) {
      detector.adopt(state.baseline);
      const model = detector.model as Model;
      if (state.drift && model.drift) model.drift.restore(state.drift);
      model.driftReported = state.driftReported;
    }
    detector.learning = state.learning;
    if (!state.baseline && !state.learning && detector.options.learning !== "command") detector.learn();
    return detector;
  }
}

/** The feature vector in baseline order; a missing feature is an error naming it, extra features are ignored. */
function vectorOf(message: FeaturesMessage, names: readonly string[]): number[] {
  return names.map((name) => {
    const value = message.features[name];
    if (value === undefined) fail(`msg.payload.features.${name}`, `a finite number (the baseline of ${message.asset}/${message.sensor} has this feature)`, value);
    return value;
  });
}

const STATE_FORMAT = "pdm-anomaly-state";
const STATE_VERSION = 1;

export interface DetectorState {
  format: typeof STATE_FORMAT;
  version: typeof STATE_VERSION;
  asset: string;
  sensor: string;
  baseline?: BaselineJson;
  drift?: DriftState;
  driftReported: boolean;
  learning?: Learning;
}

const checkLearning: Check<Learning> = (value, path) => {
  const learning = object({
    featureNames: optional(arrayOf(nonEmptyString)),
    windows: arrayOf(numberArray()),
    stride: finiteNumber({ min: 1, integer: true }),
    seen: finiteNumber({ min: 0, integer: true }),
    from: optional(finiteNumber({ min: 0 })),
    to: optional(finiteNumber({ min: 0 })),
  })(value, path);
  const d = learning.featureNames?.length ?? 0;
  learning.windows.forEach((window, i) => window.length !== d && fail(`${path}.windows[${i}]`, `${d} values`, window));
  return learning;
};

const checkDriftState: Check<DriftState> = object({ up: numberArray(), down: numberArray(), shift: numberArray(), windows: finiteNumber({ min: 0 }) });

function checkState(value: unknown, path: string): DetectorState {
  if (!isRecord(value) || value.format !== STATE_FORMAT || value.version !== STATE_VERSION) {
    fail(`${path}.format`, `a ${STATE_FORMAT} version ${STATE_VERSION} file`, isRecord(value) ? value.format : value);
  }
  return object({
    format: nonEmptyString,
    version: finiteNumber(),
    asset: nonEmptyString,
    sensor: nonEmptyString,
    baseline: optional(checkBaseline),
    drift: optional(checkDriftState),
    driftReported: boolean,
    learning: optional(checkLearning),
  })(value, path) as DetectorState;
}
