/**
 * What the common PLC connector nodes emit, turned into contract samples with the tag map:
 * node-red-contrib-opcua's client (read, subscribe, monitored-item groups),
 * node-red-contrib-modbus's read and getter nodes, and MQTT in nodes.
 * Framework-free: takes the message fields, returns samples and the problems found.
 */
import { MAX_BLOCK_SAMPLES, Quality, SampleBlock, ScalarSample } from "../shared/contract";
import { describe, isRecord } from "../shared/validate";
import { decodeRegisters } from "./registers";
import { TagMap, TagMapping } from "./tagmap";

/** The message fields the connectors use (all unknown: they come from other packages' nodes). */
export interface SourceMessage {
  topic?: unknown;
  payload?: unknown;
  /** OPC UA client: a node-opcua StatusCode (or its JSON `{ value }`, a number or a name). */
  statusCode?: unknown;
  sourceTimestamp?: unknown;
  serverTimestamp?: unknown;
  /** OPC UA: the data type when known, e.g. "Int64" (from the topic's ";datatype=" or an item node). */
  datatype?: unknown;
  /** Modbus read/getter nodes: the request, with `payload.address` of the first register. */
  input?: unknown;
  /** Modbus getter with an IO file: the request payload, with `address`. */
  modbusRequest?: unknown;
}

export type Sample = ScalarSample | SampleBlock;

export interface IngestResult {
  samples: Sample[];
  /** Readings with a bad or uncertain status and no usable value: nothing to sample, counted. */
  withoutValue: number;
  /** Problems with single values; the other values of the message are still in `samples`. */
  errors: Error[];
}

/** Turn one connector message into samples. `nowMs` stamps readings that carry no time. */
export function ingestMessage(map: TagMap, msg: SourceMessage, nowMs: number): IngestResult {
  switch (map.source) {
    case "opcua":
      return fromOpcUa(map, msg, nowMs);
    case "modbus":
      return fromModbus(map, msg, nowMs);
    case "mqtt":
      return fromMqtt(map, msg, nowMs);
  }
}

function rowsOf(map: TagMap, tag: string): TagMapping[] {
  const rows = map.byTag.get(tag);
  if (!rows) throw new Error(`unknown tag "${tag}": add it to the tag map of this node`);
  return rows;
}

function topicOf(msg: SourceMessage): string {
  if (typeof msg.topic !== "string" || msg.topic.trim() === "") {
    throw new Error(`msg.topic: expected the tag (nodeId or topic) as a non-empty string, got ${describe(msg.topic)}`);
  }
  return msg.topic.trim();
}

/** Epoch ms from a Date, a number of ms or an ISO date string; undefined when absent. */
export function epochMsOf(value: unknown, field: string): number | undefined {
  if (value === undefined || value === null) return undefined;
  const ms = value instanceof Date ? value.getTime() : typeof value === "number" ? value : typeof value === "string" ? Date.parse(value) : NaN;
  if (!Number.isFinite(ms) || ms < 0) throw new Error(`${field}: expected a time (Date, epoch ms or ISO string), got ${describe(value)}`);
  return ms;
}

// --- OPC UA -------------------------------------------------------------------------

/** StatusCode severity bits (OPC UA Part 4, 7.39): 00 good, 01 uncertain, 10 bad. */
export function qualityOf(statusCode: unknown): Quality {
  if (statusCode === undefined || statusCode === null) return "good";
  if (typeof statusCode === "string") {
    if (/^good/i.test(statusCode)) return "good";
    if (/^uncertain/i.test(statusCode)) return "uncertain";
    return "bad";
  }
  const code = typeof statusCode === "number" ? statusCode : isRecord(statusCode) ? (statusCode as { value?: unknown }).value : undefined;
  if (typeof code !== "number") throw new Error(`msg.statusCode: expected an OPC UA status code, got ${describe(statusCode)}`);
  const severity = code >>> 30;
  return severity === 0 ? "good" : severity === 1 ? "uncertain" : "bad";
}

/** A monitored-items group sends the whole DataValue as payload: `{ value: { dataType, value }, statusCode, sourceTimestamp }`. */
function unwrapDataValue(msg: SourceMessage): SourceMessage {
  const payload = msg.payload;
  if (!isRecord(payload) || !isRecord(payload.value) || !("dataType" in payload.value) || !("statusCode" in payload)) return msg;
  return {
    ...msg,
    payload: payload.value.value,
    datatype: DATA_TYPE_IDS[String(payload.value.dataType)] ?? payload.value.dataType,
    statusCode: payload.statusCode,
    sourceTimestamp: payload.sourceTimestamp,
    serverTimestamp: payload.serverTimestamp,
  };
}

