/**
 * The asset description shared by the processing nodes (pdm-asset config node):
 * identity, criticality, running speed, bearing defect frequencies and sensors.
 * Framework-free: the node adapter passes the editor's raw config to parseAssetConfig.
 */
import { ValidationError, fail, finiteNumber, nonEmptyString, oneOf } from "../shared/validate";

export const CRITICALITIES = ["critical", "high", "medium", "low"] as const;
export type Criticality = (typeof CRITICALITIES)[number];

/** Defect frequencies as multiples of shaft speed (orders). */
export interface DefectMultipliers {
  bpfo: number;
  bpfi: number;
  bsf: number;
  ftf: number;
}

/** Rolling-element bearing geometry; diameters in any one unit, contact angle in degrees. */
export interface BearingGeometry {
  balls: number;
  ballDiameter: number;
  pitchDiameter: number;
  contactAngleDeg: number;
}

export interface SensorSpec {
  sensor: string;
  /** Sample rate in Hz, 0 when the sensor delivers scalar readings at no fixed rate. */
  fs: number;
  unit?: string;
}

export interface AssetConfig {
  assetId: string;
  name: string;
  type: string;
  criticality: Criticality;
  /** Nominal shaft speed; 0 when unknown (then speed must come with the data). */
  nominalRpm: number;
  geometry?: BearingGeometry;
  multipliers?: DefectMultipliers;
  sensors: SensorSpec[];
}

/**
 * Classical kinematic defect frequencies of a rolling-element bearing with a stationary
 * outer race (e.g. Randall & Antoni 2011, eqs. 1-4), as orders of shaft speed.
 */
export function bearingDefectMultipliers(geometry: BearingGeometry): DefectMultipliers {
  const { balls, ballDiameter, pitchDiameter, contactAngleDeg } = geometry;
  const ratio = (ballDiameter / pitchDiameter) * Math.cos((contactAngleDeg * Math.PI) / 180);
  return {
    bpfo: (balls / 2) * (1 - ratio),
    bpfi: (balls / 2) * (1 + ratio),
    bsf: (pitchDiameter / (2 * ballDiameter)) * (1 - ratio * ratio),
    ftf: 0.5 * (1 - ratio),
  };
}

/** The defect multipliers of an asset: given directly, or computed from its geometry. */
export function assetMultipliers(asset: AssetConfig): DefectMultipliers | undefined {
  return asset.multipliers ?? (asset.geometry ? bearingDefectMultipliers(asset.geometry) : undefined);
}

/** What the editor stores for a pdm-asset node (all fields as the dialog saves them). */
export interface AssetEditorConfig {
  assetId?: unknown;
  name?: unknown;
  assetType?: unknown;
  criticality?: unknown;
  nominalRpm?: unknown;
  bearingSpec?: unknown;
  balls?: unknown;
  ballDiameter?: unknown;
  pitchDiameter?: unknown;
  contactAngle?: unknown;
  bpfo?: unknown;
  bpfi?: unknown;
  bsf?: unknown;
  ftf?: unknown;
  sensors?: unknown;
}

/** The editor keeps numbers as strings; an empty field counts as not set. */
function numberField(value: unknown): unknown {
  if (typeof value === "string") return value.trim() === "" ? undefined : Number(value);
  return value;
}

const positive = finiteNumber({ above: 0 });

/** Validate the editor's config into an AssetConfig, naming the bad field on error. */
export function parseAssetConfig(raw: AssetEditorConfig): AssetConfig {
  const assetId = nonEmptyString(raw.assetId, "assetId");
  const rpm = numberField(raw.nominalRpm);
  const asset: AssetConfig = {
    assetId,
    name: typeof raw.name === "string" && raw.name.trim() ? raw.name : assetId,
    type: typeof raw.assetType === "string" ? raw.assetType : "",
    criticality: oneOf(CRITICALITIES)(raw.criticality ?? "medium", "criticality"),
    nominalRpm: rpm === undefined ? 0 : finiteNumber({ min: 0 })(rpm, "nominalRpm"),
    sensors: parseSensors(raw.sensors),
  };
  const spec = raw.bearingSpec ?? "none";
  if (spec === "geometry") {
    const geometry: BearingGeometry = {
      balls: finiteNumber({ min: 3, integer: true })(numberField(raw.balls), "balls"),
      ballDiameter: positive(numberField(raw.ballDiameter), "ballDiameter"),
      pitchDiameter: positive(numberField(raw.pitchDiameter), "pitchDiameter"),
      contactAngleDeg: finiteNumber({ min: 0, max: 45 })(numberField(raw.contactAngle) ?? 0, "contactAngle"),
    };
    if (geometry.ballDiameter >= geometry.pitchDiameter) {
      throw new ValidationError("ballDiameter", `less than the pitch diameter (${geometry.pitchDiameter})`, String(geometry.ballDiameter));
    }
    asset.geometry = geometry;
  } else if (spec === "multipliers") {
    asset.multipliers = {
      bpfo: positive(numberField(raw.bpfo), "bpfo"),
      bpfi: positive(numberField(raw.bpfi), "bpfi"),
      bsf: positive(numberField(raw.bsf), "bsf"),
      ftf: positive(numberField(raw.ftf), "ftf"),
    };
  } else if (spec !== "none") {
    fail("bearingSpec", `one of "none", "geometry", "multipliers"`, spec);
  }
  return asset;
}

function parseSensors(raw: unknown): SensorSpec[] {
  if (raw === undefined || raw === "") return [];
  if (!Array.isArray(raw)) return fail("sensors", "a list of sensors", raw);
  const names = new Set<string>();
  return raw.map((item: unknown, i): SensorSpec => {
    const path = `sensors[${i}]`;
    const entry = (typeof item === "object" && item !== null ? item : {}) as Record<string, unknown>;
    const sensor = nonEmptyString(entry.sensor, `${path}.sensor`);
    if (names.has(sensor)) fail(`${path}.sensor`, "a name used once", sensor);
    names.add(sensor);
    const fs = numberField(entry.fs);
    const unit = typeof entry.unit === "string" && entry.unit.trim() ? entry.unit.trim() : undefined;
    return { sensor, fs: fs === undefined ? 0 : finiteNumber({ min: 0 })(fs, `${path}.fs`), ...(unit ? { unit } : {}) };
  });
}
