import { strict as assert } from "node:assert";
import * as path from "node:path";
import { ScalarSample, checkScalarSample } from "../../nodes/shared/contract";
import { RegisterFormat, encodeRegisters } from "../../nodes/ingest/registers";
import { FlowNode, NodeModule, buildNodes, collect, errorOf, helper, nodeModule, onTab } from "../helpers/runtime";
import { ModbusPeer, startModbusServer } from "./peers";

const ingestNode = nodeModule(path.join(buildNodes, "ingest", "pdm-ingest.js"));
/* eslint-disable @typescript-eslint/no-require-imports */
const modbusClient = require("node-red-contrib-modbus/modbus/modbus-client.js") as NodeModule;
const modbusRead = require("node-red-contrib-modbus/modbus/modbus-read.js") as NodeModule;
/* eslint-enable @typescript-eslint/no-require-imports */

/** What the PLC holds from register 100 on, and how the tag map describes it. */
const TAGS: Array<{ sensor: string; address: number; format: RegisterFormat; raw: number; scale?: number; offset?: number; expected: number }> = [
  { sensor: "bearing-temp", address: 100, format: { type: "int16", wordOrder: "big", byteOrder: "big" }, raw: -215, scale: 0.1, expected: -21.5 },
  { sensor: "flow", address: 101, format: { type: "float32", wordOrder: "big", byteOrder: "big" }, raw: 12.5, expected: 12.5 },
  { sensor: "pressure", address: 103, format: { type: "float32", wordOrder: "little", byteOrder: "big" }, raw: 3.75, expected: 3.75 },
  { sensor: "current", address: 105, format: { type: "float32", wordOrder: "big", byteOrder: "little" }, raw: -7.25, expected: -7.25 },
  { sensor: "run-hours", address: 107, format: { type: "uint32", wordOrder: "little", byteOrder: "big" }, raw: 123_456, expected: 123_456 },
  { sensor: "speed", address: 109, format: { type: "uint16", wordOrder: "big", byteOrder: "big" }, raw: 14_800, scale: 0.1, offset: -30, expected: 1450 },
  { sensor: "energy", address: 110, format: { type: "float64", wordOrder: "little", byteOrder: "little" }, raw: 98_765.4321, expected: 98_765.4321 },
];

function holdingRegisters(): number[] {
  const holding: number[] = [];
  for (const tag of TAGS) encodeRegisters(tag.raw, tag.format).forEach((word, i) => (holding[tag.address + i] = word));
  return holding;
}

function flow(port: number, quantity: number): FlowNode[] {
  return onTab([
    {
      id: "plc", type: "modbus-client", name: "test plc", clienttype: "tcp", bufferCommands: true, stateLogEnabled: false, queueLogEnabled: false, failureLogEnabled: false,
      tcpHost: "127.0.0.1", tcpPort: String(port), tcpType: "DEFAULT", unit_id: 1, commandDelay: 1, clientTimeout: 1000,
      reconnectOnTimeout: true, reconnectTimeout: 2000, parallelUnitIdsAllowed: true, showErrors: false, showWarnings: false, showLogs: false,
    },
    {
      id: "reader", type: "modbus-read", name: "", topic: "pump-1 holding", showStatusActivities: false, logIOActivities: false, showErrors: false, showWarnings: false,
      unitid: "1", dataType: "HoldingRegister", adr: "100", quantity: String(quantity), rate: "200", rateUnit: "ms",
      delayOnStart: false, startDelayTime: "", server: "plc", useIOFile: false, ioFile: "", useIOForPayload: false, emptyMsgOnFail: false,
      wires: [["ingest"], []],
    },
    {
      id: "ingest", type: "pdm-ingest", source: "modbus",
      tags: TAGS.map((t) => ({
        tag: "pump-1 holding", asset: "pump-1", sensor: t.sensor, address: String(t.address), type: t.format.type,
        wordOrder: t.format.wordOrder, byteOrder: t.format.byteOrder, scale: t.scale === undefined ? "" : String(t.scale), offset: t.offset === undefined ? "" : String(t.offset),
      })),
      wires: [["samples"]],
    },
    { id: "samples", type: "helper" },
    { id: "caught", type: "helper" },
    { id: "catcher", type: "catch", scope: ["ingest"], uncaught: false, wires: [["caught"]] },
  ]);
}

describe("pdm-ingest with a real Modbus TCP server through node-red-contrib-modbus's read node", function () {
  this.timeout(20_000);
  let server: ModbusPeer;
  before(async () => {
    server = await startModbusServer(holdingRegisters());
  });
  after(() => server.stop());
  afterEach(() => helper.unload());

  it("decodes every mapped register value of a poll, in both word orders and with swapped bytes", async () => {
    await helper.load([ingestNode, modbusClient, modbusRead], flow(server.port, 14));
    const messages = await collect(helper.getNode("samples"), TAGS.length, 15_000);
    const bySensor = new Map(messages.map((m) => [(m.payload as ScalarSample).sensor, checkScalarSample(m.payload, "msg.payload")]));
    for (const tag of TAGS) {
      const sample = bySensor.get(tag.sensor);
      assert.ok(sample, `a sample for ${tag.sensor}`);
      assert.ok(Math.abs(sample.value - tag.expected) < 1e-9, `${tag.sensor}: ${sample.value} != ${tag.expected}`);
      assert.equal(sample.asset, "pump-1");
    }
    assert.equal(messages[0].topic, "pump-1/bearing-temp");
  });

  it("reports tags whose registers the poll does not cover, and still sends the others", async () => {
    await helper.load([ingestNode, modbusClient, modbusRead], flow(server.port, 8));
    const caught = collect(helper.getNode("caught"), 1, 15_000);
    const samples = collect(helper.getNode("samples"), 4, 15_000);
    const [msg] = await caught;
    assert.match(errorOf(msg).message, /tag "pump-1 holding" pump-1\/run-hours \(register 107, read starts at 100\): uint32 at register 7 needs registers 7\.\.8, the read has 0\.\.7/);
    assert.deepEqual((await samples).map((m) => (m.payload as ScalarSample).sensor), ["bearing-temp", "flow", "pressure", "current"]);
  });
});
