import { strict as assert } from "node:assert";
import * as path from "node:path";
import { checkSampleBlock } from "../../nodes/shared/contract";
import { buildNodes, collect, errorOf, helper, nodeModule, onTab, settle } from "../helpers/runtime";

const replayNode = nodeModule(path.join(buildNodes, "ingest", "pdm-replay.js"));

function flow(options: Record<string, unknown>) {
  return onTab([
    { id: "replay", type: "pdm-replay", name: "", source: "femto", path: "", files: "", blockSize: 2048, asset: "b1", sensor: "acc", speed: 0, loop: false, autostart: false, wires: [["out"]], ...options },
    { id: "out", type: "helper" },
    { id: "caught", type: "helper" },
    { id: "catcher", type: "catch", scope: ["replay"], uncaught: false, wires: [["caught"]] },
    { id: "completer", type: "complete", scope: ["replay"], uncaught: false, wires: [["completed"]] },
    { id: "completed", type: "helper" },
  ]);
}

describe("pdm-replay node", () => {
  afterEach(() => helper.unload());

  it("replays the whole FEMTO run as valid sample blocks on start", async () => {
    await helper.load(replayNode, flow({}));
    const out = collect(helper.getNode("out"), 106);
    const completed = collect(helper.getNode("completed"), 1);
    helper.getNode("replay").receive({ payload: "start" });
    const messages = await out;
    await completed;
    for (const msg of messages) checkSampleBlock(msg.payload, "msg.payload");
    const first = messages[0] as { topic: string; payload: { t0: number }; replay: { index: number; count: number } };
    const last = messages[105] as typeof first;
    assert.equal(first.topic, "b1/acc_h");
    assert.equal(last.replay.index, 52);
    assert.equal(last.replay.count, 53);
    // t0 follows the recording's time axis: the last snapshot is 28 020 s after the first.
    assert.equal(last.payload.t0 - first.payload.t0, 28_020_000);
  });

  it("stops on command and resumes where it stopped", async () => {
    await helper.load(replayNode, flow({ speed: 6000 }));
    const replay = helper.getNode("replay");
    const firstTwo = collect(helper.getNode("out"), 4);
    replay.receive({ payload: "start" });
    await firstTwo;
    replay.receive({ payload: "stop" });
    const quiet = await settle(helper.getNode("out"), 400);
    assert.ok(quiet.length <= 2, `at most the step in flight after stop, got ${quiet.length} messages`);
    const lastIndex = ((quiet.at(-1) ?? (await firstTwo).at(-1)) as { replay: { index: number } }).replay.index;
    const resumed = collect(helper.getNode("out"), 1);
    replay.receive({ payload: "start" });
    const [next] = (await resumed) as Array<{ replay: { index: number } }>;
    assert.equal(next.replay.index, lastIndex + 1, "resumes with the snapshot after the last one sent");
  });

  it("reports an unknown command to a Catch node and sends nothing", async () => {
    await helper.load(replayNode, flow({}));
    const caught = collect(helper.getNode("caught"), 1);
    const sent = settle(helper.getNode("out"), 300);
    helper.getNode("replay").receive({ payload: "fast-forward" });
    const [msg] = await caught;
    assert.equal(errorOf(msg).message, 'Error: msg.payload: expected one of "start", "stop", "reset", got "fast-forward"');
    assert.equal((await sent).length, 0);
  });

  it("reports a missing recording on start instead of crashing", async () => {
    await helper.load(replayNode, flow({ path: path.join(__dirname, "no-such-folder") }));
    const caught = collect(helper.getNode("caught"), 1);
    helper.getNode("replay").receive({ payload: "start" });
    const [msg] = await caught;
    assert.match(errorOf(msg).message, /recording not found/);
  });
});
