/**
 * The core of pdm-health-index: per asset, it gathers the chosen features from the
 * features messages of the asset's sensors, and once every chosen feature has a new value
 * it computes one health index. It also keeps each run's feature records so that, when a
 * run ends in failure, every candidate feature can be ranked by monotonicity,
 * trendability and prognosability over the completed runs. Framework-free.
 */
import type { HealthIndexMessage } from "../shared/contract";
import { Check, finiteNumber, nonEmptyString, object, optional, recordOf } from "../shared/validate";
import { FeatureQuality, rankFeatures } from "./feature-metrics";
import { HealthIndexOptions, HealthIndexState, HealthIndexer } from "./health-index";

/** What pdm-health-index reads (a pdm-features message has all of it). */
export interface FeaturesInput {
  asset: string;
  sensor?: string;
  t0: number;
  features: Record<string, number>;
}

export const checkFeaturesInput: Check<FeaturesInput> = (value, path) =>
  object({
    asset: nonEmptyString,
    sensor: optional(nonEmptyString),
    t0: finiteNumber({ min: 0 }),
    features: recordOf(finiteNumber(), { minLength: 1 }),
  })(value, path) as FeaturesInput;

export interface FeatureRanking {
  asset: string;
  /** Completed run-to-failure runs the ranking is based on (plus the current run for "rank"). */
  runs: number;
  features: FeatureQuality[];
}

interface AssetState {
  indexer: HealthIndexState;
  /** Latest value of every feature seen, keyed "feature" and "sensor.feature". */
  latest: Record<string, number>;
  /** Latest value of every feature under one name each ("sensor.feature" where the sensor is known), for ranking. */
  qualified: Record<string, number>;
  /** Chosen features updated since the last index. */
  fresh: string[];
  /** This run's records of every feature: one per index computed, then one per `stride` (see MAX_RUN_RECORDS). */
  run: Array<Record<string, number>>;
  /** Keep one record in this many (1 until the run first outgrows MAX_RUN_RECORDS). Absent in older state files. */
  stride?: number;
  /** Indexes computed since the last record kept. */
  sinceKept?: number;
}

export interface HealthIndexServiceState {
  assets: Record<string, AssetState>;
  /** Completed run-to-failure runs (feature records) per asset. */
  completed: Record<string, Array<Array<Record<string, number>>>>;
}

/**
 * Keep at most this many records of a run for feature ranking. A longer run is thinned
 * evenly (every other record dropped, then one kept in 2, 4, … from then on), not cut at
 * the start: monotonicity, trendability and prognosability are about the whole life, from
 * as new to failure. The bound also keeps the state file small, as it is rewritten while
 * the data streams in (at 20 000 records of every feature it took over 100 ms per write).
 */
export const MAX_RUN_RECORDS = 1000;

export type HealthIndexOutcome = { ok: true; message: HealthIndexMessage } | { ok: false; learning?: { count: number; needed: number }; waitingFor?: string[] };

export class HealthIndexService {
  readonly options: Pick<HealthIndexOptions, "features"> & Partial<HealthIndexOptions>;
  private readonly state: HealthIndexServiceState;

  constructor(options: Pick<HealthIndexOptions, "features"> & Partial<HealthIndexOptions>, state?: HealthIndexServiceState) {
    // Validates the options once (throws on bad ones).
    new HealthIndexer(options);
    this.options = options;
    this.state = state ?? { assets: {}, completed: {} };
  }

  get snapshot(): HealthIndexServiceState {
    return this.state;
  }

  private asset(asset: string): AssetState {
    let s = this.state.assets[asset];
    if (!s) {
      s = { indexer: HealthIndexer.emptyState(), latest: {}, qualified: {}, fresh: [], run: [] };
      this.state.assets[asset] = s;
    }
    return s;
  }

  update(input: FeaturesInput): HealthIndexOutcome {
    const s = this.asset(input.asset);
    for (const [name, value] of Object.entries(input.features)) {
      s.latest[name] = value;
      if (input.sensor) s.latest[`${input.sensor}.${name}`] = value;
      s.qualified[input.sensor ? `${input.sensor}.${name}` : name] = value;
    }
    const provided = this.options.features.filter((name) => {
      const dot = name.indexOf(".");
      return dot < 0 ? name in input.features : input.sensor === name.slice(0, dot) && name.slice(dot + 1) in input.features;
    });
    for (const name of provided) if (!s.fresh.includes(name)) s.fresh.push(name);
    const waitingFor = this.options.features.filter((name) => !s.fresh.includes(name));
    if (waitingFor.length > 0) return { ok: false, waitingFor };
    s.fresh = [];
    const indexer = new HealthIndexer(this.options, s.indexer);
    const result = indexer.add(s.latest);
    s.indexer = indexer.snapshot;
    this.keepRecord(s);
    if (result.learning) return { ok: false, learning: { count: result.count, needed: result.needed } };
    return {
      ok: true,
      message: { asset: input.asset, t0: input.t0, healthIndex: result.healthIndex, features: indexer.pick(s.latest), progress: result.progress },
    };
  }

  /** Keep this index's feature record for ranking, thinning the run evenly when it outgrows MAX_RUN_RECORDS. */
  private keepRecord(s: AssetState): void {
    const stride = s.stride ?? 1;
    const since = (s.sinceKept ?? stride - 1) + 1;
    if (since < stride) {
      s.sinceKept = since;
      return;
    }
    s.sinceKept = 0;
    s.run.push({ ...s.qualified });
    if (s.run.length > MAX_RUN_RECORDS) {
      s.run = s.run.filter((_, i) => i % 2 === 0);
      s.stride = stride * 2;
    }
  }

  /** Forget an asset's baseline and current run (or every asset's); completed runs stay. */
  reset(asset?: string): void {
    for (const key of asset === undefined ? Object.keys(this.state.assets) : [asset]) delete this.state.assets[key];
  }

  /** The asset's run ended in failure: keep its records for ranking, start a new baseline, and rank. */
  recordFailure(asset: string): FeatureRanking {
    const run = this.state.assets[asset]?.run ?? [];
    if (run.length < 2) throw new Error(`asset "${asset}": no run with at least 2 health index values to record as a failure`);
    (this.state.completed[asset] ??= []).push(run);
    this.reset(asset);
    return this.ranking(asset, false);
  }

  /** Rank every feature seen over the asset's completed runs (and its current run when `withCurrent`). */
  ranking(asset: string, withCurrent = true): FeatureRanking {
    const runs = [...(this.state.completed[asset] ?? [])];
    const current = this.state.assets[asset]?.run;
    if (withCurrent && current && current.length >= 2) runs.push(current);
    if (runs.length === 0) throw new Error(`asset "${asset}": no run to rank features on yet`);
    return { asset, runs: runs.length, features: rankFeatures(runs) };
  }
}
