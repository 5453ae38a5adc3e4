import { strict as assert } from "node:assert";
import * as path from "node:path";
import { femtoRun, rulPlotSvg } from "../../eval/rul/femto";
import { checkRulMessage } from "../../nodes/shared/contract";
import { femtoDir } from "./fixtures";

describe("FEMTO evaluation (pdm-features -> pdm-health-index -> pdm-rul cores)", () => {
  it("Bearing1_1: at 75 % and 90 % of life the true RUL is inside the interval, errors under half an hour", async () => {
    const { points, lifeH } = await femtoRun(path.join(femtoDir, "Bearing1_1"));
    assert.equal(points.length, 53);
    assert.ok(Math.abs(lifeH - 28_020 / 3600) < 1e-9);
    for (const share of [0.75, 0.9]) {
      const point = points.filter((p) => p.elapsedH <= share * lifeH).at(-1);
      assert.ok(point?.rul, `an estimate at ${share * 100} % of life`);
      checkRulMessage(point.rul, "rul");
      assert.ok(point.rul.lower <= point.trueRulH && point.trueRulH <= point.rul.upper, JSON.stringify(point));
      assert.ok(Math.abs(point.rul.rul - point.trueRulH) < 0.5, JSON.stringify(point));
    }
    // While the bearing is healthy the model sees no trend and gives no number.
    assert.ok(points.slice(10, 20).every((p) => p.rul === undefined && p.reason !== undefined));
    const svg = rulPlotSvg(points, lifeH, "test");
    assert.match(svg, /^<svg[^>]+xmlns="http:\/\/www.w3.org\/2000\/svg"/);
  });

  it("--at predicts from the snapshots up to the one named only", async () => {
    const { points } = await femtoRun(path.join(femtoDir, "Bearing1_1"), { at: "acc_01981.csv" });
    assert.equal(points.length, 34);
    assert.equal(points[33].elapsedH, 19_800 / 3600);
    await assert.rejects(femtoRun(path.join(femtoDir, "Bearing1_1"), { at: "acc_99999.csv" }), /--at acc_99999\.csv: expected a snapshot file of the manifest or a position 1\.\.53/);
  });
});
