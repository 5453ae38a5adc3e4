/**
 * The reference flow "MQTT / Unified Namespace" with real peers: an aedes broker on a free
 * port and two Node-RED instances (npm start's script, each in its own process and userDir)
 * running the edge tab for two assets on two lines. Box A replays FEMTO Bearing1_1 and hosts
 * the site overview; box B gets its vibration as a sensor gateway would send it, raw
 * waveforms over MQTT into pdm-ingest. A plain MQTT client checks the topics and payloads,
 * and the broker is stopped for a few seconds while box A keeps producing.
 */
import { strict as assert } from "node:assert";
import * as path from "node:path";
import { MqttClient, connectAsync } from "mqtt";
import { startBroker, DemoBroker } from "../../scripts/demo-mqtt-broker";
import { mqttUnifiedNamespace } from "../../scripts/flows/mqtt-uns";
import { checkAnomalyMessage, checkFeaturesMessage, checkRulMessage } from "../../nodes/shared/contract";
import { femtoReplay } from "../../nodes/ingest/replay";
import { Demo, startDemo } from "../helpers/demo";
import { freePort } from "../helpers/net";
import { repoRoot } from "../helpers/runtime";
import { eventually } from "../helpers/eventually";

type FlowNode = Record<string, unknown> & { id: string; type: string };
type Payload = Record<string, unknown>;

interface Received {
  topic: string;
  payload: Payload;
  retain: boolean;
}

interface Box {
  area: string;
  line: string;
  asset: string;
}

const SITE_PATH = "acme/lyon";
const boxA: Box = { area: "machining", line: "line-1", asset: "spindle-1" };
const boxB: Box = { area: "assembly", line: "line-2", asset: "spindle-2" };
const assetPath = (box: Box) => `${SITE_PATH}/${box.area}/${box.line}/${box.asset}`;

/**
 * The reference flow as a box runs it: its place in the namespace and the test broker in the
 * tab settings; box A replays at 6000× (a FEMTO snapshot every 0.1 s), box B has the replay
 * disabled (its data comes over MQTT) and the overview tab too.
 */
function boxFlow(box: Box, port: number, role: "replay+overview" | "gateway"): FlowNode[] {
  const settings: Record<string, string> = { UNS_AREA: box.area, UNS_LINE: box.line, UNS_ASSET: box.asset, UNS_BROKER_PORT: String(port) };
  return mqttUnifiedNamespace().map((n) => {
    if (n.type === "tab") {
      const env = (n.env as Array<{ name: string; value: string; type: string }>).map((e) => ({ ...e, value: settings[e.name] ?? e.value }));
      return { ...n, env, disabled: n.id === "tab-uns-site" && role === "gateway" };
    }
    if (n.id === "uns-replay") return role === "gateway" ? { ...n, d: true } : { ...n, speed: 6000 };
    return n;
  });
}

/** A client that records every message under the site's condition topics. */
async function subscriber(port: number, clientId: string): Promise<{ client: MqttClient; received: Received[] }> {
  const client = await connectAsync(`mqtt://127.0.0.1:${port}`, { clientId, reconnectPeriod: 0 });
  const received: Received[] = [];
  client.on("message", (topic, payload, packet) => received.push({ topic, payload: JSON.parse(payload.toString()) as Payload, retain: packet.retain }));
  await client.subscribeAsync(`${SITE_PATH}/+/+/+/condition/#`, { qos: 1 });
  return { client, received };
}

/** The edge-box messages a broker received, with the sequence number of each. */
function recordPublishes(broker: DemoBroker, into: Array<{ topic: string; seq: number; producedAt: number }>): void {
  broker.aedes.on("publish", (packet, client) => {
    if (!client || !packet.topic.includes("/condition/")) return;
    const payload = JSON.parse(packet.payload.toString()) as Payload;
    into.push({ topic: packet.topic, seq: payload.seq as number, producedAt: Date.parse(payload.producedAt as string) });
  });
}

