import { strict as assert } from "node:assert";
import { IsolationForest, averagePathLength, matrixFromRows } from "../../nodes/anomaly/isolation-forest";
import { cwruWindows } from "./windows";

const healthy = cwruWindows("normal", { size: 1024, hop: 256 });
const names = Object.keys(healthy[0].features);
const rowsOf = (messages: typeof healthy) => messages.map((m) => names.map((name) => m.features[name]));

describe("isolation forest", () => {
  it("normalises path lengths with c(n) of the paper", () => {
    assert.equal(averagePathLength(1), 0);
    assert.equal(averagePathLength(2), 1);
    // c(256) = 2 (ln 255 + γ) − 2·255/256 (Liu et al. 2008, eq. 1).
    assert.ok(Math.abs(averagePathLength(256) - 10.2448) < 1e-3, String(averagePathLength(256)));
  });

  it("scores points of uniform data about 0.5 and a far point clearly higher", () => {
    // 1000 points on a line are isolated in about c(256) steps on average: s ≈ 0.5.
    const line = matrixFromRows(Array.from({ length: 1000 }, (_, i) => [i / 1000]), 1);
    const forest = new IsolationForest(line, { seed: 3 });
    const inside = Array.from({ length: 50 }, (_, i) => forest.score([0.2 + i / 100]));
    const mean = inside.reduce((s, x) => s + x, 0) / inside.length;
    assert.ok(mean > 0.4 && mean < 0.55, `uniform data scores about 0.5, got ${mean}`);
    assert.ok(forest.score([5]) > Math.max(...inside) + 0.1, `a far point scores higher, got ${forest.score([5])}`);
  });

  it("is reproducible for a seed and different for another", () => {
    const points = matrixFromRows(rowsOf(healthy), names.length);
    const a = new IsolationForest(points, { seed: 7 }).scoreAll(points);
    const b = new IsolationForest(points, { seed: 7 }).scoreAll(points);
    const c = new IsolationForest(points, { seed: 8 }).scoreAll(points);
    assert.deepEqual(a, b);
    assert.notDeepEqual(a, c);
  });

  it("scores most CWRU fault windows above every healthy window it was not trained on", () => {
    const train = cwruWindows("normal", { size: 1024, hop: 256, part: [0, 0.5] });
    const heldOut = cwruWindows("normal", { size: 1024, hop: 256, part: [0.55, 1] });
    const forest = new IsolationForest(matrixFromRows(rowsOf(train), names.length));
    const healthyMax = Math.max(...rowsOf(heldOut).map((row) => forest.score(row)));
    for (const label of ["inner_race", "outer_race", "ball"]) {
      const faultScores = rowsOf(cwruWindows(label, { size: 1024, hop: 1024 })).map((row) => forest.score(row));
      const separated = faultScores.filter((score) => score > healthyMax).length / faultScores.length;
      assert.ok(separated > 0.9, `${label}: ${separated} of the fault windows above the highest healthy score ${healthyMax}`);
    }
  });

  it("copes with a feature that never varies (no split on it) and rejects too little data", () => {
    const points = matrixFromRows(Array.from({ length: 100 }, (_, i) => [1, (i % 50) / 50]), 2);
    const forest = new IsolationForest(points);
    assert.ok(forest.score([1, 30]) > forest.score([1, 0.5]) + 0.1);
    assert.throws(() => new IsolationForest(matrixFromRows([[1]], 1)), /at least 2 points/);
  });
});
