import { strict as assert } from "node:assert";
import * as path from "node:path";
import type { NodeMessage } from "node-red";
import { SampleBlock, ScalarSample, checkSampleBlock, checkScalarSample } from "../../nodes/shared/contract";
import { FlowNode, NodeModule, buildNodes, collect, helper, nodeModule, onTab } from "../helpers/runtime";
import { OPCUA_TAGS, OpcUaPeer, WAVEFORM, startOpcUaServer, vibrationAt } from "./peers";

const ingestNode = nodeModule(path.join(buildNodes, "ingest", "pdm-ingest.js"));
const windowNode = nodeModule(path.join(buildNodes, "ingest", "pdm-window.js"));
/* eslint-disable @typescript-eslint/no-require-imports */
const opcuaClient = require("node-red-contrib-opcua/opcua/102-opcuaclient.js") as NodeModule;
const opcuaEndpoint = require("node-red-contrib-opcua/opcua/105-opcuaendpoint.js") as NodeModule;
/* eslint-enable @typescript-eslint/no-require-imports */

const nodes = [ingestNode, windowNode, opcuaClient, opcuaEndpoint];

function flow(endpoint: string, action: "read" | "subscribe"): FlowNode[] {
  return onTab([
    { id: "plc", type: "OpcUa-Endpoint", endpoint, secpol: "None", secmode: "None", none: true, login: false, usercert: false },
    {
      id: "client", type: "OpcUa-Client", endpoint: "plc", action, time: 100, timeUnit: "ms", securitymode: "None", securitypolicy: "None",
      certificate: "n", setstatusandtime: false, keepsessionalive: false, deadbandtype: "a", deadbandvalue: 0,
      wires: [["ingest"], ["clientStatus"], []],
    },
    { id: "clientStatus", type: "helper" },
    {
      id: "ingest", type: "pdm-ingest", source: "opcua",
      tags: [
        { tag: OPCUA_TAGS.vibration, asset: "pump-1", sensor: "vibration", unit: "mm/s" },
        { tag: OPCUA_TAGS.waveform, asset: "pump-1", sensor: "acc", unit: "g", fs: "25600" },
        { tag: OPCUA_TAGS.failedSensor, asset: "pump-1", sensor: "bearing-temp", unit: "°C" },
      ],
      wires: [["window", "samples"]],
    },
    { id: "samples", type: "helper" },
    { id: "window", type: "pdm-window", size: 8, overlap: 50, targetFs: 10, maxGapMs: 1000, jitterMs: 0, align: "", maxStreams: 10, wires: [["windows"], ["breaks"]] },
    { id: "windows", type: "helper" },
    { id: "breaks", type: "helper" },
  ]);
}

/**
 * Wait until the client node reports an open session on its status output. Called right
 * after load: connecting takes TCP round trips, so the report cannot have come yet.
 */
function sessionActive(): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("the OPC UA client did not open a session in 15 s")), 15_000);
    helper.getNode("clientStatus").on("input", (msg: NodeMessage & { status?: string }) => {
      if (msg.status === "session active") {
        clearTimeout(timer);
        resolve();
      }
    });
  });
}

describe("pdm-ingest with a real OPC UA server through node-red-contrib-opcua's client", function () {
  this.timeout(30_000);
  let server: OpcUaPeer;
  before(async () => {
    server = await startOpcUaServer();
  });
  after(() => server.stop());
  afterEach(() => helper.unload());

  it("subscribes to the vibration tag and turns its changes into samples and windows", async () => {
    await helper.load(nodes, flow(server.endpoint, "subscribe"));
    await sessionActive();
    const windows = collect(helper.getNode("windows"), 1, 15_000);
    const samples = collect(helper.getNode("samples"), 5, 15_000);
    helper.getNode("client").receive({ topic: OPCUA_TAGS.vibration, payload: "" });
    for (const msg of await samples) {
      const sample = checkScalarSample(msg.payload, "msg.payload");
      assert.equal(msg.topic, "pump-1/vibration");
      assert.equal(sample.unit, "mm/s");
      assert.equal(sample.quality, undefined);
      // The server computes the value from its sampling time, which is the source timestamp.
      assert.ok(Math.abs(sample.value - vibrationAt(sample.ts)) < 0.05, `value ${sample.value} at ${sample.ts}`);
    }
    const [window] = await windows;
    const block = checkSampleBlock(window.payload, "msg.payload");
    assert.deepEqual([block.asset, block.sensor, block.fs, block.values.length, block.unit], ["pump-1", "vibration", 10, 8, "mm/s"]);
    for (const v of block.values) assert.ok(v >= 1.5 - 1e-9 && v <= 2.5 + 1e-9, `windowed value ${v} within the tag's range`);
  });

  it("reads the waveform tag as a sample block and a failed sensor as bad quality", async () => {
    await helper.load(nodes, flow(server.endpoint, "read"));
    await sessionActive();
    const samples = collect(helper.getNode("samples"), 2, 15_000);
    helper.getNode("client").receive({ topic: OPCUA_TAGS.waveform });
    helper.getNode("client").receive({ topic: OPCUA_TAGS.failedSensor });
    const byTopic = new Map((await samples).map((m) => [m.topic, m.payload]));
    const block = checkSampleBlock(byTopic.get("pump-1/acc"), "waveform") as SampleBlock;
    assert.equal(block.fs, 25_600);
    assert.deepEqual(block.values, Array.from(WAVEFORM));
    const failed = checkScalarSample(byTopic.get("pump-1/bearing-temp"), "failed sensor") as ScalarSample;
    assert.equal(failed.quality, "bad");
  });
});
