/**
 * Reference flow 3, "Modbus input": an engine controller's holding registers polled by
 * node-red-contrib-modbus's read node (from a PLC, or the demo server
 * `npm run demo:modbus-server`, which replays a real C-MAPSS turbofan engine), decoded by
 * pdm-ingest's tag map, put together into one record per operating cycle and fed to
 * pdm-anomaly (which learns the first cycles as healthy) and pdm-rul's ONNX sequence model
 * (the shipped C-MAPSS FD001 model); the results go to an MQTT broker through pdm-buffer
 * (store and forward).
 *
 * Host, port and unit id of the Modbus server and the broker are the tab's flow settings.
 * `npm run flows` writes flows/modbus-input.json; a test runs it against the demo server.
 */
import { CMAPSS_REGISTERS, CMAPSS_REGISTER_COUNT } from "../demo-modbus-server";
import { FlowNode, brokerLink, layout, tab } from "./tab-layout";
import { anomalySettings } from "./node-settings";

const TAB = "modbus-tab";
const at = layout(TAB);
const ASSET = "engine-1";
const TOPIC = "engine-1 holding";

/** The flow settings (tab environment variables) and their defaults: the demo server on this machine. */
const MODBUS_FLOW_SETTINGS = {
  MODBUS_HOST: "127.0.0.1",
  MODBUS_PORT: "5020",
  MODBUS_UNIT_ID: "1",
  MQTT_HOST: "127.0.0.1",
  MQTT_PORT: "1883",
};

/**
 * The values of one read share one time stamp. When all of them are in, they make the
 * cycle's record; the same cycle read again is skipped, and a cycle count that goes back
 * (engine overhauled or replaced) starts a new run in pdm-rul. A read that misses a value
 * (pdm-ingest has reported why) gives no record: a partial record would feed the models
 * a made-up number. Output 1: the record for pdm-rul. Output 2: the condition sensors of
 * the cycle as one observation for pdm-anomaly (the operating settings and the sensors
 * that do not change with wear would only add noise to it).
 */
const recordCode = (names: string[], condition: string[]) => `
const NAMES = ${JSON.stringify(names)};
const CONDITION = ${JSON.stringify(condition)};
const p = msg.payload;
let record = context.get("record");
if (record && record.ts !== p.ts) {
  const missing = NAMES.filter((name) => !(name in record.values));
  node.error("no record for the read at " + new Date(record.ts).toISOString() + ": no value for " + missing.join(", "), msg);
  record = undefined;
}
record = record || { ts: p.ts, values: {} };
record.values[p.sensor] = p.value;
if (Object.keys(record.values).length < NAMES.length) {
  context.set("record", record);
  return null;
}
context.set("record", undefined);
const { cycle, ...features } = record.values;
const last = context.get("cycle");
if (cycle === last) return null;
context.set("cycle", cycle);
node.status({ text: "cycle " + cycle });
const forRul = { topic: p.asset, payload: { asset: p.asset, t0: p.ts, cycle, features } };
const observation = { topic: p.asset, payload: { asset: p.asset, sensor: "engine", t0: p.ts, fs: 1, n: 1, features: Object.fromEntries(CONDITION.map((name) => [name, features[name]])) } };
if (last !== undefined && cycle < last) return [[{ topic: "reset", payload: { asset: p.asset } }, forRul], observation];
return [forRul, observation];`;

const topicCode = `
msg.topic = "pdm/" + msg.payload.asset + (msg.payload.rul !== undefined ? "/rul" : "/anomaly");
return msg;`;

/** The sensors that change as the engine wears (C-MAPSS FD001; the others are constant there). */
const CONDITION_SENSORS = ["s2", "s3", "s4", "s7", "s8", "s9", "s11", "s12", "s13", "s14", "s15", "s17", "s20", "s21"];

const howTo = `Try it on one machine: in a terminal of the node-red-contrib-pdm repository run

    npm run demo:modbus-server

It serves Modbus TCP on 127.0.0.1:5020, unit id 1, and replays engine 31 of NASA's C-MAPSS test set FD001 (a simulated turbofan, its HPC wearing out), one operating cycle a second. The recording stops 8 cycles before the engine failed; the RUL should come down towards that.

Holding registers: 0 = cycle (uint16); from 1, float32 high word first, two registers each: setting1-3, then sensors s1-s21 (s1 at 7, s21 at 47).

Results go to an MQTT broker (MQTT_HOST, MQTT_PORT; e.g. mosquitto on this machine). Without one they wait in pdm-buffer's file and go out in order once the broker is reachable.`;

