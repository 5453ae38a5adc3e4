/**
 * The message contract: what every pdm node reads from and writes to `msg.payload`.
 * Types for the compiler, checks for the run time (one validator, see validate.ts),
 * and the README's "Message contract" section describes the same shapes for people.
 */
import {
  Check,
  arrayOf,
  boolean,
  finiteNumber,
  nonEmptyString,
  numberArray,
  object,
  oneOf,
  optional,
  recordOf,
  isRecord,
  fail,
} from "./validate";

/** The largest sample block a node accepts (about 78 s at 25.6 kHz); larger ones are an error. */
export const MAX_BLOCK_SAMPLES = 2_000_000;

/** OPC UA style data quality: only "good" samples are used as values. */
export const QUALITIES = ["good", "uncertain", "bad"] as const;
export type Quality = (typeof QUALITIES)[number];

/** One reading of one tag. `ts` is epoch milliseconds. */
export interface ScalarSample {
  asset: string;
  sensor: string;
  ts: number;
  value: number;
  unit?: string;
  quality?: Quality;
}

/** Equidistant samples of one sensor: sample i was taken at `t0 + 1000 * i / fs` (epoch ms). */
export interface SampleBlock {
  asset: string;
  sensor: string;
  t0: number;
  fs: number;
  values: number[];
  unit?: string;
}

/** One channel of an aligned window. */
export interface AlignedChannel {
  sensor: string;
  unit?: string;
  values: number[];
}

/**
 * Several sensors of one asset on one time grid (pdm-window's aligned mode): sample i of
 * every channel was taken at `t0 + 1000 * i / fs` (epoch ms), channels in the configured order.
 */
export interface AlignedWindow {
  asset: string;
  t0: number;
  fs: number;
  /** Samples per channel. */
  n: number;
  channels: AlignedChannel[];
}

/** One spectrum for charts: `amplitudes[i]` at `frequencies[i]` Hz. */
export interface Spectrum {
  frequencies: number[];
  amplitudes: number[];
  unit?: string;
}

/** Condition features of one window of one sensor. */
export interface FeaturesMessage {
  asset: string;
  sensor: string;
  t0: number;
  fs: number;
  /** Number of samples the features were computed from. */
  n: number;
  features: Record<string, number>;
  spectrum?: Spectrum;
  envelopeSpectrum?: Spectrum;
}

/**
 * What pdm-health-index sends: the index (0-100, 100 = as new), the fused features' values
 * and each one's progress from its baseline (0) to its failure value (1).
 */
export interface HealthIndexMessage {
  asset: string;
  t0: number;
  healthIndex: number;
  features: Record<string, number>;
  progress: Record<string, number>;
}

/** Alarm severities, ordered from none to critical (ISA-18.2 style priorities). */
export const SEVERITIES = ["none", "low", "medium", "high", "critical"] as const;
export type Severity = (typeof SEVERITIES)[number];

/** How much one feature drove an anomaly score. The shares of one message add up to 1. */
export interface Contribution {
  feature: string;
  share: number;
  /** Distance from the baseline in robust standard deviations, where the scorer knows it. */
  deviation?: number;
}

export interface AnomalyMessage {
  asset: string;
  t0: number;
  score: number;
  threshold: number;
  anomaly: boolean;
  severity: Severity;
  contributions: Contribution[];
}

export const RUL_UNITS = ["h", "cycles"] as const;
export type RulUnit = (typeof RUL_UNITS)[number];

/** Remaining useful life with a 5-95 % interval and the probability of failure within horizons. */
export interface RulMessage {
  asset: string;
  t0: number;
  rul: number;
  unit: RulUnit;
  lower: number;
  upper: number;
  /** 0-100, 100 = as new. */
  healthIndex: number;
  pFail: { "24h": number; "7d": number; "30d": number };
  /** Which model produced the estimate, e.g. "exponential-degradation". */
  method?: string;
}

export const PRIORITIES = ["low", "medium", "high", "urgent"] as const;
export type Priority = (typeof PRIORITIES)[number];

export interface PartRequirement {
  part: string;
  quantity: number;
}

/** A maintenance task waiting to be scheduled. Times are epoch ms, durations hours. */
export interface MaintenanceTask {
  id: string;
  asset: string;
  /** Why the task exists, e.g. "rul-low" or "repeated-anomaly"; one open task per asset and cause. */
  cause: string;
  action: string;
  priority: Priority;
  durationH: number;
  skills: string[];
  parts: PartRequirement[];
  earliestStart: number;
  deadline: number;
  /** Probability that the asset fails before the deadline, if known. */
  pFail?: number;
}

/** A task assigned to a technician at a time. */
export interface WorkOrder {
  id: string;
  taskId: string;
  asset: string;
  technician: string;
  start: number;
  end: number;
  priority: Priority;
  action: string;
  parts: PartRequirement[];
}

export interface UnscheduledTask {
  taskId: string;
  reason: string;
}

