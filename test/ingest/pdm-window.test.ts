import { strict as assert } from "node:assert";
import * as path from "node:path";
import { SampleBlock, checkSampleBlock } from "../../nodes/shared/contract";
import type { AlignedWindow } from "../../nodes/shared/contract";
import type { WindowEvent } from "../../nodes/ingest/window";
import { FlowNode, buildNodes, collect, errorOf, helper, nodeModule, onTab } from "../helpers/runtime";

const windowNode = nodeModule(path.join(buildNodes, "ingest", "pdm-window.js"));
const replayNode = nodeModule(path.join(buildNodes, "ingest", "pdm-replay.js"));

const T0 = Date.UTC(2026, 0, 1);

function flow(windowConfig: Record<string, unknown>, extra: FlowNode[] = []): FlowNode[] {
  return onTab([
    { id: "window", type: "pdm-window", size: 4, overlap: 50, targetFs: 0, maxGapMs: 0, jitterMs: 0, align: "", maxStreams: 100, ...windowConfig, wires: [["windows"], ["breaks"]] },
    { id: "windows", type: "helper" },
    { id: "breaks", type: "helper" },
    { id: "caught", type: "helper" },
    { id: "catcher", type: "catch", scope: ["window"], uncaught: false, wires: [["caught"]] },
    ...extra,
  ]);
}

function block(values: number[], t0: number, fs = 1000, sensor = "acc") {
  return { asset: "pump-1", sensor, t0, fs, values };
}

describe("pdm-window node", () => {
  afterEach(() => helper.unload());

  it("windows every snapshot of the FEMTO replay, reporting the 10 s pauses between them", async () => {
    await helper.load([replayNode, windowNode], [
      ...flow({ size: 2048, overlap: 50 }),
      { id: "replay", type: "pdm-replay", z: "tab", source: "femto", path: "", files: "", blockSize: 2048, asset: "b1", sensor: "acc", speed: 0, loop: false, autostart: false, wires: [["window"]] },
    ]);
    const windows = collect(helper.getNode("windows"), 106, 20_000);
    const breaks = collect(helper.getNode("breaks"), 104, 20_000);
    helper.getNode("replay").receive({ payload: "start" });
    const blocks = (await windows).map((m) => checkSampleBlock(m.payload, "msg.payload"));
    assert.deepEqual(new Set(blocks.map((b) => `${b.sensor} ${b.fs} ${b.values.length}`)), new Set(["acc_h 25600 2048", "acc_v 25600 2048"]));
    const events = (await breaks).map((m) => m.payload as WindowEvent);
    assert.ok(events.every((e) => e.event === "gap" && e.discarded === 1536), "each pause discards the 1536 samples after the first window");
  });

  it("aligns two sensors of an asset into one multi-channel window", async () => {
    await helper.load(windowNode, flow({ align: "acc_h, acc_v", overlap: 0 }));
    const windows = collect(helper.getNode("windows"), 1);
    helper.getNode("window").receive({ payload: block([1, 2, 3, 4], T0, 1000, "acc_h") });
    helper.getNode("window").receive({ payload: block([5, 6, 7, 8], T0, 1000, "acc_v") });
    const [msg] = await windows;
    const window = msg.payload as AlignedWindow;
    assert.equal(msg.topic, "pump-1");
    assert.deepEqual(window.channels.map((c) => [c.sensor, c.values]), [["acc_h", [1, 2, 3, 4]], ["acc_v", [5, 6, 7, 8]]]);
  });

  it("reports bad input to a Catch node and loses nothing else of the stream", async () => {
    await helper.load(windowNode, flow({ overlap: 0 }));
    const node = helper.getNode("window");
    const caught = collect(helper.getNode("caught"), 6);
    const windows = collect(helper.getNode("windows"), 2);
    const breaks = collect(helper.getNode("breaks"), 1);
    node.receive({ payload: block([0, 1], T0) });
    node.receive({ payload: block([0, NaN], T0 + 2) });
    node.receive({ payload: "12.5" });
    node.receive({ payload: { asset: "pump-1", sensor: "acc", fs: 1000, values: [1] } });
    node.receive({ payload: block(new Array<number>(10_000_000).fill(0), T0 + 2) });
    node.receive({ payload: block([9, 9], T0 - 5) }); // out of order
    node.receive({ payload: { asset: "pump-1", sensor: "temp", ts: T0, value: 20 } }); // scalar without a target rate
    node.receive({ payload: block([2, 3], T0 + 2) });
    node.receive({ payload: block([10, 11, 12, 13], T0 + 4, 2000) }); // the rate changes mid-stream
    const messages = (await caught).map((m) => errorOf(m).message);
    assert.deepEqual(messages.slice(0, 4), [
      "ValidationError: msg.payload.values[1]: expected a finite number, got NaN",
      'ValidationError: msg.payload: expected an object, got "12.5"',
      "ValidationError: msg.payload.t0: expected a finite number >= 0, got nothing (missing)",
      "ValidationError: msg.payload.values: expected at most 2000000 elements, got an array of 10000000",
    ]);
    assert.match(messages[4], /block starts at .*, 7 sample\(s\) before the previous block ended/);
    assert.match(messages[5], /scalar samples of pump-1\/temp have no sample rate/);
    const blocks = (await windows).map((m) => m.payload as SampleBlock);
    assert.deepEqual(blocks.map((b) => [b.fs, b.values]), [[1000, [0, 1, 2, 3]], [2000, [10, 11, 12, 13]]]);
    assert.equal(((await breaks)[0].payload as WindowEvent).event, "rate-change");
  });

  it("resamples jittery scalar samples and honours a reset message", async () => {
    await helper.load(windowNode, flow({ targetFs: 10, maxGapMs: 500, overlap: 0 }));
    const node = helper.getNode("window");
    const windows = collect(helper.getNode("windows"), 1);
    for (const t of [0, 105, 190]) node.receive({ payload: { asset: "pump-1", sensor: "temp", ts: T0 + t, value: t } });
    node.receive({ reset: "pump-1" });
    for (const t of [1000, 1098, 1210, 1300]) node.receive({ payload: { asset: "pump-1", sensor: "temp", ts: T0 + t, value: t } });
    const [msg] = await windows;
    const window = msg.payload as SampleBlock;
    assert.equal(window.t0, T0 + 1000);
    assert.deepEqual(window.values.map((v) => Math.round(v)), [1000, 1100, 1200, 1300]);
  });
});
