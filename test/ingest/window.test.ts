import { strict as assert } from "node:assert";
import { SampleBlock, checkSampleBlock } from "../../nodes/shared/contract";
import type { AlignedWindow } from "../../nodes/shared/contract";
import { WindowEvent, WindowOptions, Windower } from "../../nodes/ingest/window";

const T0 = Date.UTC(2026, 0, 1);

function collector(options: Partial<WindowOptions>) {
  const windows: SampleBlock[] = [];
  const aligned: AlignedWindow[] = [];
  const events: WindowEvent[] = [];
  const windower = new Windower(
    { size: 4, overlap: 0.5, targetFs: 0, maxGapMs: 0, jitterMs: 0, align: [], maxStreams: 100, ...options },
    { window: (w) => windows.push(w), aligned: (w) => aligned.push(w), event: (e) => events.push(e) },
  );
  return { windower, windows, aligned, events };
}

function block(values: number[], t0: number, fs = 1000, sensor = "acc"): SampleBlock {
  return { asset: "P1", sensor, t0, fs, values, unit: "g" };
}

const ramp = (from: number, n: number) => Array.from({ length: n }, (_, i) => from + i);

describe("windowing", () => {
  it("cuts contiguous blocks into overlapping windows that are plain sample blocks", () => {
    const { windower, windows, events } = collector({});
    windower.addBlock(block(ramp(0, 3), T0));
    windower.addBlock(block(ramp(3, 5), T0 + 3));
    assert.deepEqual(windows.map((w) => w.values), [[0, 1, 2, 3], [2, 3, 4, 5], [4, 5, 6, 7]]);
    assert.deepEqual(windows.map((w) => w.t0), [T0, T0 + 2, T0 + 4]);
    for (const w of windows) checkSampleBlock(w, "window");
    assert.equal(windows[0].unit, "g");
    assert.deepEqual(events, []);
  });

  it("absorbs jitter below half a sample and fills short gaps linearly", () => {
    const { windower, windows, events } = collector({ maxGapMs: 5, overlap: 0 });
    windower.addBlock(block([0, 1], T0));
    windower.addBlock(block([2, 3], T0 + 2.3)); // 0.3 ms late: jitter
    windower.addBlock(block([7, 8], T0 + 7)); // samples at +4..+6 missing: 3 ms gap
    assert.deepEqual(windows.map((w) => w.values), [[0, 1, 2, 3], [4, 5, 6, 7]]);
    assert.deepEqual(events, []);
  });

  it("continues blocks stamped on arrival within the jitter tolerance, at the native rate and resampled", () => {
    // 1 kHz blocks of 4 samples whose stamps are up to 2 ms early or late (4 ms apart nominally).
    const stamps = [0, 6, 7, 13, 16, 19];
    for (const targetFs of [0, 1000]) {
      const { windower, windows, events } = collector({ overlap: 0, jitterMs: 3, targetFs, maxGapMs: 10 });
      stamps.forEach((t, b) => windower.addBlock(block(ramp(4 * b, 4), T0 + t)));
      assert.deepEqual(events, [], `no breaks at ${targetFs || "native"} rate`);
      assert.deepEqual(windows.map((w) => w.values), [0, 4, 8, 12, 16, 20].map((from) => ramp(from, 4)), `${targetFs || "native"}`);
    }
    const strict = collector({ overlap: 0, jitterMs: 0 });
    strict.windower.addBlock(block(ramp(0, 4), T0));
    assert.throws(() => strict.windower.addBlock(block(ramp(4, 4), T0 + 2)), /2 sample\(s\) before the previous block ended/);
  });

  it("aligns resampled scalar sensors of one asset on one grid", () => {
    const { windower, aligned } = collector({ align: ["temp", "speed"], targetFs: 10, maxGapMs: 1000, overlap: 0 });
    for (let i = 0; i < 6; i++) {
      windower.addScalar({ asset: "P1", sensor: "temp", ts: T0 + 100 * i + 30, value: i });
      windower.addScalar({ asset: "P1", sensor: "speed", ts: T0 + 100 * i + 70, value: 10 * i });
    }
    assert.equal(aligned.length, 1);
    assert.equal(aligned[0].t0, T0 + 100);
    assert.deepEqual(aligned[0].channels.map((c) => c.values.map((v) => Math.round(v * 1e6) / 1e6)), [[0.7, 1.7, 2.7, 3.7], [3, 13, 23, 33]]);
  });

  it("breaks the window on a long gap, says so, and still windows each block (FEMTO snapshots)", () => {
    const { windower, windows, events } = collector({ size: 4, overlap: 0.5 });
    windower.addBlock(block(ramp(0, 6), T0));
    windower.addBlock(block(ramp(100, 6), T0 + 10_000));
    assert.deepEqual(windows.map((w) => w.values), [[0, 1, 2, 3], [2, 3, 4, 5], [100, 101, 102, 103], [102, 103, 104, 105]]);
    assert.equal(windows[2].t0, T0 + 10_000);
    assert.equal(events.length, 1);
    assert.equal(events[0].event, "gap");
    assert.equal(events[0].discarded, 2);
    assert.match(events[0].detail, /gap of 9994\.0 ms/);
  });

  it("restarts on a sample-rate change mid-stream and reports it", () => {
    const { windower, windows, events } = collector({ overlap: 0 });
    windower.addBlock(block(ramp(0, 6), T0, 1000));
    windower.addBlock(block(ramp(10, 4), T0 + 6, 2000));
    assert.deepEqual(windows.map((w) => [w.fs, w.values]), [[1000, [0, 1, 2, 3]], [2000, [10, 11, 12, 13]]]);
    assert.equal(events[0].event, "rate-change");
    assert.equal(events[0].discarded, 2);
  });

  it("rejects a block that overlaps the previous one, keeping the stream as it was", () => {
    const { windower, windows } = collector({ overlap: 0 });
    windower.addBlock(block([0, 1], T0));
    assert.throws(() => windower.addBlock(block([9, 9], T0)), /P1\/acc block starts at .*, 2 sample\(s\) before the previous block ended/);
    windower.addBlock(block([2, 3], T0 + 2));
    assert.deepEqual(windows.map((w) => w.values), [[0, 1, 2, 3]]);
  });

  it("resamples jittery scalar samples onto a grid and refuses out-of-order ones", () => {
    const { windower, windows } = collector({ targetFs: 10, maxGapMs: 1000, overlap: 0 });
    // A ramp of 1 per 100 ms read at jittery times: resampled values are exact on the grid.
    const times = [0, 95, 210, 290, 405, 500, 610, 700, 790, 905];
    for (const t of times) windower.addScalar({ asset: "P1", sensor: "temp", ts: T0 + t, value: t / 100 });
    assert.throws(() => windower.addScalar({ asset: "P1", sensor: "temp", ts: T0 + 800, value: 0 }), /is not after the previous one/);
    assert.deepEqual(windows.map((w) => w.values.map((v) => Math.round(v * 1e9) / 1e9)), [[0, 1, 2, 3], [4, 5, 6, 7]]);
    assert.deepEqual(windows.map((w) => [w.t0, w.fs]), [[T0, 10], [T0 + 400, 10]]);
  });

  it("does not use samples of bad quality as values, and needs a rate for scalars", () => {
    const { windower } = collector({ targetFs: 10, maxGapMs: 1000 });
    windower.addScalar({ asset: "P1", sensor: "temp", ts: T0, value: 1, quality: "bad" });
    assert.equal(windower.stats.notGood, 1);
    assert.equal(windower.streamCount, 0);
    const native = collector({});
    assert.throws(() => native.windower.addScalar({ asset: "P1", sensor: "temp", ts: T0, value: 1 }), /have no sample rate: set "resample to"/);
  });

  it("never breaks on readings about the target rate apart, even with no gap filling, but does on a pause", () => {
    const { windower, windows, events } = collector({ targetFs: 10, maxGapMs: 0, overlap: 0 });
    for (let i = 0; i < 8; i++) windower.addScalar({ asset: "P1", sensor: "temp", ts: T0 + 100 * i + (i % 2 ? 30 : -30), value: i });
    assert.equal(events.length, 0);
    assert.equal(windows.length, 2); // grid points at 0, 100, … 700 ms
    windower.addScalar({ asset: "P1", sensor: "temp", ts: T0 + 2000, value: 0 });
    assert.deepEqual(events.map((e) => e.event), ["gap"]);
    const blocks = collector({ targetFs: 1000, maxGapMs: 0, overlap: 0 });
    blocks.windower.addBlock(block(ramp(0, 40), T0, 2000));
    assert.deepEqual(blocks.events, []);
    assert.equal(blocks.windows.length, 5);
  });

  it("resamples blocks to a target rate", () => {
    const { windower, windows } = collector({ targetFs: 500, maxGapMs: 10, overlap: 0 });
    windower.addBlock(block(ramp(0, 16), T0)); // 1 kHz ramp -> every second sample at 500 Hz
    assert.deepEqual(windows.map((w) => w.values), [[0, 2, 4, 6], [8, 10, 12, 14]]);
  });

  it("aligns the sensors of one asset into one multi-channel window", () => {
    const { windower, aligned, windows } = collector({ align: ["acc_h", "acc_v"], overlap: 0 });
    windower.addBlock(block(ramp(0, 6), T0, 1000, "acc_h"));
    assert.equal(aligned.length, 0);
    windower.addBlock(block(ramp(100, 6), T0 + 1, 1000, "acc_v")); // starts one sample later
    assert.equal(windows.length, 0);
    assert.equal(aligned.length, 1);
    assert.deepEqual(aligned[0], {
      asset: "P1",
      t0: T0 + 1,
      fs: 1000,
      n: 4,
      channels: [
        { sensor: "acc_h", unit: "g", values: [1, 2, 3, 4] },
        { sensor: "acc_v", unit: "g", values: [100, 101, 102, 103] },
      ],
    });
    assert.throws(() => windower.addBlock(block([1], T0, 1000, "temp")), /sensor "temp" of asset "P1" is not in the list of aligned sensors/);
  });

  it("bounds memory when one aligned sensor stays silent", () => {
    const { windower, events } = collector({ align: ["a", "b"], overlap: 0 });
    for (let i = 0; i < 100; i++) windower.addBlock(block(ramp(0, 4), T0 + 4 * i, 1000, "a"));
    assert.ok(events.length > 0);
    assert.equal(events[0].event, "overrun");
    assert.match(events[0].detail, /no data from b/);
    assert.equal(events.reduce((sum, e) => sum + e.discarded, 0), 400 - 8);
  });

  it("limits the number of streams", () => {
    const { windower } = collector({ maxStreams: 1 });
    windower.addBlock(block([1], T0, 1000, "a"));
    assert.throws(() => windower.addBlock(block([1], T0, 1000, "b")), /would be stream 2, more than the limit of 1/);
  });
});