export interface Schedule {
  createdAt: number;
  workOrders: WorkOrder[];
  unscheduled: UnscheduledTask[];
  cost: { labour: number; downtime: number; lateness: number; total: number };
  solver: { name: string; status: string; gap: number; timeMs: number };
}

/** One entry of the hash-chained audit log. `hash` is SHA-256 over the record without `hash`. */
export interface AuditRecord {
  seq: number;
  ts: number;
  type: string;
  asset?: string;
  actor: string;
  payload: unknown;
  prevHash: string;
  hash: string;
}

// Planner inputs: who can work when, when assets may stop, what parts there are.

/** A time interval [start, end) in epoch ms. */
export interface Interval {
  start: number;
  end: number;
}

/** A technician: skills, shifts and hourly cost. */
export interface Technician {
  id: string;
  skills: string[];
  /** When the technician works; a task must fit inside one shift. May be empty (absent all horizon). */
  shifts: Interval[];
  hourlyCost: number;
}

/** The planned production stops of one asset; outside them maintenance costs `downtimeCostPerH`. */
export interface ProductionWindows {
  asset: string;
  downtimeCostPerH: number;
  stops: Interval[];
}

export interface SparePart {
  part: string;
  stock: number;
  /** Hours from ordering now until a reorder arrives. */
  leadTimeH: number;
}

/** A purchase request for a spare part, sent by pdm-rules. */
export interface PurchaseRequest {
  id: string;
  part: string;
  quantity: number;
  asset: string;
  taskId: string;
  reason: string;
  createdAt: number;
}

// ---------------------------------------------------------------------------------
// Run-time checks, one per shape. Each returns the value typed or throws a
// ValidationError that names the field, e.g. "msg.payload.fs: expected a finite number > 0, got 0".

const epochMs = finiteNumber({ min: 0 });
const hexHash: Check<string> = (value, path) =>
  typeof value === "string" && /^[0-9a-f]{64}$/.test(value) ? value : fail(path, "a SHA-256 hash as 64 hex digits", value);

export const checkScalarSample: Check<ScalarSample> = object({
  asset: nonEmptyString,
  sensor: nonEmptyString,
  ts: epochMs,
  value: finiteNumber(),
  unit: optional(nonEmptyString),
  quality: optional(oneOf(QUALITIES)),
});

export const checkSampleBlock: Check<SampleBlock> = object({
  asset: nonEmptyString,
  sensor: nonEmptyString,
  t0: epochMs,
  fs: finiteNumber({ above: 0 }),
  values: numberArray({ minLength: 1, maxLength: MAX_BLOCK_SAMPLES }),
  unit: optional(nonEmptyString),
});

export const checkAlignedWindow: Check<AlignedWindow> = (value, path) => {
  const window = object({
    asset: nonEmptyString,
    t0: epochMs,
    fs: finiteNumber({ above: 0 }),
    n: finiteNumber({ min: 1, integer: true }),
    channels: arrayOf(
      object({ sensor: nonEmptyString, unit: optional(nonEmptyString), values: numberArray({ maxLength: MAX_BLOCK_SAMPLES }) }),
      { minLength: 1 },
    ),
  })(value, path);
  window.channels.forEach((channel, i) => {
    if (channel.values.length !== window.n) fail(`${path}.channels[${i}].values`, `${window.n} samples (n)`, channel.values);
  });
  return window;
};

const checkSpectrum: Check<Spectrum> = (value, path) => {
  const spectrum = object({ frequencies: numberArray(), amplitudes: numberArray(), unit: optional(nonEmptyString) })(value, path);
  if (spectrum.frequencies.length !== spectrum.amplitudes.length) {
    fail(`${path}.amplitudes`, `as many amplitudes as frequencies (${spectrum.frequencies.length})`, spectrum.amplitudes);
  }
  return spectrum;
};

export const checkFeaturesMessage: Check<FeaturesMessage> = object({
  asset: nonEmptyString,
  sensor: nonEmptyString,
  t0: epochMs,
  fs: finiteNumber({ above: 0 }),
  n: finiteNumber({ min: 1, integer: true }),
  features: recordOf(finiteNumber(), { minLength: 1 }),
  spectrum: optional(checkSpectrum),
  envelopeSpectrum: optional(checkSpectrum),
});

const share = finiteNumber({ min: 0, max: 1 });

export const checkHealthIndexMessage: Check<HealthIndexMessage> = object({
  asset: nonEmptyString,
  t0: epochMs,
  healthIndex: finiteNumber({ min: 0, max: 100 }),
  features: recordOf(finiteNumber()),
  progress: recordOf(finiteNumber()),
});

export const checkAnomalyMessage: Check<AnomalyMessage> = object({
  asset: nonEmptyString,
  t0: epochMs,
  score: finiteNumber(),
  threshold: finiteNumber(),
  anomaly: boolean,
  severity: oneOf(SEVERITIES),
  contributions: arrayOf(object({ feature: nonEmptyString, share, deviation: optional(finiteNumber()) })),
});

