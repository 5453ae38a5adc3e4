import { strict as assert } from "node:assert";
import * as path from "node:path";
import { checkOeeReport } from "../../nodes/erp/oee";
import { buildNodes, collect, errorOf, helper, nodeModule, onTab } from "../helpers/runtime";

const oeeNode = nodeModule(path.join(buildNodes, "erp", "pdm-oee.js"));
const H = 3_600_000;

function flow() {
  return onTab([
    { id: "oee", type: "pdm-oee", idealCycleS: 60, reportEveryMin: 0, wires: [["out"]] },
    { id: "out", type: "helper" },
    { id: "caught", type: "helper" },
    { id: "catcher", type: "catch", scope: ["oee"], uncaught: false, wires: [["caught"]] },
  ]);
}

describe("pdm-oee node", () => {
  afterEach(() => helper.unload());

  it("reports OEE, MTBF and MTTR of a shift from states and counts", async () => {
    await helper.load(oeeNode, flow());
    const oee = helper.getNode("oee");
    const out = collect(helper.getNode("out"), 1);
    const state = (ts: number, s: string) => oee.receive({ payload: { asset: "press-1", ts, state: s } });
    state(0, "running");
    state(2 * H, "down");
    state(2.5 * H, "running");
    oee.receive({ payload: { asset: "press-1", ts: 3 * H, produced: 150, scrap: 10 } });
    oee.receive({ payload: { asset: "press-1", ts: 4 * H, produced: 40 } });
    oee.receive({ topic: "report", payload: { asset: "press-1", end: 4 * H } });
    const [msg] = (await out) as Array<{ topic: string; payload: unknown }>;
    const report = checkOeeReport(msg.payload, "payload");
    assert.equal(msg.topic, "oee/press-1");
    assert.equal(report.availability, 3.5 / 4);
    assert.ok(Math.abs(report.performance - (190 * 60) / (3.5 * 3600)) < 1e-12, "190 units of 1 min ideal in 3.5 h running");
    assert.equal(report.quality, 180 / 190);
    assert.deepEqual([report.failures, report.mtbfH, report.mttrH], [1, 3.5, 0.5]);
  });

  it("reports a state out of time order to a Catch node", async () => {
    await helper.load(oeeNode, flow());
    const oee = helper.getNode("oee");
    const caught = collect(helper.getNode("caught"), 1);
    oee.receive({ payload: { asset: "press-1", ts: 10 * H, state: "running" } });
    oee.receive({ payload: { asset: "press-1", ts: 9 * H, state: "down" } });
    const [msg] = await caught;
    assert.match(errorOf(msg).message, /older than the last one/);
  });

  it("names a bad state", async () => {
    await helper.load(oeeNode, flow());
    const caught = collect(helper.getNode("caught"), 1);
    helper.getNode("oee").receive({ payload: { asset: "press-1", ts: 0, state: "broken" } });
    const [msg] = await caught;
    assert.equal(errorOf(msg).message, 'ValidationError: msg.payload.state: expected one of "running", "idle", "down", "planned-stop", got "broken"');
  });
});
