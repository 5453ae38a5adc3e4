/**
 * The tag map of pdm-ingest: which PLC tag (OPC UA nodeId, Modbus read topic and register,
 * MQTT topic) is which (asset, sensor, unit), and how to turn its raw value into a number.
 * Framework-free: the node adapter passes the editor's rows to parseTagMap.
 */
import { ValidationError, fail, finiteNumber, nonEmptyString, oneOf } from "../shared/validate";
import { ORDERS, Order, REGISTER_COUNT, REGISTER_TYPES, RegisterType } from "./registers";

export const SOURCES = ["opcua", "modbus", "mqtt"] as const;
export type Source = (typeof SOURCES)[number];

export interface TagMapping {
  /** OPC UA: the nodeId (msg.topic); Modbus: the read node's topic; MQTT: the topic. */
  tag: string;
  asset: string;
  sensor: string;
  unit?: string;
  /** value = raw * scale + offset */
  scale: number;
  offset: number;
  /** Sample rate of array values (a waveform tag): such values become sample blocks. 0 = scalar tag. */
  fs: number;
  /** Modbus only: absolute address of the value's first register. */
  address?: number;
  /** Modbus only: how the registers encode the value. */
  registerType?: RegisterType;
  wordOrder?: Order;
  byteOrder?: Order;
  /** MQTT only: where the value is in a JSON payload, e.g. "data.vibration" (empty = the payload itself). */
  valuePath?: string;
  /** MQTT only: where the timestamp is in a JSON payload (empty = the time of arrival). */
  timePath?: string;
}

/** What the editor stores for one row of the tag map (strings from inputs). */
export interface TagRowConfig {
  tag?: unknown;
  asset?: unknown;
  sensor?: unknown;
  unit?: unknown;
  scale?: unknown;
  offset?: unknown;
  fs?: unknown;
  address?: unknown;
  type?: unknown;
  wordOrder?: unknown;
  byteOrder?: unknown;
  valuePath?: unknown;
  timePath?: unknown;
}

export interface TagMap {
  source: Source;
  /** All rows of one tag: Modbus reads often carry several values under one topic. */
  byTag: Map<string, TagMapping[]>;
}

/** The editor keeps numbers as strings; an empty field takes the default. */
function numberOr(value: unknown, fallback?: number): unknown {
  if (value === undefined || value === null) return fallback;
  if (typeof value === "string") return value.trim() === "" ? fallback : Number(value);
  return value;
}

function text(value: unknown): string | undefined {
  return typeof value === "string" && value.trim() ? value.trim() : undefined;
}

function parseRow(source: Source, raw: TagRowConfig, path: string): TagMapping {
  const row: TagMapping = {
    tag: nonEmptyString(typeof raw.tag === "string" ? raw.tag.trim() : raw.tag, `${path}.tag`),
    asset: nonEmptyString(raw.asset, `${path}.asset`),
    sensor: nonEmptyString(raw.sensor, `${path}.sensor`),
    scale: finiteNumber()(numberOr(raw.scale, 1), `${path}.scale`),
    offset: finiteNumber()(numberOr(raw.offset, 0), `${path}.offset`),
    fs: finiteNumber({ min: 0 })(numberOr(raw.fs, 0), `${path}.fs`),
  };
  const unit = text(raw.unit);
  if (unit) row.unit = unit;
  if (source === "modbus") {
    row.address = finiteNumber({ min: 0, max: 65535, integer: true })(numberOr(raw.address), `${path}.address`);
    row.registerType = oneOf(REGISTER_TYPES)(text(raw.type) ?? "uint16", `${path}.type`);
    row.wordOrder = oneOf(ORDERS)(text(raw.wordOrder) ?? "big", `${path}.wordOrder`);
    row.byteOrder = oneOf(ORDERS)(text(raw.byteOrder) ?? "big", `${path}.byteOrder`);
  }
  if (source === "mqtt") {
    const valuePath = text(raw.valuePath);
    const timePath = text(raw.timePath);
    if (valuePath) row.valuePath = valuePath;
    if (timePath) row.timePath = timePath;
  }
  return row;
}

/** Validate the editor's rows into a TagMap; errors name the row and field, e.g. `tags[2].address`. */
export function parseTagMap(source: unknown, rows: unknown): TagMap {
  const checkedSource = oneOf(SOURCES)(source, "source");
  if (!Array.isArray(rows) || rows.length === 0) return fail("tags", "at least one row in the tag map", rows);
  const byTag = new Map<string, TagMapping[]>();
  const streams = new Set<string>();
  rows.forEach((raw: unknown, i) => {
    const row = parseRow(checkedSource, (typeof raw === "object" && raw !== null ? raw : {}) as TagRowConfig, `tags[${i}]`);
    const stream = `${row.asset}/${row.sensor}`;
    if (streams.has(stream)) throw new ValidationError(`tags[${i}].sensor`, `one row per asset and sensor`, `a second row for ${stream}`);
    streams.add(stream);
    const sameTag = byTag.get(row.tag) ?? [];
    if (checkedSource !== "modbus" && sameTag.length > 0) {
      throw new ValidationError(`tags[${i}].tag`, "one row per tag", `a second row for "${row.tag}"`);
    }
    if (checkedSource === "modbus") checkNoRegisterOverlap(row, sameTag, `tags[${i}].address`);
    sameTag.push(row);
    byTag.set(row.tag, sameTag);
  });
  return { source: checkedSource, byTag };
}

function registerSpan(row: TagMapping): [number, number] {
  const first = row.address ?? 0;
  return [first, first + REGISTER_COUNT[row.registerType ?? "uint16"] - 1];
}

function checkNoRegisterOverlap(row: TagMapping, others: TagMapping[], path: string): void {
  const [first, last] = registerSpan(row);
  for (const other of others) {
    const [otherFirst, otherLast] = registerSpan(other);
    if (first <= otherLast && otherFirst <= last) {
      throw new ValidationError(path, `registers not used by another row of "${row.tag}"`, `${first}..${last}, overlapping ${other.sensor} at ${otherFirst}..${otherLast}`);
    }
  }
}
