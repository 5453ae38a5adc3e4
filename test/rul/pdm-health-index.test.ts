import { strict as assert } from "node:assert";
import * as path from "node:path";
import type { NodeMessage } from "node-red";
import { femtoReplay } from "../../nodes/ingest/replay";
import { FeatureExtractor } from "../../nodes/features/extractor";
import { checkHealthIndexMessage } from "../../nodes/shared/contract";
import type { FeatureRanking } from "../../nodes/rul/health-index-service";
import { buildNodes, collect, errorOf, helper, nodeModule, onTab, settle } from "../helpers/runtime";
import { femtoDir } from "./fixtures";

const healthNode = nodeModule(path.join(buildNodes, "rul", "pdm-health-index.js"));

let flowCount = 0;
function flow(options: Record<string, unknown>) {
  const id = `hi${++flowCount}`;
  return {
    id,
    nodes: onTab([
      { id, type: "pdm-health-index", name: "", features: "acc_h.rms, acc_v.rms", baselineCount: 10, failureValues: "acc_h.rms=1.85, acc_v.rms=3.18", failureSigma: 10, weights: "", wires: [["out"], ["ranking"]], ...options },
      { id: "out", type: "helper" },
      { id: "ranking", type: "helper" },
      { id: "caught", type: "helper" },
      { id: "catcher", type: "catch", scope: [id], uncaught: false, wires: [["caught"]] },
    ]),
  };
}

/** FEMTO snapshots as pdm-features would send them: one features message per sensor. */
function femtoFeatureMessages(bearing: string): Array<{ payload: Record<string, unknown> }> {
  const replay = femtoReplay(path.join(femtoDir, bearing));
  const extractor = new FeatureExtractor({});
  const messages = [];
  for (let i = 0; i < replay.length; i++) {
    const step = replay.step(i);
    for (const block of step.blocks) {
      const result = extractor.compute(block.values, block.fs);
      messages.push({ payload: { asset: bearing, sensor: block.sensor, t0: 1_325_376_000_000 + step.atS * 1000, fs: result.fs, n: result.n, features: result.features } });
    }
  }
  return messages;
}

describe("pdm-health-index node", () => {
  afterEach(() => helper.unload());

  it("FEMTO Bearing1_1: one index per snapshot after the baseline, near 100 early and near 0 at failure", async () => {
    const { id, nodes } = flow({});
    await helper.load(healthNode, nodes);
    const messages = femtoFeatureMessages("Bearing1_1");
    const out = collect(helper.getNode("out"), messages.length / 2 - 10 + 1);
    for (const msg of messages) helper.getNode(id).receive(msg);
    const received = (await out).map((m: NodeMessage) => checkHealthIndexMessage(m.payload, "msg.payload"));
    assert.ok(received[0].healthIndex > 90, `first ${received[0].healthIndex}`);
    assert.equal(received[received.length - 1].healthIndex, 0);
    assert.deepEqual(Object.keys(received[0].features), ["acc_h.rms", "acc_v.rms"]);
  });

  it("ranks features over the runs to failure it has seen (topic failed)", async () => {
    const { id, nodes } = flow({ features: "rms", failureValues: "" });
    await helper.load(healthNode, nodes);
    const node = helper.getNode(id);
    const ranking = collect(helper.getNode("ranking"), 2);
    for (const bearing of ["Bearing1_1", "Bearing1_2"]) {
      for (const msg of femtoFeatureMessages(bearing)) node.receive({ payload: { ...msg.payload, asset: "bearing" } });
      node.receive({ topic: "failed", payload: { asset: "bearing" } });
    }
    const [first, second] = (await ranking).map((m) => m.payload as FeatureRanking);
    assert.equal(first.runs, 1);
    assert.equal(first.features[0].trendability, undefined);
    assert.equal(second.runs, 2);
    const rms = second.features.find((f) => f.feature === "acc_h.rms");
    const zeroCrossings = second.features.find((f) => f.feature === "acc_h.zero_crossing_rate");
    assert.ok(rms && zeroCrossings);
    assert.ok((rms.prognosability ?? 0) > 0 && (rms.trendability ?? 0) > 0);
    assert.ok(second.features.indexOf(rms) < second.features.indexOf(zeroCrossings), "RMS ranks above the zero-crossing rate");
  });

  it("reports a NaN feature and a missing asset to Catch; a reset relearns the baseline", async () => {
    const { id, nodes } = flow({ features: "rms", failureValues: "", baselineCount: 2 });
    await helper.load(healthNode, nodes);
    const node = helper.getNode(id);
    const caught = collect(helper.getNode("caught"), 2);
    node.receive({ payload: { asset: "p", t0: 0, features: { rms: NaN } } });
    node.receive({ topic: "rank", payload: {} });
    const [nan, noAsset] = await caught;
    assert.equal(errorOf(nan).message, "ValidationError: msg.payload.features.rms: expected a finite number, got NaN");
    assert.match(errorOf(noAsset).message, /msg\.payload\.asset: expected the asset/);
    const out = settle(helper.getNode("out"), 300);
    node.receive({ payload: { asset: "p", t0: 0, features: { rms: 1 } } });
    node.receive({ payload: { asset: "p", t0: 1, features: { rms: 1.2 } } });
    node.receive({ topic: "reset", payload: { asset: "p" } });
    node.receive({ payload: { asset: "p", t0: 2, features: { rms: 5 } } });
    // Baseline of 2 learnt from the first two; after the reset one observation is not a baseline yet.
    assert.equal((await out).length, 1);
  });
});
