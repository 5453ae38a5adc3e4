import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { checkAnomalyMessage } from "../../nodes/shared/contract";
import type { AnomalyPayload, LearnedReport } from "../../nodes/anomaly/detector";
import { buildNodes, collect, errorOf, helper, nodeModule, onTab, settle, testUserDir } from "../helpers/runtime";
import { cwruWindows } from "./windows";

const anomalyNode = nodeModule(path.join(buildNodes, "anomaly", "pdm-anomaly.js"));
const assetNode = nodeModule(path.join(buildNodes, "config", "pdm-asset.js"));

const healthy = cwruWindows("normal", { size: 1024, hop: 128, part: [0, 0.5] });
const heldOut = cwruWindows("normal", { size: 1024, hop: 256, part: [0.55, 1] }).slice(0, 20);
const fault = cwruWindows("inner_race", { size: 1024, hop: 1024 }).slice(0, 10);

function flow(id: string, options: Record<string, unknown> = {}) {
  return onTab([
    { id: "asset", type: "pdm-asset", assetId: "cwru-rig", criticality: "high" },
    { id, type: "pdm-anomaly", name: "", asset: "asset", learning: "windows", learnWindows: 40, wires: [["scores"], ["events"]], ...options },
    { id: "scores", type: "helper" },
    { id: "events", type: "helper" },
    { id: "caught", type: "helper" },
    { id: "catcher", type: "catch", scope: [id], uncaught: false, wires: [["caught"]] },
  ]);
}

const payloadOf = <T>(msg: unknown) => (msg as { payload: T }).payload;
const folderOf = (id: string) => path.join(testUserDir, "pdm", "anomaly", id);

