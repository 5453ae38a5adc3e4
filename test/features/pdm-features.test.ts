import { strict as assert } from "node:assert";
import * as path from "node:path";
import type { NodeMessage } from "node-red";
import { checkFeaturesMessage } from "../../nodes/shared/contract";
import type { FeaturesPayload } from "../../nodes/features/pdm-features";
import { readSignalColumn } from "../../nodes/ingest/recordings";
import { buildNodes, collect, errorOf, helper, nodeModule, onTab, repoRoot, settle } from "../helpers/runtime";

const assetNode = nodeModule(path.join(buildNodes, "config", "pdm-asset.js"));
const featuresNode = nodeModule(path.join(buildNodes, "features", "pdm-features.js"));
const replayNode = nodeModule(path.join(buildNodes, "ingest", "pdm-replay.js"));

const innerRace = Array.from(readSignalColumn(path.join(repoRoot, "data", "cwru", "12k_IR007_0_105.csv")).subarray(0, 4096));
const block = (values: number[]) => ({ asset: "cwru-de", sensor: "de_acc", t0: 1_700_000_000_000, fs: 12_000, values, unit: "g" });

/** The CWRU drive-end bearing (SKF 6205) as an OT engineer enters it in pdm-asset. */
function cwruAsset(nominalRpm: string) {
  return { id: "asset1", type: "pdm-asset", assetId: "cwru-de", criticality: "high", nominalRpm, bearingSpec: "geometry", balls: "9", ballDiameter: "0.3126", pitchDiameter: "1.537", contactAngle: "0", sensors: [] };
}

function flow(settings: Record<string, unknown>, nominalRpm = "1797") {
  return onTab([
    cwruAsset(nominalRpm),
    { id: "features", type: "pdm-features", asset: "asset1", time: true, spectral: true, bands: "0-500, 500-2000", iso: true, bearing: true, spectrumPoints: "256", envelopeSpectrumPoints: "128", wires: [["out"]], ...settings },
    { id: "out", type: "helper" },
    { id: "caught", type: "helper" },
    { id: "catcher", type: "catch", scope: ["features"], uncaught: false, wires: [["caught"]] },
  ]);
}

const payloadOf = (msg: NodeMessage) => msg.payload as FeaturesPayload;