const plcHowTo = `To read your own controller, open this tab's properties (double-click the tab) and set MODBUS_HOST, MODBUS_PORT (usually 502) and MODBUS_UNIT_ID. In the read node set the function (holding or input registers), start address and count; in pdm-ingest's tag map give each value its register, type (int16 … float64) and word and byte order as your PLC's documentation says (check one known value first: a wrong word order gives absurd numbers).

The RUL model here is trained on C-MAPSS engines: for your machine bring your own ONNX model and sidecar (docs/rul.md), or use a degradation method on a health index.

A register the read does not cover, or a value that is not a number (NaN from a failed sensor), is reported as an error; that cycle gives no record.`;

export function modbusInput(): FlowNode[] {
  return [
    tab(TAB, "Modbus input", "An engine controller's registers over Modbus TCP through pdm-ingest, anomaly detection and the ONNX RUL model; results to MQTT through store and forward. Flow settings: this tab's environment variables.", MODBUS_FLOW_SETTINGS),
    at.comment("modbus-c-demo", 0, 0, "Demo: npm run demo:modbus-server (C-MAPSS engine on 127.0.0.1:5020, unit 1)", howTo),
    at.comment("modbus-c-plc", 2, 0, "Your PLC: set MODBUS_HOST, MODBUS_PORT, MODBUS_UNIT_ID in this tab's properties", plcHowTo),
    {
      id: "modbus-plc", type: "modbus-client", z: TAB, name: "PLC (MODBUS_HOST:MODBUS_PORT)", clienttype: "tcp", bufferCommands: true, stateLogEnabled: false, queueLogEnabled: false,
      failureLogEnabled: true, tcpHost: "${MODBUS_HOST}", tcpPort: "${MODBUS_PORT}", tcpType: "DEFAULT", serialPort: "", serialType: "RTU-BUFFERD", serialBaudrate: "9600",
      serialDatabits: "8", serialStopbits: "1", serialParity: "none", serialConnectionDelay: "100", serialAsciiResponseStartDelimiter: "0x3A", unit_id: "${MODBUS_UNIT_ID}",
      commandDelay: 1, clientTimeout: 1000, reconnectOnTimeout: true, reconnectTimeout: 2000, parallelUnitIdsAllowed: true, showErrors: false, showWarnings: true, showLogs: true,
    },
    at.node("modbus-poll", "modbus-read", 0, 2, {
      name: `holding 0..${CMAPSS_REGISTER_COUNT - 1} every 250 ms`, topic: TOPIC, showStatusActivities: false, logIOActivities: false, showErrors: true, showWarnings: true,
      unitid: "", dataType: "HoldingRegister", adr: "0", quantity: String(CMAPSS_REGISTER_COUNT), rate: "250", rateUnit: "ms",
      delayOnStart: false, startDelayTime: "", server: "modbus-plc", useIOFile: false, ioFile: "", useIOForPayload: false, emptyMsgOnFail: false,
    }, [["modbus-ingest"], []]),
    at.node("modbus-ingest", "pdm-ingest", 1, 2, {
      name: "register map", source: "modbus",
      tags: CMAPSS_REGISTERS.map((r) => ({ tag: TOPIC, asset: ASSET, sensor: r.name, unit: r.unit, address: String(r.address), type: r.type, wordOrder: "big", byteOrder: "big", scale: "", offset: "" })),
    }, [["modbus-record"]]),
    at.fn("modbus-record", "one record per cycle", 2, 2, recordCode(CMAPSS_REGISTERS.map((r) => r.name), CONDITION_SENSORS), [["modbus-rul"], ["modbus-anomaly"]], 2),
    at.node("modbus-anomaly", "pdm-anomaly", 3, 3, { name: "anomaly (learns the first 30 cycles)", asset: "", ...anomalySettings, learnWindows: 30 }, [["modbus-topic"], []]),
    at.node("modbus-rul", "pdm-rul", 3, 2, {
      name: "RUL (ONNX, C-MAPSS FD001 model)", method: "onnx", unit: "cycles", hoursPerCycle: 1, signal: "healthIndex", threshold: 0, phi: "", minObservations: 5,
      slopeDetectionLevel: 0.05, forgetting: 0.95, repairFraction: 0.2, neighbours: 5, library: "", model: "", backend: "auto",
    }, [["modbus-topic"], []]),
    at.fn("modbus-topic", "topic pdm/<asset>/<what>", 4, 2, topicCode, [["modbus-buffer", "modbus-results"]]),
    at.node("modbus-results", "debug", 4, 3, { name: "results", active: true, tosidebar: true, console: false, tostatus: false, complete: "payload", targetType: "msg" }, []),
    ...brokerLink(at, "modbus", 5, 2),
    at.node("modbus-catch", "catch", 0, 4, { name: "errors of this tab", scope: null, uncaught: false }, [["modbus-errors"]]),
    at.node("modbus-errors", "debug", 1, 4, { name: "errors", active: true, tosidebar: true, console: true, tostatus: false, complete: "error", targetType: "msg" }, []),
  ];
}
