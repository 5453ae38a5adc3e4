import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { NodeMessage } from "node-red";
import { checkRulMessage, RulMessage } from "../../nodes/shared/contract";
import { readCmapss } from "../../nodes/rul/cmapss";
import { buildNodes, collect, errorOf, helper, nodeModule, onTab, settle } from "../helpers/runtime";
import { cmapssDir, failureValues, fd001Train, healthTrajectory } from "./fixtures";

const rulNode = nodeModule(path.join(buildNodes, "rul", "pdm-rul.js"));

let flowCount = 0;
/** A pdm-rul node wired to out (RUL), notices, and Catch/Complete; a fresh node id per flow so no saved state carries over. */
function flow(options: Record<string, unknown>) {
  const id = `rul${++flowCount}`;
  return {
    id,
    nodes: onTab([
      { id, type: "pdm-rul", name: "", method: "exponential-degradation", unit: "cycles", hoursPerCycle: 1, signal: "healthIndex", threshold: 0, phi: "", minObservations: 5, slopeDetectionLevel: 0.05, forgetting: 0.95, repairFraction: 0.2, neighbours: 5, library: "", model: "", backend: "auto", wires: [["out"], ["notices"]], ...options },
      { id: "out", type: "helper" },
      { id: "notices", type: "helper" },
      { id: "caught", type: "helper" },
      { id: "catcher", type: "catch", scope: [id], uncaught: false, wires: [["caught"]] },
      { id: "completer", type: "complete", scope: [id], uncaught: false, wires: [["completed"]] },
      { id: "completed", type: "helper" },
    ]),
  };
}

const payloadOf = (msg: NodeMessage) => msg.payload as RulMessage;

/** Every message arriving at a helper node from now on. */
function record(id: string): NodeMessage[] {
  const received: NodeMessage[] = [];
  helper.getNode(id).on("input", (msg: NodeMessage) => received.push(msg));
  return received;
}

/** Send messages to a node and wait until it has finished every one (Complete node). */
async function feed(id: string, messages: Array<Record<string, unknown>>): Promise<void> {
  const completed = collect(helper.getNode("completed"), messages.length, 30_000);
  for (const msg of messages) helper.getNode(id).receive(msg);
  await completed;
}

