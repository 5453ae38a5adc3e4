import { strict as assert } from "node:assert";
import * as path from "node:path";
import { delayToNextMs, femtoReplay, signalReplay } from "../../nodes/ingest/replay";
import { readManifest } from "../../nodes/ingest/recordings";
import { repoRoot } from "../helpers/runtime";

const femtoFolder = path.join(repoRoot, "data", "femto", "Bearing1_1");
const cwruManifest = path.join(repoRoot, "data", "cwru", "manifest.csv");

describe("replay of recordings", () => {
  it("plays the FEMTO Bearing1_1 run as 53 snapshots of two 25.6 kHz channels", () => {
    const replay = femtoReplay(femtoFolder);
    assert.equal(replay.length, 53);
    const first = replay.step(0);
    assert.equal(first.atS, 0);
    assert.equal(first.info.timeToEndS, 28_020);
    assert.deepEqual(first.blocks.map((b) => [b.sensor, b.fs, b.values.length]), [["acc_h", 25_600, 2560], ["acc_v", 25_600, 2560]]);
    // First value of acc_00001.csv, horizontal column: "9,39,39,65664,0.552,-0.146".
    assert.equal(first.blocks[0].values[0], 0.552);
    assert.equal(first.blocks[1].values[0], -0.146);
    const last = replay.step(replay.length - 1);
    assert.equal(last.info.timeToEndS, 0);
    // The run ends in failure: the vibration grows by an order of magnitude.
    const rms = (v: number[]) => Math.sqrt(v.reduce((s, x) => s + x * x, 0) / v.length);
    assert.ok(rms(last.blocks[0].values) > 5 * rms(first.blocks[0].values));
    assert.equal(delayToNextMs(replay, 0, 600), 1000, "10 min between snapshots at 600x is one second");
  });

  it("plays CWRU recordings one after another at each file's own sample rate", () => {
    const rows = readManifest(cwruManifest);
    const replay = signalReplay(cwruManifest, { files: ["48k_Normal_0_097_partA.csv", "12k_IR007_0_105.csv"], blockSize: 4096, sensor: "de" });
    const normalBlocks = Math.floor(121_969 / 4096);
    assert.equal(replay.length, normalBlocks + Math.floor(121_265 / 4096));
    assert.equal(replay.step(0).blocks[0].fs, 48_000);
    assert.equal(replay.step(0).info.label, "normal");
    const firstFault = replay.step(normalBlocks);
    assert.equal(firstFault.blocks[0].fs, 12_000);
    assert.equal(firstFault.info.label, "inner_race");
    assert.equal(firstFault.info.rpm, 1797);
    assert.ok(Math.abs(firstFault.atS - 121_969 / 48_000) < 1e-9, "the fault file starts where the normal one ends");
    assert.equal(rows.length, 7);
  });

  it("gives blocks of equal duration across sample rates when the block size is in seconds", () => {
    const replay = signalReplay(cwruManifest, { files: ["48k_Normal_0_097_partA.csv", "12k_IR007_0_105.csv"], blockSize: 16384 / 48_000, blockUnit: "seconds", sensor: "de" });
    assert.equal(replay.step(0).blocks[0].values.length, 16384);
    const normalBlocks = Math.floor(121_969 / 16384);
    assert.equal(replay.step(normalBlocks).blocks[0].values.length, 4096);
    assert.equal(replay.length, normalBlocks + Math.floor(121_265 / 4096));
    assert.ok(Math.abs(replay.atS(2) - replay.atS(1) - 16384 / 48_000) < 1e-12);
    assert.throws(() => signalReplay(cwruManifest, { blockSize: 0.0001, blockUnit: "seconds", sensor: "x" }), /fewer than 16 samples/);
  });

  it("names what is wrong with a bad source", () => {
    assert.throws(() => femtoReplay(path.join(repoRoot, "data", "no-such-run")), /recording not found/);
    assert.throws(() => signalReplay(cwruManifest, { files: ["nope.csv"], blockSize: 1024, sensor: "x" }), /no row for file "nope.csv"/);
    assert.throws(() => signalReplay(cwruManifest, { blockSize: 3, sensor: "x" }), /blockSize: expected an integer >= 16/);
  });
});