/** The OPC UA DataType ids (Part 6, 5.1.2) whose values need decoding here. */
const DATA_TYPE_IDS: Record<string, string> = { "8": "Int64", "9": "UInt64" };

/** node-opcua delivers 64-bit integers as [high, low] 32-bit words; other values pass unchanged. */
export function int64Value(value: unknown, datatype: unknown): unknown {
  if (datatype !== "Int64" && datatype !== "UInt64") return value;
  if (!Array.isArray(value) || value.length !== 2 || typeof value[0] !== "number" || typeof value[1] !== "number") return value;
  const high = datatype === "Int64" && value[0] >= 2 ** 31 ? value[0] - 2 ** 32 : value[0];
  return high * 2 ** 32 + value[1];
}

function fromOpcUa(map: TagMap, original: SourceMessage, nowMs: number): IngestResult {
  // On subscribing, the client sends its own notice `{ topic: "subscriptionId", payload: <id> }`
  // out of the same output as the values: it is not a reading.
  if (original.topic === "subscriptionId") return { samples: [], withoutValue: 0, errors: [] };
  const msg = unwrapDataValue(original);
  // The client node accepts topics such as "ns=1;s=Pump.Vibration;datatype=Double".
  const topic = topicOf(msg);
  const suffix = topic.indexOf(";datatype=");
  const tag = suffix > 0 ? topic.slice(0, suffix) : topic;
  const datatype = msg.datatype ?? (suffix > 0 ? topic.slice(suffix + ";datatype=".length) : undefined);
  const [row] = rowsOf(map, tag);
  const quality = qualityOf(msg.statusCode);
  const ts = epochMsOf(msg.sourceTimestamp, "msg.sourceTimestamp") ?? epochMsOf(msg.serverTimestamp, "msg.serverTimestamp") ?? nowMs;
  return sampleFromValue(row, int64Value(msg.payload, datatype), "msg.payload", ts, quality);
}

// --- Modbus -------------------------------------------------------------------------

function registersOf(payload: unknown): ArrayLike<number> {
  // Output 1 of a read node carries the register array; output 2 the response `{ data, buffer }`.
  if (Array.isArray(payload)) return payload as number[];
  if (isRecord(payload) && Array.isArray(payload.data)) return payload.data as number[];
  throw new Error(`msg.payload: expected the register array of a Modbus read, got ${describe(payload)}`);
}

function startAddressOf(msg: SourceMessage): number {
  const request = isRecord(msg.modbusRequest) ? msg.modbusRequest : isRecord(msg.input) && isRecord(msg.input.payload) ? msg.input.payload : undefined;
  if (!request || request.address === undefined) return 0;
  const address = Number(request.address);
  if (!Number.isInteger(address) || address < 0) throw new Error(`msg.input.payload.address: expected a register address, got ${describe(request.address)}`);
  return address;
}

function fromModbus(map: TagMap, msg: SourceMessage, nowMs: number): IngestResult {
  const tag = topicOf(msg);
  const rows = rowsOf(map, tag);
  const registers = registersOf(msg.payload);
  const start = startAddressOf(msg);
  const result: IngestResult = { samples: [], withoutValue: 0, errors: [] };
  for (const row of rows) {
    try {
      const raw = decodeRegisters(registers, (row.address ?? 0) - start, {
        type: row.registerType ?? "uint16",
        wordOrder: row.wordOrder ?? "big",
        byteOrder: row.byteOrder ?? "big",
      });
      append(result, sampleFromValue(row, raw, `register ${row.address}`, nowMs, "good"));
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      result.errors.push(new Error(`tag "${tag}" ${row.asset}/${row.sensor} (register ${row.address}, read starts at ${start}): ${reason}`));
    }
  }
  return result;
}

// --- MQTT ---------------------------------------------------------------------------

/** Read "a.b[2].c" from a parsed JSON value. */
export function valueAtPath(root: unknown, path: string): unknown {
  let current: unknown = root;
  for (const part of path.split(/\.|\[(\d+)\]/).filter((p) => p !== undefined && p !== "")) {
    if (Array.isArray(current) && /^\d+$/.test(part)) current = current[Number(part)];
    else if (isRecord(current)) current = current[part];
    else return undefined;
  }
  return current;
}

