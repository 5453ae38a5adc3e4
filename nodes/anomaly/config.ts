/**
 * The pdm-anomaly editor settings, validated into DetectorOptions. The editor stores
 * numbers as strings; an empty field means the default; errors name the setting.
 */
import type { Criticality } from "../config/asset";
import { finiteNumber, oneOf } from "../shared/validate";
import { DETECTOR_DEFAULTS, DetectorOptions, LEARNING_MODES } from "./detector";
import { DRIFT_DEFAULTS } from "./drift";
import { SCORERS } from "./scorers";

export interface AnomalyEditorConfig {
  scorer?: unknown;
  /** ONNX runtime of the autoencoder scorer: "auto" (onnxruntime-node, else -web) or "web". */
  backend?: unknown;
  learning?: unknown;
  learnWindows?: unknown;
  learnHours?: unknown;
  quantile?: unknown;
  /** Threshold factor; empty = from the asset's criticality. */
  factor?: unknown;
  persistK?: unknown;
  persistN?: unknown;
  clearRatio?: unknown;
  drift?: unknown;
  driftDelta?: unknown;
  driftLambda?: unknown;
}

function numberSetting(value: unknown, fallback: number, name: string, bounds: Parameters<typeof finiteNumber>[0]): number {
  if (value === undefined || value === null || (typeof value === "string" && value.trim() === "")) return fallback;
  return finiteNumber(bounds)(typeof value === "string" ? Number(value) : value, name);
}

/** The options of one pdm-anomaly node; `criticality` comes from its pdm-asset ("medium" without one). */
export function parseAnomalyConfig(raw: AnomalyEditorConfig, criticality: Criticality = "medium"): DetectorOptions {
  const d = DETECTOR_DEFAULTS;
  const factor = numberSetting(raw.factor, NaN, "factor", { above: 0 });
  const persistN = numberSetting(raw.persistN, d.alarm.of, "persistN", { min: 1, max: 100, integer: true });
  const driftOn = raw.drift === undefined ? true : raw.drift === true || raw.drift === "true";
  return {
    ...d,
    scorer: raw.scorer === undefined || raw.scorer === "" ? d.scorer : oneOf(SCORERS)(raw.scorer, "scorer"),
    learning: raw.learning === undefined || raw.learning === "" ? d.learning : oneOf(LEARNING_MODES)(raw.learning, "learning"),
    learnWindows: numberSetting(raw.learnWindows, d.learnWindows, "learnWindows", { min: 20, integer: true }),
    learnHours: numberSetting(raw.learnHours, d.learnHours, "learnHours", { above: 0 }),
    criticality,
    quantile: numberSetting(raw.quantile, d.quantile, "quantile", { min: 0.5, max: 1 }),
    factor: Number.isNaN(factor) ? undefined : factor,
    alarm: {
      of: persistN,
      k: numberSetting(raw.persistK, Math.min(d.alarm.k, persistN), "persistK", { min: 1, max: persistN, integer: true }),
      clearRatio: numberSetting(raw.clearRatio, d.alarm.clearRatio, "clearRatio", { above: 0, max: 1 }),
    },
    drift: driftOn
      ? {
          delta: numberSetting(raw.driftDelta, DRIFT_DEFAULTS.delta, "driftDelta", { min: 0 }),
          lambda: numberSetting(raw.driftLambda, DRIFT_DEFAULTS.lambda, "driftLambda", { above: 0 }),
        }
      : undefined,
    onnx: { backend: raw.backend === undefined || raw.backend === "" ? "auto" : oneOf(["auto", "web"] as const)(raw.backend, "backend") },
  };
}