describe("pdm-anomaly node", () => {
  afterEach(() => helper.unload());

  it("learns the first N windows, announces the baseline, then scores with reasons and raises an alarm on a fault", async () => {
    await helper.load([assetNode, anomalyNode], flow("detect-a"));
    const detect = helper.getNode("detect-a");
    const learned = collect(helper.getNode("events"), 1);
    const scores = collect(helper.getNode("scores"), heldOut.length + fault.length);
    for (const window of healthy.slice(0, 40)) detect.receive({ payload: window });
    const report = payloadOf<LearnedReport>((await learned)[0]);
    assert.equal(report.windows, 40);
    assert.equal(report.featureNames.length, 18);
    for (const window of [...heldOut, ...fault]) detect.receive({ payload: window });
    const results = (await scores).map((msg) => payloadOf<AnomalyPayload>(msg));
    for (const result of results) checkAnomalyMessage(result, "msg.payload");
    assert.equal(results.slice(0, heldOut.length).filter((r) => r.anomaly).length, 0, "no alarm on held-out healthy windows");
    const alarms = results.slice(heldOut.length).filter((r) => r.anomaly);
    assert.ok(alarms.length >= fault.length - 2, `alarm on ${alarms.length} of ${fault.length} fault windows`);
    assert.ok(alarms[0].contributions[0].share > 0 && alarms[0].contributions.length === 18);
  });

  it("keeps its baseline over a restart: the first window after it is scored, not learned", async () => {
    await helper.load([assetNode, anomalyNode], flow("detect-b"));
    const learned = collect(helper.getNode("events"), 1);
    for (const window of healthy.slice(0, 40)) helper.getNode("detect-b").receive({ payload: window });
    await learned;
    await helper.unload();
    assert.ok(fs.existsSync(path.join(folderOf("detect-b"), "cwru-rig~de.json")));
    await helper.load([assetNode, anomalyNode], flow("detect-b"));
    const scored = collect(helper.getNode("scores"), 1);
    helper.getNode("detect-b").receive({ payload: fault[0] });
    const [msg] = await scored;
    assert.ok(payloadOf<AnomalyPayload>(msg).above, "the fault window is above the reloaded threshold");
  });

  it("reports bad input to a Catch node and keeps scoring other assets", async () => {
    await helper.load([assetNode, anomalyNode], flow("detect-c", { learning: "command" }));
    const detect = helper.getNode("detect-c");
    const caught = collect(helper.getNode("caught"), 3);
    detect.receive({ payload: { ...heldOut[0], asset: "pump-2" } });
    detect.receive({ topic: "learn", payload: { asset: "cwru-rig", sensor: "de" } });
    for (const window of healthy.slice(0, 30)) detect.receive({ payload: window });
    const learned = collect(helper.getNode("events"), 1);
    detect.receive({ topic: "freeze" });
    await learned;
    const { rms: _missing, ...withoutRms } = heldOut[0].features;
    detect.receive({ payload: { ...heldOut[0], features: withoutRms } });
    detect.receive({ payload: { ...heldOut[0], features: { ...heldOut[0].features, kurtosis: NaN } } });
    const scores = collect(helper.getNode("scores"), 1);
    detect.receive({ payload: heldOut[1] });
    const messages = (await caught).map((msg) => errorOf(msg).message);
    assert.match(messages[0], /^Error: pump-2\/de: no baseline yet: send msg.topic "learn"/);
    assert.equal(messages[1], "ValidationError: msg.payload.features.rms: expected a finite number (the baseline of cwru-rig/de has this feature), got nothing (missing)");
    assert.equal(messages[2], "ValidationError: msg.payload.features.kurtosis: expected a finite number, got NaN");
    assert.equal(payloadOf<AnomalyPayload>((await scores)[0]).asset, "cwru-rig");
  });

  it("moves a corrupt saved model aside, learns that asset anew and loads the others", async () => {
    await helper.load([assetNode, anomalyNode], flow("detect-d"));
    const learned = collect(helper.getNode("events"), 1);
    for (const window of healthy.slice(0, 40)) helper.getNode("detect-d").receive({ payload: window });
    await learned;
    await helper.unload();
    const folder = folderOf("detect-d");
    fs.writeFileSync(path.join(folder, "pump-9~de.json"), '{"format":"pdm-anomaly-state", "version": 1, "asset": "pump-9", "sens');
    await helper.load([assetNode, anomalyNode], flow("detect-d"));
    assert.ok(fs.existsSync(path.join(folder, "pump-9~de.json.corrupt")));
    const scores = collect(helper.getNode("scores"), 1);
    const more = settle(helper.getNode("scores"), 300);
    helper.getNode("detect-d").receive({ payload: { ...heldOut[0], asset: "pump-9" } });
    helper.getNode("detect-d").receive({ payload: heldOut[0] });
    const [msg] = await scores;
    assert.equal(payloadOf<AnomalyPayload>(msg).asset, "cwru-rig", "the intact asset scores at once");
    assert.equal((await more).length, 1, "pump-9 learns anew and sends no score");
  });

  it("exports a baseline and imports it into another node, which then scores the same", async () => {
    await helper.load([assetNode, anomalyNode], flow("detect-e"));
    const learned = collect(helper.getNode("events"), 1);
    for (const window of healthy.slice(0, 40)) helper.getNode("detect-e").receive({ payload: window });
    await learned;
    const exported = collect(helper.getNode("events"), 1);
    helper.getNode("detect-e").receive({ topic: "export", payload: { asset: "cwru-rig" } });
    const baseline = payloadOf<Record<string, unknown>>((await exported)[0]);
    const original = collect(helper.getNode("scores"), 1);
    helper.getNode("detect-e").receive({ payload: fault[3] });
    const expected = payloadOf<AnomalyPayload>((await original)[0]).score;
    await helper.unload();

    await helper.load([assetNode, anomalyNode], flow("detect-f", { learning: "command" }));
    const imported = collect(helper.getNode("events"), 1);
    helper.getNode("detect-f").receive({ topic: "import", payload: JSON.parse(JSON.stringify(baseline)) });
    assert.equal(payloadOf<LearnedReport>((await imported)[0]).windows, 40);
    const scored = collect(helper.getNode("scores"), 1);
    helper.getNode("detect-f").receive({ payload: fault[3] });
    assert.equal(payloadOf<AnomalyPayload>((await scored)[0]).score, expected);
  });

  it("shows learning progress in its status and learns anew on rebaseline", async () => {
    await helper.load([assetNode, anomalyNode], flow("detect-g"));
    const detect = helper.getNode("detect-g");
    const statuses: string[] = [];
    const setStatus = detect.status.bind(detect);
    detect.status = (s: { text?: string }) => {
      statuses.push(s.text ?? "");
      return setStatus(s);
    };
    const first = collect(helper.getNode("events"), 1);
    for (const window of healthy.slice(0, 40)) detect.receive({ payload: window });
    await first;
    assert.ok(statuses.includes("cwru-rig/de learning 50 %"), statuses.slice(18, 22).join(" | "));
    assert.equal(statuses.at(-1), "cwru-rig/de learned");
    detect.receive({ topic: "rebaseline", payload: { asset: "cwru-rig" } });
    const second = collect(helper.getNode("events"), 1);
    const quiet = settle(helper.getNode("scores"), 300);
    for (const window of healthy.slice(40, 80)) detect.receive({ payload: window });
    const [event] = await second;
    assert.equal((event as { topic: string }).topic, "learned");
    assert.equal(payloadOf<LearnedReport>(event).windows, 40);
    assert.equal((await quiet).length, 0, "nothing is scored while learning");
  });

  it("sends a drift event on output 2 when healthy windows slowly shift", async () => {
    await helper.load([assetNode, anomalyNode], flow("detect-h"));
    const detect = helper.getNode("detect-h");
    const learned = collect(helper.getNode("events"), 1);
    for (const window of healthy.slice(0, 40)) detect.receive({ payload: window });
    await learned;
    const drift = collect(helper.getNode("events"), 1);
    // The learned windows again, with RMS, peak and std creeping up by 0.1 % per window.
    const later = healthy.slice(0, 40);
    for (let i = 0; i < 400; i++) {
      const base = later[i % later.length];
      const gain = 1 + 0.001 * i;
      const features = Object.fromEntries(Object.entries(base.features).map(([k, v]) => [k, ["rms", "peak", "std"].includes(k) ? v * gain : v]));
      detect.receive({ payload: { ...base, t0: base.t0 + i, features } });
    }
    const [event] = await drift;
    assert.equal((event as { topic: string }).topic, "drift");
    const report = payloadOf<{ asset: string; features: Array<{ feature: string; direction: string }> }>(event);
    assert.equal(report.asset, "cwru-rig");
    assert.ok(report.features.some((f) => ["rms", "peak", "std"].includes(f.feature) && f.direction === "up"), JSON.stringify(report.features));
  });
});