const nonNegative = finiteNumber({ min: 0 });

export const checkRulMessage: Check<RulMessage> = (value, path) => {
  const rul = object({
    asset: nonEmptyString,
    t0: epochMs,
    rul: nonNegative,
    unit: oneOf(RUL_UNITS),
    lower: nonNegative,
    upper: nonNegative,
    healthIndex: finiteNumber({ min: 0, max: 100 }),
    pFail: object({ "24h": share, "7d": share, "30d": share }),
    method: optional(nonEmptyString),
  })(value, path);
  if (rul.lower > rul.rul) fail(`${path}.lower`, `a value <= rul (${rul.rul})`, rul.lower);
  if (rul.upper < rul.rul) fail(`${path}.upper`, `a value >= rul (${rul.rul})`, rul.upper);
  return rul;
};

const checkParts = arrayOf(object({ part: nonEmptyString, quantity: finiteNumber({ min: 1, integer: true }) }));

export const checkMaintenanceTask: Check<MaintenanceTask> = object({
  id: nonEmptyString,
  asset: nonEmptyString,
  cause: nonEmptyString,
  action: nonEmptyString,
  priority: oneOf(PRIORITIES),
  durationH: finiteNumber({ above: 0 }),
  skills: arrayOf(nonEmptyString),
  parts: checkParts,
  earliestStart: epochMs,
  deadline: epochMs,
  pFail: optional(share),
});

export const checkWorkOrder: Check<WorkOrder> = (value, path) => {
  const order = object({
    id: nonEmptyString,
    taskId: nonEmptyString,
    asset: nonEmptyString,
    technician: nonEmptyString,
    start: epochMs,
    end: epochMs,
    priority: oneOf(PRIORITIES),
    action: nonEmptyString,
    parts: checkParts,
  })(value, path);
  if (order.end <= order.start) fail(`${path}.end`, `a time after start (${order.start})`, order.end);
  return order;
};

export const checkSchedule: Check<Schedule> = object({
  createdAt: epochMs,
  workOrders: arrayOf(checkWorkOrder),
  unscheduled: arrayOf(object({ taskId: nonEmptyString, reason: nonEmptyString })),
  cost: object({ labour: nonNegative, downtime: nonNegative, lateness: nonNegative, total: nonNegative }),
  solver: object({ name: nonEmptyString, status: nonEmptyString, gap: nonNegative, timeMs: nonNegative }),
});

export const checkInterval: Check<Interval> = (value, path) => {
  const interval = object({ start: epochMs, end: epochMs })(value, path);
  if (interval.end <= interval.start) fail(`${path}.end`, `a time after start (${interval.start})`, interval.end);
  return { start: interval.start, end: interval.end };
};

export const checkTechnician: Check<Technician> = (value, path) => {
  const t = object({ id: nonEmptyString, skills: arrayOf(nonEmptyString), shifts: arrayOf(checkInterval), hourlyCost: nonNegative })(value, path);
  return { id: t.id, skills: t.skills, shifts: t.shifts, hourlyCost: t.hourlyCost };
};

export const checkProductionWindows: Check<ProductionWindows> = (value, path) => {
  const w = object({ asset: nonEmptyString, downtimeCostPerH: nonNegative, stops: arrayOf(checkInterval) })(value, path);
  return { asset: w.asset, downtimeCostPerH: w.downtimeCostPerH, stops: w.stops };
};

export const checkSparePart: Check<SparePart> = (value, path) => {
  const p = object({ part: nonEmptyString, stock: finiteNumber({ min: 0, integer: true }), leadTimeH: nonNegative })(value, path);
  return { part: p.part, stock: p.stock, leadTimeH: p.leadTimeH };
};

export const checkAuditRecord: Check<AuditRecord> = (value, path) => {
  if (!isRecord(value) || !("payload" in value)) return fail(`${path}.payload`, "a payload (any JSON value)", undefined);
  return object({
    seq: finiteNumber({ min: 1, integer: true }),
    ts: epochMs,
    type: nonEmptyString,
    asset: optional(nonEmptyString),
    actor: nonEmptyString,
    prevHash: hexHash,
    hash: hexHash,
  })(value, path) as AuditRecord;
};

/** Every shape of the contract by name, for nodes that accept several (and for the README's table). */
export const contractChecks = {
  scalarSample: checkScalarSample,
  sampleBlock: checkSampleBlock,
  alignedWindow: checkAlignedWindow,
  features: checkFeaturesMessage,
  healthIndex: checkHealthIndexMessage,
  anomaly: checkAnomalyMessage,
  rul: checkRulMessage,
  task: checkMaintenanceTask,
  workOrder: checkWorkOrder,
  schedule: checkSchedule,
  auditRecord: checkAuditRecord,
  technician: checkTechnician,
  productionWindows: checkProductionWindows,
  sparePart: checkSparePart,
} as const;
