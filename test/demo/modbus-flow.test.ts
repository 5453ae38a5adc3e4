/**
 * Reference flow 3 (Modbus input) in a real Node-RED runtime against the demo Modbus TCP
 * server (a real C-MAPSS engine) and a real MQTT broker: every node deploys, each cycle is
 * read through node-red-contrib-modbus, decoded and put into one record, and the RUL the
 * ONNX model gives is the one the same model gives on the recorded numbers, the anomaly
 * alarm comes as the engine wears out; the results reach the broker through pdm-buffer; a
 * sensor reading NaN is reported and gives no record.
 */
import { strict as assert } from "node:assert";
import { CMAPSS_REGISTERS, ModbusDemoServer, startModbusDemoServer } from "../../scripts/demo-modbus-server";
import { modbusInput } from "../../scripts/flows/modbus-input";
import { encodeRegisters } from "../../nodes/ingest/registers";
import { RulService } from "../../nodes/rul/rul-service";
import { SequenceRulModel } from "../../nodes/rul/sequence-model";
import { DEFAULT_SIDECAR } from "../../nodes/rul/pdm-rul";
import { FlowNode, errorOf, helper } from "../helpers/runtime";
import { modulesFor } from "../helpers/flow-modules";
import { deployErrors, errorLogs, messagesAt, probedFlow, waitFor, waitForCount } from "../helpers/flow-probes";
import { freePort } from "../helpers/net";
import { MqttPeer, startMqttBroker } from "../ingest/peers";

interface Rul { asset: string; t0: number; rul: number; lower: number; upper: number; unit: string }
interface Anomaly { asset: string; t0: number; anomaly: boolean }

/** The anomaly node's learning period in the flow. */
const LEARN_CYCLES = 30;

/** A record as float32 registers hold it. */
function asFloat32(record: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(record).map(([name, x]) => [name, Math.fround(x)]));
}

