import { strict as assert } from "node:assert";
import * as path from "node:path";
import { checkScalarSample } from "../../nodes/shared/contract";
import { buildNodes, collect, errorOf, helper, nodeModule, onTab, settle } from "../helpers/runtime";

const ingestNode = nodeModule(path.join(buildNodes, "ingest", "pdm-ingest.js"));

function flow(tags: unknown) {
  return onTab([
    { id: "ingest", type: "pdm-ingest", source: "mqtt", tags, wires: [["out"]] },
    { id: "out", type: "helper" },
    { id: "caught", type: "helper" },
    { id: "catcher", type: "catch", scope: ["ingest"], uncaught: false, wires: [["caught"]] },
    { id: "completer", type: "complete", scope: ["ingest"], uncaught: false, wires: [["completed"]] },
    { id: "completed", type: "helper" },
  ]);
}

describe("pdm-ingest node (MQTT messages)", () => {
  afterEach(() => helper.unload());

  it("sends a sample per message, keeps other properties and completes", async () => {
    await helper.load(ingestNode, flow([{ tag: "plant/p1/vib", asset: "P1", sensor: "vib", unit: "mm/s", valuePath: "rms" }]));
    const out = collect(helper.getNode("out"), 1);
    const completed = collect(helper.getNode("completed"), 1);
    helper.getNode("ingest").receive({ topic: "plant/p1/vib", payload: '{"rms": 2.5}', qos: 1, retain: false });
    const [msg] = await out;
    const sample = checkScalarSample(msg.payload, "msg.payload");
    assert.deepEqual([sample.asset, sample.sensor, sample.value, sample.unit], ["P1", "vib", 2.5, "mm/s"]);
    assert.equal(msg.topic, "P1/vib");
    assert.equal((msg as { tag?: string }).tag, "plant/p1/vib");
    assert.equal((msg as { qos?: number }).qos, 1);
    await completed;
  });

  it("reports an unknown tag by name to a Catch node and sends nothing", async () => {
    await helper.load(ingestNode, flow([{ tag: "plant/p1/vib", asset: "P1", sensor: "vib" }]));
    const caught = collect(helper.getNode("caught"), 1);
    const sent = settle(helper.getNode("out"), 300);
    helper.getNode("ingest").receive({ topic: "plant/p2/vib", payload: 1 });
    assert.equal(errorOf((await caught)[0]).message, 'Error: unknown tag "plant/p2/vib": add it to the tag map of this node');
    assert.equal((await sent).length, 0);
  });

  it("reports an invalid tag map on every message, naming the field", async () => {
    await helper.load(ingestNode, flow([{ tag: "plant/p1/vib", asset: "", sensor: "vib" }]));
    const caught = collect(helper.getNode("caught"), 1);
    helper.getNode("ingest").receive({ topic: "plant/p1/vib", payload: 1 });
    assert.equal(errorOf((await caught)[0]).message, 'ValidationError: tags[0].asset: expected a non-empty string, got ""');
  });
});