describe("pdm-features node", () => {
  afterEach(() => helper.unload());

  it("sends a valid features message that points at the inner race of a CWRU inner-race window", async () => {
    await helper.load([assetNode, featuresNode], flow({}));
    const out = collect(helper.getNode("out"), 1);
    helper.getNode("features").receive({ topic: "cwru-de/de_acc", payload: block(innerRace) });
    const [msg] = await out;
    const payload = checkFeaturesMessage(msg.payload, "msg.payload") as FeaturesPayload;
    assert.equal(msg.topic, "cwru-de/de_acc", "other message properties pass through");
    assert.equal(payload.asset, "cwru-de");
    assert.equal(payload.n, 4096);
    assert.equal(payload.indicatedFault, "inner_race");
    assert.equal(payload.rpm, 1797);
    assert.ok(["A", "B", "C", "D"].includes(payload.isoZone as string));
    assert.ok(payload.features.env_bpfi_ratio > 10, `BPFI line ${payload.features.env_bpfi_ratio} x noise`);
    assert.ok(payload.features.band_500_2000 > 0);
    assert.ok(payload.spectrum && payload.spectrum.frequencies.length <= 256 && payload.spectrum.unit === "g");
    assert.ok(payload.envelopeSpectrum && payload.envelopeSpectrum.amplitudes.length <= 128);
  });

  it("behind pdm-replay, names the seeded fault of each replayed CWRU recording", async () => {
    const files = ["12k_IR021_0_209.csv", "12k_OR007at6_0_130.csv"];
    await helper.load(
      [assetNode, featuresNode, replayNode],
      onTab([
        cwruAsset("1797"),
        { id: "replay", type: "pdm-replay", source: "signals", path: "", files: files.join(","), blockSize: 4096, asset: "cwru-de", sensor: "de_acc", speed: 0, loop: false, autostart: false, wires: [["features"]] },
        { id: "features", type: "pdm-features", asset: "asset1", bearing: true, wires: [["out"]] },
        { id: "out", type: "helper" },
      ]),
    );
    // 29 blocks of 4096 samples from each 10 s recording
    const out = collect(helper.getNode("out"), 58);
    helper.getNode("replay").receive({ payload: "start" });
    const messages = (await out) as Array<NodeMessage & { replay: { file: string; label: string } }>;
    for (const msg of messages) {
      checkFeaturesMessage(msg.payload, "msg.payload");
      assert.equal(payloadOf(msg).indicatedFault, msg.replay.label, `${msg.replay.file} block`);
    }
    assert.deepEqual([...new Set(messages.map((msg) => msg.replay.file))], files);
  });

  it("takes the running speed from msg.payload.rpm when the asset has none", async () => {
    await helper.load([assetNode, featuresNode], flow({ spectrumPoints: "0", envelopeSpectrumPoints: "0" }, ""));
    const out = collect(helper.getNode("out"), 1);
    helper.getNode("features").receive({ payload: { ...block(innerRace), rpm: 1797 } });
    const [msg] = await out;
    assert.equal(payloadOf(msg).rpm, 1797);
    assert.equal(payloadOf(msg).indicatedFault, "inner_race");
    assert.equal(payloadOf(msg).spectrum, undefined, "no spectrum unless asked");
  });

  it("sends only the chosen features", async () => {
    await helper.load([assetNode, featuresNode], flow({ spectral: false, iso: false, bearing: false, spectrumPoints: "0", envelopeSpectrumPoints: "0" }));
    const out = collect(helper.getNode("out"), 1);
    helper.getNode("features").receive({ payload: block(innerRace) });
    const [msg] = await out;
    assert.deepEqual(Object.keys(payloadOf(msg).features).sort(), [
      "clearance_factor", "crest_factor", "impulse_factor", "kurtosis", "mean", "peak", "peak_to_peak", "rms", "shape_factor", "skewness", "std", "zero_crossing_rate",
    ]);
    assert.equal(payloadOf(msg).indicatedFault, undefined);
  });

  it("reports NaN in the window to a Catch node, naming the sample, and sends nothing", async () => {
    await helper.load([assetNode, featuresNode], flow({}));
    const caught = collect(helper.getNode("caught"), 1);
    const sent = settle(helper.getNode("out"), 300);
    const values = innerRace.slice();
    values[5] = NaN;
    helper.getNode("features").receive({ payload: block(values) });
    const [msg] = await caught;
    assert.equal(errorOf(msg).message, "ValidationError: msg.payload.values[5]: expected a finite number, got NaN");
    assert.equal((await sent).length, 0);
  });

  it("reports a window shorter than the FFT size and a speed tag that is not a number", async () => {
    await helper.load([assetNode, featuresNode], flow({ fftSize: "8192" }, ""));
    const caught = collect(helper.getNode("caught"), 2);
    helper.getNode("features").receive({ payload: { ...block(innerRace), rpm: 1797 } });
    helper.getNode("features").receive({ payload: { ...block(innerRace), rpm: "fast" } });
    const [short, badRpm] = await caught;
    assert.match(errorOf(short).message, /window: 4096 samples is fewer than the FFT size 8192/);
    assert.equal(errorOf(badRpm).message, 'ValidationError: msg.payload.rpm: expected a finite number >= 0, got "fast"');
  });

  it("reports bearing features without an asset as a configuration error on every message", async () => {
    await helper.load([assetNode, featuresNode], flow({ asset: "" }));
    const caught = collect(helper.getNode("caught"), 1);
    helper.getNode("features").receive({ payload: block(innerRace) });
    const [msg] = await caught;
    assert.match(errorOf(msg).message, /bearing features need the bearing's defect orders: choose a pdm-asset/);
  });
});
