import { strict as assert } from "node:assert";
import { bearingDefectMultipliers, parseAssetConfig } from "../../nodes/config/asset";

function close(actual: number, expected: number, relative: number, what: string) {
  assert.ok(Math.abs(actual - expected) <= relative * Math.abs(expected), `${what}: ${actual} vs ${expected}`);
}

describe("asset config", () => {
  it("reproduces the CWRU drive-end bearing (SKF 6205) defect orders from its geometry", () => {
    // Geometry and orders as published by CWRU (data/cwru/README.md).
    const m = bearingDefectMultipliers({ balls: 9, ballDiameter: 0.3126, pitchDiameter: 1.537, contactAngleDeg: 0 });
    close(m.bpfi, 5.4152, 1e-3, "BPFI");
    close(m.bpfo, 3.5848, 1e-3, "BPFO");
    close(m.ftf, 0.39828, 1e-3, "FTF");
    close(m.bsf, 2.357, 1e-3, "BSF");
  });

  it("reproduces the FEMTO bearing orders from the challenge geometry", () => {
    const m = bearingDefectMultipliers({ balls: 13, ballDiameter: 3.5, pitchDiameter: 25.6, contactAngleDeg: 0 });
    close(m.bpfo, 5.611, 1e-3, "BPFO");
    close(m.bpfi, 7.389, 1e-3, "BPFI");
    close(m.bsf, 3.589, 1e-3, "BSF");
    close(m.ftf, 0.4316, 1e-3, "FTF");
  });

  it("parses the editor's string fields and names the bad one", () => {
    const asset = parseAssetConfig({
      assetId: "pump-7", criticality: "high", nominalRpm: "1797", bearingSpec: "geometry",
      balls: "9", ballDiameter: "0.3126", pitchDiameter: "1.537", contactAngle: "",
      sensors: [{ sensor: "de", fs: "12000", unit: "g" }],
    });
    assert.equal(asset.nominalRpm, 1797);
    assert.deepEqual(asset.geometry, { balls: 9, ballDiameter: 0.3126, pitchDiameter: 1.537, contactAngleDeg: 0 });
    assert.deepEqual(asset.sensors, [{ sensor: "de", fs: 12000, unit: "g" }]);
    assert.throws(() => parseAssetConfig({ assetId: "" }), /assetId: expected a non-empty string/);
    assert.throws(() => parseAssetConfig({ assetId: "a", criticality: "extreme" }), /criticality: expected one of/);
    assert.throws(
      () => parseAssetConfig({ assetId: "a", bearingSpec: "geometry", balls: "9", ballDiameter: "2", pitchDiameter: "1" }),
      /ballDiameter: expected less than the pitch diameter/,
    );
    assert.throws(() => parseAssetConfig({ assetId: "a", bearingSpec: "multipliers", bpfo: "3.5" }), /bpfi: expected a finite number > 0/);
    assert.throws(
      () => parseAssetConfig({ assetId: "a", sensors: [{ sensor: "x", fs: 1 }, { sensor: "x", fs: 2 }] }),
      /sensors\[1\]\.sensor: expected a name used once/,
    );
  });
});