describe("reference flow 3: Modbus input, against the demo Modbus server", function () {
  this.timeout(120_000);
  let server: ModbusDemoServer;
  let broker: MqttPeer;
  before(async () => {
    broker = await startMqttBroker();
    server = await startModbusDemoServer({ port: await freePort(), paused: true });
  });
  after(async () => {
    await helper.unload();
    await server?.stop();
    await broker?.stop();
  });

  it("deploys every node, and gives for every cycle read over Modbus the RUL of the recorded engine", async () => {
    const settings = { MODBUS_PORT: String(server.port), MQTT_PORT: String(broker.port) };
    const flow = probedFlow(modbusInput(), settings, { "t-rul": "modbus-rul", "t-anomaly": "modbus-anomaly", "t-errors": "modbus-catch" }, "modbus-broker");
    // Poll fast: the test steps the engine as soon as a cycle's RUL is out.
    (flow.find((n) => n.id === "modbus-poll") as FlowNode).rate = "50";
    await helper.load(modulesFor(flow), flow);
    for (const n of flow) if (n.type !== "tab") assert.ok(helper.getNode(n.id), `node ${n.id} (${n.type}) deployed`);
    const errors = messagesAt("t-errors");
    const ruls = messagesAt("t-rul");
    const anomalies = messagesAt("t-anomaly");
    const results = messagesAt("t-broker");
    assert.deepEqual(await deployErrors(), [], "no error logged at deploy");

    // Step the engine one cycle at a time, each as soon as the flow has given its RUL.
    const cycles = server.engine.cycles;
    for (let i = 1; i < cycles.length; i++) {
      await waitForCount(ruls, i, 15_000);
      server.next();
    }
    const seen = (await waitForCount(ruls, cycles.length, 15_000)).map((m) => m.payload as Rul);
    assert.deepEqual(errors.messages.map((m) => errorOf(m).message), [], "no errors while the engine was replayed");
    assert.deepEqual(errorLogs(), [], "nothing logged as an error");

    // The same model on the recorded numbers as the registers hold them (float32).
    const model = await SequenceRulModel.load(DEFAULT_SIDECAR);
    try {
      const service = new RulService({ method: "onnx", unit: "cycles", model });
      for (const [i, record] of cycles.entries()) {
        const expected = await service.update({ asset: "engine", t0: i, cycle: record.cycle, features: asFloat32(record) });
        assert.ok(expected.ok);
        assert.ok(Math.abs(seen[i].rul - expected.message.rul) < 1e-6, `cycle ${record.cycle}: RUL ${seen[i].rul} over Modbus, ${expected.message.rul} from the file`);
        assert.equal(seen[i].unit, "cycles");
      }
    } finally {
      await model.release();
    }
    const last = seen[seen.length - 1];
    assert.ok(last.lower <= server.trueRulAtEnd && server.trueRulAtEnd <= last.upper, `true RUL ${server.trueRulAtEnd} in [${last.lower}, ${last.upper}] at the last cycle`);

    // pdm-anomaly learnt cycles 1-30 as healthy and scored each later cycle: quiet while the
    // engine is young, alarmed while it wears out towards failure.
    const verdicts = (await waitForCount(anomalies, cycles.length - LEARN_CYCLES, 15_000)).map((m) => (m.payload as Anomaly).anomaly);
    assert.deepEqual(verdicts.slice(0, 50), new Array<boolean>(50).fill(false), "no alarm in cycles 31-80");
    assert.deepEqual(verdicts.slice(-10), new Array<boolean>(10).fill(true), "alarm in the last 10 cycles");

    // Every result went out through pdm-buffer to the broker, in order.
    const sent = await waitForCount(results, cycles.length + verdicts.length, 15_000);
    assert.deepEqual(sent.filter((m) => m.topic === "pdm/engine-1/rul").map((m) => (m.payload as Rul).rul), seen.map((r) => r.rul));
    assert.deepEqual(sent.filter((m) => m.topic === "pdm/engine-1/anomaly").map((m) => (m.payload as Anomaly).anomaly), verdicts);
  });

  it("reports a sensor that reads NaN and gives no record until it reads a number again", async () => {
    const errors = messagesAt("t-errors");
    const ruls = messagesAt("t-rul");
    const s3 = CMAPSS_REGISTERS.find((r) => r.name === "s3");
    assert.ok(s3);
    const writeS3 = (value: number) => encodeRegisters(value, { type: "float32", wordOrder: "big", byteOrder: "big" }).forEach((word, i) => (server.holding[s3.address + i] = word));
    // Back to cycle 1 (the engine overhauled) with sensor s3 failed, in one go: no read sees one without the other.
    server.next();
    writeS3(NaN);
    const bad = await waitFor(errors, (m) => errorOf(m).source.id === "modbus-ingest", 15_000);
    assert.ok(errorOf(bad).message.includes(`register ${s3.address}: expected a finite number for tag "engine-1 holding" (engine-1/s3), got NaN`), errorOf(bad).message);
    const incomplete = await waitFor(errors, (m) => errorOf(m).source.id === "modbus-record", 15_000);
    assert.match(errorOf(incomplete).message, /no value for s3$/);
    assert.deepEqual(ruls.messages, [], "no RUL from a cycle with a missing value");

    // The sensor is back: cycle 1 starts a new run, whose first RUL is the first RUL of the recording.
    writeS3(server.engine.cycles[0].s3);
    const [first] = await waitForCount(ruls, 1, 15_000);
    assert.equal(server.cycle, 1);
    const model = await SequenceRulModel.load(DEFAULT_SIDECAR);
    try {
      const expected = await new RulService({ method: "onnx", unit: "cycles", model }).update({ asset: "engine", t0: 0, cycle: 1, features: asFloat32(server.engine.cycles[0]) });
      assert.ok(expected.ok);
      assert.ok(Math.abs((first.payload as Rul).rul - expected.message.rul) < 1e-6, `RUL ${(first.payload as Rul).rul} after the reset, ${expected.message.rul} for cycle 1`);
    } finally {
      await model.release();
    }
  });
});