/** MQTT payloads: numbers, numeric text, JSON text or an already parsed object; Buffers as text. */
function parseMqttPayload(payload: unknown): unknown {
  const text = Buffer.isBuffer(payload) ? payload.toString("utf8") : payload;
  if (typeof text !== "string") return text;
  const trimmed = text.trim();
  if (trimmed !== "" && Number.isFinite(Number(trimmed))) return Number(trimmed);
  try {
    return JSON.parse(trimmed);
  } catch {
    return text;
  }
}

function fromMqtt(map: TagMap, msg: SourceMessage, nowMs: number): IngestResult {
  const tag = topicOf(msg);
  const [row] = rowsOf(map, tag);
  const payload = parseMqttPayload(msg.payload);
  if (!row.valuePath && isRecord(payload)) {
    throw new Error(`tag "${tag}": the payload is a JSON object; set the value path of this tag in the tag map (e.g. "value")`);
  }
  const value = row.valuePath ? valueAtPath(payload, row.valuePath) : payload;
  const where = row.valuePath ? `msg.payload.${row.valuePath}` : "msg.payload";
  const ts = row.timePath ? epochMsOf(valueAtPath(payload, row.timePath), `msg.payload.${row.timePath}`) : undefined;
  if (row.timePath && ts === undefined) throw new Error(`msg.payload.${row.timePath}: expected a time (epoch ms or ISO string), got nothing (missing)`);
  const numeric = typeof value === "string" && value.trim() !== "" && Number.isFinite(Number(value)) ? Number(value) : value;
  return sampleFromValue(row, numeric, where, ts ?? nowMs, "good");
}

// --- common -------------------------------------------------------------------------

function append(into: IngestResult, from: IngestResult): void {
  into.samples.push(...from.samples);
  into.withoutValue += from.withoutValue;
  into.errors.push(...from.errors);
}

function isNumberArray(value: unknown): value is ArrayLike<number> {
  return Array.isArray(value) || (ArrayBuffer.isView(value) && !(value instanceof DataView));
}

/**
 * One tag's value as a sample: a number (or boolean) becomes a scalar sample, an array a
 * sample block when the tag has a sample rate. Good readings must be finite numbers; bad or
 * uncertain readings keep their quality, and are counted instead when they carry no number.
 */
function sampleFromValue(row: TagMapping, value: unknown, where: string, ts: number, quality: Quality): IngestResult {
  const none: IngestResult = { samples: [], withoutValue: 1, errors: [] };
  if (isNumberArray(value)) {
    if (quality !== "good") return none;
    return { samples: [blockFromArray(row, value, where, ts)], withoutValue: 0, errors: [] };
  }
  const raw = typeof value === "boolean" ? Number(value) : value;
  if (typeof raw !== "number" || !Number.isFinite(raw)) {
    if (quality !== "good") return none;
    throw new Error(`${where}: expected a finite number for tag "${row.tag}" (${row.asset}/${row.sensor}), got ${describe(value)}`);
  }
  const sample: ScalarSample = { asset: row.asset, sensor: row.sensor, ts, value: raw * row.scale + row.offset };
  if (row.unit) sample.unit = row.unit;
  if (quality !== "good") sample.quality = quality;
  return { samples: [sample], withoutValue: 0, errors: [] };
}

function blockFromArray(row: TagMapping, raw: ArrayLike<number>, where: string, t0: number): SampleBlock {
  if (row.fs <= 0) {
    throw new Error(`${where}: tag "${row.tag}" delivers an array of ${raw.length} values; set its sample rate (fs) in the tag map to ingest it as a sample block`);
  }
  if (raw.length === 0 || raw.length > MAX_BLOCK_SAMPLES) {
    throw new Error(`${where}: expected 1..${MAX_BLOCK_SAMPLES} samples for tag "${row.tag}", got ${raw.length}`);
  }
  const values = new Array<number>(raw.length);
  for (let i = 0; i < raw.length; i++) {
    const x = raw[i];
    if (typeof x !== "number" || !Number.isFinite(x)) throw new Error(`${where}[${i}]: expected a finite number for tag "${row.tag}", got ${describe(x)}`);
    values[i] = x * row.scale + row.offset;
  }
  const block: SampleBlock = { asset: row.asset, sensor: row.sensor, t0, fs: row.fs, values };
  if (row.unit) block.unit = row.unit;
  return block;
}
