/**
 * The healthy baseline as data: the feature names and the feature vectors of the windows
 * it was learned from. A model is refitted from it deterministically (seeded), so the
 * baseline is all that needs saving, exporting or importing, and a file written by one
 * version of the scorers still loads when the scorers improve.
 */
import { Check, arrayOf, fail, finiteNumber, nonEmptyString, numberArray, object, oneOf } from "../shared/validate";
import { Matrix } from "./isolation-forest";

export const BASELINE_FORMAT = "pdm-anomaly-baseline";
export const BASELINE_VERSION = 1;

/** A baseline as exported (msg.topic "export") and imported (msg.topic "import"). */
export interface BaselineJson {
  format: typeof BASELINE_FORMAT;
  version: typeof BASELINE_VERSION;
  asset: string;
  sensor: string;
  featureNames: string[];
  /** One feature vector per window, in the order of `featureNames`, oldest first. */
  windows: number[][];
  /** t0 of the first and the last window learned from (epoch ms). */
  from: number;
  to: number;
}

const versionCheck: Check<typeof BASELINE_VERSION> = (value, path) =>
  value === BASELINE_VERSION ? BASELINE_VERSION : fail(path, `version ${BASELINE_VERSION}`, value);

/** Check a baseline from a file or a message: the field names in errors start at `path`. */
export const checkBaseline: Check<BaselineJson> = (value, path) => {
  const baseline = object({
    format: oneOf([BASELINE_FORMAT] as const),
    version: versionCheck,
    asset: nonEmptyString,
    sensor: nonEmptyString,
    featureNames: arrayOf(nonEmptyString, { minLength: 1 }),
    windows: arrayOf(numberArray(), { minLength: 1 }),
    from: finiteNumber({ min: 0 }),
    to: finiteNumber({ min: 0 }),
  })(value, path);
  const d = baseline.featureNames.length;
  if (new Set(baseline.featureNames).size !== d) fail(`${path}.featureNames`, "feature names used once each", baseline.featureNames);
  baseline.windows.forEach((window, i) => {
    if (window.length !== d) fail(`${path}.windows[${i}]`, `${d} values, one per feature name`, window);
  });
  return baseline as BaselineJson;
};

export function baselineMatrix(baseline: Pick<BaselineJson, "featureNames" | "windows">): Matrix {
  const d = baseline.featureNames.length;
  const data = new Float64Array(baseline.windows.length * d);
  baseline.windows.forEach((window, i) => data.set(window, i * d));
  return { data, rows: baseline.windows.length, columns: d };
}