/** Sequence numbers of one box as they arrived, duplicates (QoS 1 redelivery) dropped. */
function sequenceOf(box: Box, published: Array<{ topic: string; seq: number }>): number[] {
  const seen = new Set<number>();
  return published.filter((p) => p.topic.startsWith(`${assetPath(box)}/`) && !seen.has(p.seq) && seen.add(p.seq)).map((p) => p.seq);
}

describe("reference flow: MQTT / Unified Namespace on two Node-RED instances", function () {
  this.timeout(150_000);
  let port: number;
  let broker: DemoBroker;
  let live: { client: MqttClient; received: Received[] };
  const published: Array<{ topic: string; seq: number; producedAt: number }> = [];
  const subscriptions: string[] = [];
  let a: Demo;
  let b: Demo;

  before(async () => {
    port = await freePort();
    broker = await startBroker({ port });
    recordPublishes(broker, published);
    broker.aedes.on("subscribe", (subs) => subscriptions.push(...subs.map((s) => s.topic)));
    live = await subscriber(port, "test-live");
    [a, b] = await Promise.all([startDemo({ seedFlows: boxFlow(boxA, port, "replay+overview") }), startDemo({ seedFlows: boxFlow(boxB, port, "gateway") })]);
  });

  after(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await live?.client.endAsync(true);
    await broker?.stop();
  });

  it("deploys on both boxes with every node type known and no error", async () => {
    for (const [box, demo, tabs] of [[boxA, a, 2], [boxB, b, 1]] as const) {
      const flows = (await (await fetch(`${demo.url}/flows`, { headers: { Accept: "application/json" } })).json()) as FlowNode[];
      assert.equal(flows.length, mqttUnifiedNamespace().length, box.asset);
      assert.equal(flows.filter((n) => n.type === "tab" && !n.disabled).length, tabs);
      assert.doesNotMatch(demo.log(), /missing types|Waiting for missing|\[error\]/, box.asset);
    }
  });

  it("publishes features, anomaly state, alarm events and RUL of both boxes under their UNS topics", async () => {
    // Box B: a gateway publishes the FEMTO snapshots as raw waveforms, each stamped with its recording time.
    await eventually("box B subscribed to its raw topics", () => (subscriptions.includes(`${assetPath(boxB)}/raw/#`) ? true : undefined));
    const recording = femtoReplay(path.join(repoRoot, "data", "femto", "Bearing1_1"));
    const start = Date.now() - recording.atS(recording.length - 1) * 1000;
    const gateway = await connectAsync(`mqtt://127.0.0.1:${port}`, { clientId: "test-gateway", reconnectPeriod: 0 });
    for (let i = 0; i < recording.length; i++) {
      const step = recording.step(i);
      for (const block of step.blocks) {
        await gateway.publishAsync(`${assetPath(boxB)}/raw/${block.sensor}`, JSON.stringify({ t: start + step.atS * 1000, samples: block.values }), { qos: 1 });
      }
    }
    await gateway.endAsync();

    for (const box of [boxA, boxB]) {
      const prefix = `${assetPath(box)}/condition/`;
      const first = (suffix: string, where: (p: Payload) => boolean = () => true) =>
        eventually(`${prefix}${suffix}`, () => live.received.find((m) => m.topic === prefix + suffix && where(m.payload)));
      const features = await first("features/acc_h");
      const anomaly = await first("anomaly/acc_v");
      const raised = await first("alarm", (p) => p.event === "raised");
      const rul = await first("rul");
      for (const m of [features, anomaly, raised, rul]) {
        assert.equal(m.payload.asset, box.asset);
        assert.equal(m.payload.time, new Date(m.payload.t0 as number).toISOString());
        assert.ok(Number.isInteger(m.payload.seq) && (m.payload.seq as number) >= 1);
        assert.ok(Date.parse(m.payload.producedAt as string) > Date.now() - 120_000);
      }
      const f = checkFeaturesMessage(features.payload, "features");
      assert.deepEqual([f.sensor, f.fs, f.n], ["acc_h", 25_600, 2560]);
      const units = features.payload.units as Record<string, string>;
      assert.deepEqual([units.rms, units.kurtosis, units.dominant_frequency], ["g", "1", "Hz"]);
      checkAnomalyMessage(anomaly.payload, "anomaly");
      assert.equal(anomaly.payload.sensor, "acc_v");
      const alarm = checkAnomalyMessage(raised.payload, "alarm");
      assert.equal(alarm.anomaly, true);
      assert.notEqual(alarm.severity, "none");
      const estimate = checkRulMessage(rul.payload, "rul");
      assert.deepEqual([estimate.unit, estimate.method], ["h", "exponential-degradation"]);
      assert.ok(estimate.lower <= estimate.rul && estimate.rul <= estimate.upper);
    }
    assert.ok(live.received.every((m) => m.topic.startsWith(`${assetPath(boxA)}/`) || m.topic.startsWith(`${assetPath(boxB)}/`)));
  });

  it("keeps the state topics retained and the alarm events not", async () => {
    const late = await subscriber(port, "test-late");
    await new Promise((resolve) => setTimeout(resolve, 500));
    await late.client.endAsync();
    const retained = new Set(late.received.filter((m) => m.retain).map((m) => m.topic));
    for (const box of [boxA, boxB]) {
      for (const suffix of ["features/acc_h", "features/acc_v", "anomaly/acc_h", "anomaly/acc_v", "rul"]) {
        assert.ok(retained.has(`${assetPath(box)}/condition/${suffix}`), `${box.asset} ${suffix} retained`);
      }
    }
    assert.ok(![...retained].some((topic) => topic.endsWith("/alarm")), "alarm events are not retained");
  });

  it("shows both assets with alarm and RUL in the site overview of box A", async () => {
    const assets = await eventually("both assets in GET /uns/site", async () => {
      const list = (await (await fetch(`${a.url}/uns/site`)).json()) as Array<Payload & { asset: string }>;
      return list.length === 2 && list.every((x) => x.rul && x.lastAlarm) ? list : undefined;
    });
    assert.deepEqual(assets.map((x) => [x.area, x.line, x.asset]).sort(), [[boxB.area, boxB.line, boxB.asset], [boxA.area, boxA.line, boxA.asset]]);
    assert.deepEqual(Object.keys(assets.find((x) => x.asset === boxB.asset)?.sensors as Payload).sort(), ["acc_h", "acc_v"]);
  });

  it("loses nothing and keeps the order through a broker outage (pdm-buffer)", async () => {
    await live.client.endAsync(true);
    const stoppedAt = Date.now();
    await broker.stop();
    await new Promise((resolve) => setTimeout(resolve, 4000));
    const restartedAt = Date.now();
    broker = await startBroker({ port });
    recordPublishes(broker, published);
    // Node-RED retries every 5 s; the buffer replays first, so a message produced after the
    // reconnection arriving means everything stored before it has arrived.
    const reconnected = await eventually("box A back on the broker", () => published.find((p) => p.producedAt > restartedAt)?.producedAt, 30_000);
    await eventually("box A live after the replay", () => published.find((p) => p.topic.startsWith(assetPath(boxA)) && p.producedAt > reconnected + 500), 30_000);

    const during = published.filter((p) => p.topic.startsWith(assetPath(boxA)) && p.producedAt > stoppedAt + 100 && p.producedAt < restartedAt);
    assert.ok(during.length >= 10, `box A produced ${during.length} messages during the outage`);
    for (const box of [boxA, boxB]) {
      const seq = sequenceOf(box, published);
      assert.deepEqual(seq, Array.from({ length: seq.length }, (_, i) => i + 1), `${box.asset}: every message from 1 to ${seq.length}, in order`);
    }
    assert.doesNotMatch(a.log(), /\[error\]/);
  });
});
