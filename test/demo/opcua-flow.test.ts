/**
 * Reference flow 2 (OPC UA input) in a real Node-RED runtime against the demo OPC UA server
 * (real FEMTO Bearing1_1 snapshots) and a real MQTT broker: every node deploys, every
 * snapshot comes through node-red-contrib-opcua's client into features with the values
 * the server sent, anomaly and RUL results reach the broker through pdm-buffer, and a tag
 * missing from the tag map is reported.
 */
import { strict as assert } from "node:assert";
import * as path from "node:path";
import type { NodeMessage } from "node-red";
import { OPCUA_DEMO_TAGS, OpcUaDemoServer, startOpcUaDemoServer } from "../../scripts/demo-opcua-server";
import { opcuaInput } from "../../scripts/flows/opcua-input";
import { femtoReplay } from "../../nodes/ingest/replay";
import { timeFeatures } from "../../nodes/features/time-features";
import { errorOf, helper, repoRoot } from "../helpers/runtime";
import { modulesFor } from "../helpers/flow-modules";
import { deployErrors, errorLogs, messagesAt, probedFlow, waitFor } from "../helpers/flow-probes";
import { freePort } from "../helpers/net";
import { MqttPeer, startMqttBroker } from "../ingest/peers";

const INTERVAL_MS = 400;
const replay = femtoReplay(path.join(repoRoot, "data", "femto", "Bearing1_1"));

interface Features { asset: string; sensor: string; t0: number; features: Record<string, number> }
interface Rul { asset: string; t0: number; rul: number; lower: number; upper: number; unit: string }
interface Anomaly { asset: string; sensor: string; t0: number; anomaly: boolean; score: number }

describe("reference flow 2: OPC UA input, against the demo OPC UA server", function () {
  this.timeout(90_000);
  let server: OpcUaDemoServer;
  let broker: MqttPeer;
  before(async () => {
    broker = await startMqttBroker();
    server = await startOpcUaDemoServer({ port: await freePort(), intervalMs: INTERVAL_MS, paused: true });
  });
  after(async () => {
    await helper.unload();
    await server?.stop();
    await broker?.stop();
  });

  it("deploys every node, turns each snapshot into features, and sends anomaly and RUL results to the broker", async () => {
    const settings = { OPCUA_ENDPOINT: server.endpoint, MQTT_PORT: String(broker.port) };
    const flow = probedFlow(opcuaInput(), settings, { "t-features": "opcua-features", "t-errors": "opcua-catch" }, "opcua-broker");
    await helper.load(modulesFor(flow), flow);
    for (const n of flow) if (n.type !== "tab") assert.ok(helper.getNode(n.id), `node ${n.id} (${n.type}) deployed`);
    const errors = messagesAt("t-errors");
    const features = messagesAt("t-features");
    const results = messagesAt("t-broker");
    assert.deepEqual(await deployErrors(), [], "no error logged at deploy");

    // The first snapshot (published before the client subscribed) starts the run; then play it all.
    await waitFor(features, (m) => (m.payload as Features).t0 === server.startMs, 20_000);
    server.play();
    const lastS = replay.atS(replay.length - 1);
    const lastRul = await waitFor(results, (m) => m.topic === "pdm/bearing1_1/rul" && (m.payload as Rul).t0 === server.startMs + lastS * 1000, replay.length * INTERVAL_MS + 20_000);
    assert.deepEqual(errors.messages.map((m) => errorOf(m).message), [], "no errors while the run was replayed");
    assert.deepEqual(errorLogs(), [], "nothing logged as an error");

    // Every snapshot of both axes, with the features of the samples the server sent (the first 2048 of each).
    const bySnapshot = new Map(Array.from({ length: replay.length }, (_, i) => [replay.atS(i), i]));
    const seen = new Set<string>();
    for (const m of features.messages) {
      const f = m.payload as Features;
      const index = bySnapshot.get((f.t0 - server.startMs) / 1000);
      assert.ok(index !== undefined, `features at t0 ${f.t0} belong to a snapshot`);
      const block = replay.step(index).blocks.find((b) => b.sensor === f.sensor);
      assert.ok(block, `snapshot ${index} has ${f.sensor}`);
      const expected: Record<string, number> = {};
      timeFeatures(block.values, expected, 2048);
      assert.ok(Math.abs(f.features.rms - expected.rms) < 1e-9, `${f.sensor} snapshot ${index}: rms ${f.features.rms} != ${expected.rms}`);
      seen.add(`${index}/${f.sensor}`);
    }
    assert.equal(seen.size, 2 * replay.length, "features for every snapshot and axis");

    // Results went out through pdm-buffer and the broker: process values, anomaly verdicts, RUL.
    const topics = new Set(results.messages.map((m) => m.topic));
    for (const topic of ["pdm/bearing1_1/speed", "pdm/bearing1_1/radial-load", "pdm/bearing1_1/anomaly/acc_h", "pdm/bearing1_1/anomaly/acc_v", "pdm/bearing1_1/rul"]) {
      assert.ok(topics.has(topic), `${topic} reached the broker (got ${[...topics].join(", ")})`);
    }
    const speed = results.messages.find((m) => m.topic === "pdm/bearing1_1/speed")?.payload as { value: number; unit: string };
    assert.deepEqual([speed.value, speed.unit], [1800, "rpm"]);
    const lastAnomaly = results.messages.filter((m) => m.topic === "pdm/bearing1_1/anomaly/acc_h").pop()?.payload as Anomaly;
    assert.equal(lastAnomaly.anomaly, true, "the failed bearing is anomalous");
    // At 75 % of life and later, the true RUL (the time to the end of the test) lies in the 5-95 % interval.
    const ruls = results.messages.filter((m) => m.topic === "pdm/bearing1_1/rul").map((m) => m.payload as Rul);
    const late = ruls.filter((r) => (r.t0 - server.startMs) / 1000 >= 0.75 * lastS && (r.t0 - server.startMs) / 1000 <= 0.9 * lastS);
    assert.ok(late.length > 0, "RUL estimates between 75 % and 90 % of life");
    for (const r of late) {
      const trueH = (lastS - (r.t0 - server.startMs) / 1000) / 3600;
      assert.equal(r.unit, "h");
      assert.ok(r.lower <= trueH && trueH <= r.upper, `at ${((r.t0 - server.startMs) / 3.6e6).toFixed(2)} h: true RUL ${trueH.toFixed(2)} h outside [${r.lower.toFixed(2)}, ${r.upper.toFixed(2)}]`);
    }
    assert.ok((lastRul.payload as Rul).rul < 0.5, `RUL at the failure: ${(lastRul.payload as Rul).rul} h`);

    // A tag the tag map does not know (the server's snapshot counter) is reported, not dropped.
    helper.getNode("opcua-client").receive({ topic: "multiple", payload: [{ nodeId: OPCUA_DEMO_TAGS.snapshot }] } as NodeMessage);
    const unknown = await waitFor(errors, () => true, 15_000);
    assert.equal(errorOf(unknown).message, `Error: unknown tag "${OPCUA_DEMO_TAGS.snapshot}": add it to the tag map of this node`);
    assert.equal(errorOf(unknown).source.id, "opcua-ingest");
  });
});
