import { strict as assert } from "node:assert";
import * as path from "node:path";
import { SampleBlock, ScalarSample, checkSampleBlock, checkScalarSample } from "../../nodes/shared/contract";
import { FlowNode, NodeModule, buildNodes, collect, errorOf, helper, nodeModule, onTab } from "../helpers/runtime";
import { MqttPeer, startMqttBroker } from "./peers";

const ingestNode = nodeModule(path.join(buildNodes, "ingest", "pdm-ingest.js"));
// eslint-disable-next-line @typescript-eslint/no-require-imports
const mqttNodes = require("@node-red/nodes/core/network/10-mqtt.js") as NodeModule;

function flow(port: number): FlowNode[] {
  return onTab([
    {
      id: "broker", type: "mqtt-broker", name: "", broker: "127.0.0.1", port: String(port), clientid: "", autoConnect: true, usetls: false,
      protocolVersion: 4, keepalive: 60, cleansession: true, autoUnsubscribe: true, birthTopic: "", closeTopic: "", willTopic: "",
    },
    { id: "subscriber", type: "mqtt in", name: "", topic: "plant/pump-1/#", qos: "0", datatype: "auto-detect", broker: "broker", nl: false, rap: true, rh: 0, inputs: 0, wires: [["ingest"]] },
    {
      id: "ingest", type: "pdm-ingest", source: "mqtt",
      tags: [
        { tag: "plant/pump-1/temp", asset: "pump-1", sensor: "temp", unit: "°C" },
        { tag: "plant/pump-1/vib", asset: "pump-1", sensor: "vib", unit: "mm/s", valuePath: "data.rms", timePath: "ts" },
        { tag: "plant/pump-1/wave", asset: "pump-1", sensor: "acc", unit: "g", valuePath: "samples", fs: "1000", scale: "0.001" },
      ],
      wires: [["samples"]],
    },
    { id: "samples", type: "helper" },
    { id: "caught", type: "helper" },
    { id: "catcher", type: "catch", scope: ["ingest"], uncaught: false, wires: [["caught"]] },
  ]);
}

describe("pdm-ingest with a real MQTT broker through Node-RED's mqtt in node", function () {
  this.timeout(20_000);
  let broker: MqttPeer;
  before(async () => {
    broker = await startMqttBroker();
  });
  after(() => broker.stop());
  afterEach(() => helper.unload());

  it("reads plain numbers, JSON with value and time paths, and arrays as blocks; names unknown topics", async () => {
    const subscribed = broker.subscribed("plant/pump-1/#");
    await helper.load([ingestNode, mqttNodes], flow(broker.port));
    await subscribed;
    const samples = collect(helper.getNode("samples"), 3);
    const caught = collect(helper.getNode("caught"), 1);
    await broker.publish("plant/pump-1/temp", "21.5");
    await broker.publish("plant/pump-1/vib", JSON.stringify({ data: { rms: 0.7 }, ts: "2026-01-01T00:00:00Z" }));
    await broker.publish("plant/pump-1/wave", JSON.stringify({ samples: [1000, -500, 250] }));
    await broker.publish("plant/pump-1/pressure", "3.2");
    const bySensor = new Map((await samples).map((m) => [(m.payload as { sensor: string }).sensor, m.payload]));
    assert.equal((checkScalarSample(bySensor.get("temp"), "temp") as ScalarSample).value, 21.5);
    const vib = checkScalarSample(bySensor.get("vib"), "vib") as ScalarSample;
    assert.deepEqual([vib.value, vib.ts, vib.unit], [0.7, Date.UTC(2026, 0, 1), "mm/s"]);
    const wave = checkSampleBlock(bySensor.get("acc"), "acc") as SampleBlock;
    assert.deepEqual([wave.fs, wave.values], [1000, [1, -0.5, 0.25]]);
    assert.equal(errorOf((await caught)[0]).message, 'Error: unknown tag "plant/pump-1/pressure": add it to the tag map of this node');
  });
});
