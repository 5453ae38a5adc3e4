import { strict as assert } from "node:assert";
import * as path from "node:path";
import type { Node, NodeMessage } from "node-red";
import { checkAnomalyMessage } from "../../nodes/shared/contract";
import { loadAutoencoder } from "../../nodes/anomaly/autoencoder";
import { AnomalyDetector, type AnomalyPayload, type DetectorOptions, type Outcome } from "../../nodes/anomaly/detector";
import { buildNodes, collect, helper, nodeModule, onTab } from "../helpers/runtime";
import { cwruWindows } from "./windows";

const training = cwruWindows("normal", { size: 1024, hop: 128, part: [0, 0.5] });
const heldOut = cwruWindows("normal", { size: 1024, hop: 128, part: [0.55, 1] });
const innerRace = cwruWindows("inner_race", { size: 1024, hop: 512 }).slice(0, 40);
const ball = cwruWindows("ball", { size: 1024, hop: 512 }).slice(0, 40);

async function learned(options: Partial<DetectorOptions> = {}): Promise<AnomalyDetector> {
  const detector = new AnomalyDetector("cwru-rig", "de", { learning: "command", scorer: "autoencoder", ...options });
  detector.learn();
  for (const message of training) assert.equal((await detector.processAsync(message)).kind, "learning");
  await detector.freezeAsync();
  return detector;
}

function anomalyOf(outcome: Outcome): AnomalyPayload {
  assert.equal(outcome.kind, "scored");
  return (outcome as Extract<Outcome, { kind: "scored" }>).anomaly;
}

async function scores(detector: AnomalyDetector, messages: typeof heldOut): Promise<number[]> {
  const out: number[] = [];
  for (const message of messages) out.push(anomalyOf(await detector.processAsync(message)).score);
  return out;
}

describe("anomaly autoencoder scorer (ONNX) on CWRU windows", () => {
  let nativeScores: number[] = [];

  it("separates held-out healthy windows from inner-race and ball faults, with no alarm on the healthy ones", async () => {
    const detector = await learned();
    const healthy = heldOut.map(() => 0);
    const results: AnomalyPayload[] = [];
    for (const [i, message] of heldOut.entries()) {
      const anomaly = anomalyOf(await detector.processAsync(message));
      healthy[i] = anomaly.score;
      results.push(anomaly);
    }
    assert.equal(results.filter((r) => r.anomaly).length, 0, "no alarm on held-out healthy windows");
    const faults: number[] = [];
    for (const message of [...innerRace, ...ball]) {
      const anomaly = anomalyOf(await detector.processAsync(message));
      checkAnomalyMessage(anomaly, "anomaly");
      assert.equal(anomaly.scorer, "autoencoder");
      faults.push(anomaly.score);
    }
    const highestHealthy = Math.max(...healthy);
    const lowestFault = Math.min(...faults);
    assert.ok(lowestFault > highestHealthy, `lowest fault score ${lowestFault} above highest healthy ${highestHealthy}`);
    assert.ok(lowestFault > (detector.threshold ?? Infinity), `lowest fault score ${lowestFault} above the threshold ${detector.threshold}`);
    nativeScores = [...healthy, ...faults];
  });

  it("uses onnxruntime-node here, and the sync path refuses the async scorer with a clear error", async () => {
    assert.equal((await loadAutoencoder()).session.backend, "onnxruntime-node");
    const detector = new AnomalyDetector("cwru-rig", "de", { learning: "command", scorer: "autoencoder" });
    detector.learn();
    for (const message of training) detector.process(message);
    assert.throws(() => detector.freeze(), /autoencoder scorer is asynchronous/);
  });

  it("gives the same scores within 1e-3 with the onnxruntime-web fallback forced", async () => {
    const model = await loadAutoencoder({ backend: "web" });
    assert.equal(model.session.backend, "onnxruntime-web");
    const detector = await learned({ onnx: { backend: "web" } });
    const web = await scores(detector, [...heldOut, ...innerRace, ...ball]);
    assert.equal(web.length, nativeScores.length);
    const worst = Math.max(...web.map((s, i) => Math.abs(s - nativeScores[i])));
    assert.ok(worst < 1e-3, `largest difference ${worst}`);
  });

  it("restores a saved baseline and scores the same after it", async () => {
    const detector = await learned();
    const restored = AnomalyDetector.fromState(JSON.parse(JSON.stringify(detector.toState())), { learning: "command", scorer: "autoencoder" });
    const sample = [...heldOut.slice(0, 5), ...innerRace.slice(0, 5)];
    assert.deepEqual(await scores(restored, sample), await scores(detector, sample));
  });
});

const anomalyNode = nodeModule(path.join(buildNodes, "anomaly", "pdm-anomaly.js"));

function flow(id: string, options: Record<string, unknown> = {}) {
  return onTab([
    { id, type: "pdm-anomaly", name: "", scorer: "autoencoder", learning: "windows", learnWindows: training.length, wires: [["scores"], ["events"]], ...options },
    { id: "scores", type: "helper" },
    { id: "events", type: "helper" },
  ]);
}

/** The status texts a node shows from now on. */
function statuses(node: Node): string[] {
  const texts: string[] = [];
  const original = node.status.bind(node);
  node.status = ((s: { text?: string }) => {
    texts.push(s.text ?? "");
    return original(s);
  }) as Node["status"];
  return texts;
}

describe("pdm-anomaly node with the autoencoder scorer", () => {
  afterEach(() => helper.unload());

  const stream = [...training, ...heldOut.slice(0, 20), ...innerRace.slice(0, 10)];
  const scoredCount = stream.length - training.length;

  async function run(id: string, options: Record<string, unknown> = {}) {
    await helper.load([anomalyNode], flow(id, options));
    const detect = helper.getNode(id);
    const texts = statuses(detect);
    const learned = collect(helper.getNode("events"), 1);
    const scored = collect(helper.getNode("scores"), scoredCount);
    // All sent at once: the node queues them while onnxruntime works.
    for (const window of stream) detect.receive({ payload: window });
    await learned;
    const results = (await scored).map((msg: NodeMessage) => (msg as { payload: AnomalyPayload }).payload);
    return { results, texts };
  }

  let native: AnomalyPayload[] = [];

  it("learns, then sends valid anomaly messages in the order the windows came, with an alarm on the fault", async () => {
    const { results, texts } = await run("ae-node");
    for (const result of results) checkAnomalyMessage(result, "msg.payload");
    assert.deepEqual(
      results.map((r) => r.t0),
      stream.slice(training.length).map((m) => m.t0),
      "windows leave in the order they came",
    );
    assert.equal(results.slice(0, 20).filter((r) => r.anomaly).length, 0, "no alarm on held-out healthy windows");
    assert.ok(results.slice(20).filter((r) => r.anomaly).length >= 8, "alarm on the inner-race windows");
    assert.ok(texts.some((t) => t.includes("onnx: node")), `status names the backend: ${texts.slice(-3).join(" | ")}`);
    native = results;
  });

  it("with onnxruntime-web forced: the status says fallback, the scores are the same within 1e-3", async () => {
    const { results, texts } = await run("ae-node-web", { backend: "web" });
    assert.ok(texts.some((t) => t.includes("onnx: web (fallback)")), `status says fallback: ${texts.slice(-3).join(" | ")}`);
    assert.equal(results.length, native.length);
    results.forEach((r, i) => {
      assert.equal(r.t0, native[i].t0);
      assert.ok(Math.abs(r.score - native[i].score) < 1e-3, `window ${i}: ${r.score} vs ${native[i].score}`);
      assert.equal(r.anomaly, native[i].anomaly);
    });
  });
});