describe("pdm-rul node", () => {
  afterEach(() => helper.unload());

  it("ONNX method: a C-MAPSS test engine cycle by cycle gives valid RUL messages in cycles", async () => {
    const { id, nodes } = flow({ method: "onnx" });
    await helper.load(rulNode, nodes);
    const engine = readCmapss(path.join(cmapssDir, "test_FD001.txt.gz"))[0];
    const out = collect(helper.getNode("out"), engine.cycles.length);
    const completed = collect(helper.getNode("completed"), engine.cycles.length);
    for (const record of engine.cycles) helper.getNode(id).receive({ payload: { asset: "engine-1", t0: 1_700_000_000_000 + record.cycle * 3_600_000, features: record } });
    const messages = await out;
    await completed;
    for (const msg of messages) checkRulMessage(msg.payload, "msg.payload");
    const last = payloadOf(messages[messages.length - 1]);
    assert.equal(last.unit, "cycles");
    assert.equal(last.method, "onnx:cmapss-fd001");
    // True RUL of test engine 1 is 112 cycles.
    assert.ok(Math.abs(last.rul - 112) < 30, `rul ${last.rul}`);
    assert.equal((messages[0] as NodeMessage & { rul: { detail: { backend: string } } }).rul.detail.backend, "onnxruntime-node");
  });

  it("ONNX method on WebAssembly (onnxruntime-web) when chosen, and the message says which runtime", async () => {
    const { id, nodes } = flow({ method: "onnx", backend: "web" });
    await helper.load(rulNode, nodes);
    const engine = readCmapss(path.join(cmapssDir, "test_FD001.txt.gz"))[0];
    const out = collect(helper.getNode("out"), 1);
    helper.getNode(id).receive({ payload: { asset: "engine-1", t0: 0, features: engine.cycles[0] } });
    const [msg] = await out;
    assert.equal((msg as NodeMessage & { rul: { detail: { backend: string } } }).rul.detail.backend, "onnxruntime-web");
  });

  it("degradation: says why there is no number yet on the notices output, sends none on the RUL output", async () => {
    const { id, nodes } = flow({});
    await helper.load(rulNode, nodes);
    const notices = collect(helper.getNode("notices"), 3);
    const out = settle(helper.getNode("out"), 300);
    for (let cycle = 1; cycle <= 3; cycle++) helper.getNode(id).receive({ payload: { asset: "pump-1", t0: 0, cycle, healthIndex: 100 - cycle } });
    const received = await notices;
    assert.deepEqual(received.map((m) => m.topic), ["no-estimate", "no-estimate", "no-estimate"]);
    assert.match((received[2].payload as { reason: string }).reason, /3 of 5 observations needed/);
    assert.equal((await out).length, 0);
  });

  it("degradation on a C-MAPSS engine's health index: RUL with interval; a repair restarts the run", async () => {
    const engines = fd001Train();
    const trajectory = healthTrajectory(engines[0], failureValues(engines.slice(1)));
    const { id, nodes } = flow({});
    await helper.load(rulNode, nodes);
    const n = trajectory.t.length;
    const out = record("out");
    const notices = record("notices");
    const run = trajectory.t.map((cycle, i) => ({ payload: { asset: "engine-1", t0: 0, cycle, healthIndex: trajectory.values[i] } }));
    // After the overhaul the health index is back near 100.
    await feed(id, [...run, { payload: { asset: "engine-1", t0: 0, cycle: trajectory.t[n - 1] + 1, healthIndex: 99 } }]);
    const estimates = out.map(payloadOf);
    assert.ok(estimates.length > 20, `${estimates.length} estimates`);
    for (const rul of estimates) checkRulMessage(rul, "msg.payload");
    const lastBeforeRepair = estimates[estimates.length - 1];
    assert.ok(lastBeforeRepair.rul < 20 && lastBeforeRepair.healthIndex < 30, JSON.stringify(lastBeforeRepair));
    assert.equal(notices.filter((m) => m.topic === "repair").length, 1);
    assert.match((notices[notices.length - 1].payload as { reason: string }).reason, /1 of 5 observations/);
  });

  it("similarity: failures recorded in the node build the library it predicts from", async () => {
    const engines = fd001Train();
    const failure = failureValues(engines);
    const library = engines.slice(0, 10).map((e) => healthTrajectory(e, failure));
    const { id, nodes } = flow({ method: "similarity" });
    await helper.load(rulNode, nodes);
    const notices = record("notices");
    const out = record("out");
    for (const history of library.slice(0, 2)) {
      const run = history.t.map((cycle, i) => ({ payload: { asset: "engine", t0: 0, cycle, healthIndex: history.values[i] } }));
      await feed(id, [...run, { topic: "failed", payload: { asset: "engine" } }]);
    }
    assert.deepEqual(notices.filter((m) => m.topic === "library").map((m) => (m.payload as { library: number }).library), [1, 2]);
    assert.equal(out.length, 0, "no estimate from a library of fewer than 2 histories");
    await feed(id, [{ topic: "library", payload: library.slice(2) }]);
    const test = healthTrajectory(engines[50], failure);
    const cut = Math.round(test.t.length * 0.7);
    await feed(id, test.t.slice(0, cut).map((cycle, i) => ({ payload: { asset: "engine-51", t0: 0, cycle, healthIndex: test.values[i] } })));
    assert.equal(out.length, cut - 4, "an estimate from the 5th observation on");
    const messages = out.slice(-1);
    const rul = payloadOf(messages[0]);
    checkRulMessage(rul, "msg.payload");
    assert.equal(rul.method, "similarity");
    const detail = (messages[0] as NodeMessage & { rul: { detail: { library: number; matches: unknown[] } } }).rul.detail;
    assert.equal(detail.library, 10);
    assert.equal(detail.matches.length, 5);
  });

  it("degradation with the prior from a library file: an estimate early in life, where the vague prior has none yet", async () => {
    const engines = fd001Train();
    const failure = failureValues(engines.slice(0, 30));
    const libraryFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "pdm-rul-library-")), "library.json");
    fs.writeFileSync(libraryFile, JSON.stringify(engines.slice(0, 30).map((e) => healthTrajectory(e, failure))));
    // Engine 52 at 30 % of its life (measured: the vague prior sees no trend, P(slope <= 0) = 0.21;
    // the library's prior gives 108 cycles, 44-430, for a true 150).
    const test = healthTrajectory(engines[51], failure);
    const early = test.t.filter((cycle) => cycle <= 0.3 * engines[51].cycles.length);
    const lastT0 = early[early.length - 1] * 3_600_000;
    /** What the node says after the last early observation: its RUL message, or its notice. */
    const lastOf = async (options: Record<string, unknown>) => {
      const { id, nodes } = flow(options);
      await helper.load(rulNode, nodes);
      const out = record("out");
      const notices = record("notices");
      await feed(id, early.map((cycle, i) => ({ payload: { asset: "engine-52", t0: cycle * 3_600_000, cycle, healthIndex: test.values[i] } })));
      await helper.unload();
      return { rul: out.map(payloadOf).find((m) => m.t0 === lastT0), notice: notices.map((m) => m.payload as { t0: number; reason: string }).find((m) => m.t0 === lastT0) };
    };
    const vague = await lastOf({});
    assert.ok(!vague.rul);
    assert.match(vague.notice?.reason ?? "", /no degradation trend yet/);
    const fromLibrary = await lastOf({ prior: "library", library: libraryFile });
    assert.ok(fromLibrary.rul && !fromLibrary.notice, "an estimate with the library's prior");
    const rul = fromLibrary.rul;
    checkRulMessage(rul, "msg.payload");
    const truth = engines[51].cycles.length - early[early.length - 1];
    assert.ok(rul.lower <= truth && truth <= rul.upper, `true RUL ${truth} in [${rul.lower.toFixed(0)}, ${rul.upper.toFixed(0)}] (estimate ${rul.rul.toFixed(0)})`);
  });

  it("reports an unknown prior on every message, naming the setting", async () => {
    const { id, nodes } = flow({ prior: "guess" });
    await helper.load(rulNode, nodes);
    const caught = collect(helper.getNode("caught"), 1);
    helper.getNode(id).receive({ payload: { asset: "pump-1", t0: 0, healthIndex: 90 } });
    assert.match(errorOf((await caught)[0]).message, /prior: expected one of vague, library, got guess/);
  });

  it("keeps each asset's run across a restart, and forgets it on reset", async () => {
    const { id, nodes } = flow({});
    const observation = (cycle: number) => ({ payload: { asset: "pump-1", t0: 0, cycle, healthIndex: 100 - cycle } });
    await helper.load(rulNode, nodes);
    await feed(id, [observation(1), observation(2), observation(3)]);
    await helper.unload();
    await helper.load(rulNode, nodes);
    const notices = record("notices");
    await feed(id, [observation(4)]);
    assert.match((notices[0].payload as { reason: string }).reason, /^4 of 5 observations/);
    await feed(id, [{ topic: "reset", payload: { asset: "pump-1" } }, observation(5)]);
    assert.match((notices[1].payload as { reason: string }).reason, /^1 of 5 observations/);
  });

  it("reports NaN input and a missing health index to Catch, naming the field", async () => {
    const { id, nodes } = flow({});
    await helper.load(rulNode, nodes);
    const caught = collect(helper.getNode("caught"), 2);
    helper.getNode(id).receive({ payload: { asset: "pump-1", t0: 0, healthIndex: NaN } });
    helper.getNode(id).receive({ payload: { asset: "pump-1", t0: 0, features: { rms: 1 } } });
    const [nan, missing] = await caught;
    assert.equal(errorOf(nan).message, "ValidationError: msg.payload.healthIndex: expected a finite number >= 0 <= 100, got NaN");
    assert.match(errorOf(missing).message, /^Error: msg\.payload\.healthIndex: expected a number 0-100/);
  });

  it("reports a model file that does not match its sidecar at deploy and on every message", async () => {
    const { id, nodes } = flow({ method: "onnx", model: path.join(__dirname, "no-such-sidecar.json") });
    await helper.load(rulNode, nodes);
    const caught = collect(helper.getNode("caught"), 1);
    helper.getNode(id).receive({ payload: { asset: "a", t0: 0, features: { s2: 1 } } });
    const [msg] = await caught;
    assert.match(errorOf(msg).message, /no-such-sidecar\.json: cannot read the sidecar JSON/);
  });
});
