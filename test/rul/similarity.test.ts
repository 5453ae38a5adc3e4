import { strict as assert } from "node:assert";
import { SimilarityModel, bestMatch } from "../../nodes/rul/similarity";
import { failureValues, fd001Train, healthTrajectory } from "./fixtures";

describe("similarity model", () => {
  it("finds where a trajectory sits inside a history it was cut from", () => {
    const engines = fd001Train();
    const history = healthTrajectory(engines[0], failureValues(engines));
    // The 30 observations ending 50 cycles before failure, on their own time axis.
    const end = history.t.length - 51;
    const t = history.t.slice(end - 29, end + 1).map((x) => x - 1000);
    const v = history.values.slice(end - 29, end + 1);
    const match = bestMatch(history, t, v);
    assert.equal(match.distance, 0);
    assert.equal(match.rul, 50);
  });

  it("needs at least two histories and enough observations", () => {
    const engines = fd001Train();
    const history = healthTrajectory(engines[0], failureValues(engines));
    assert.throws(() => new SimilarityModel([history]), /at least 2 run-to-failure histories/);
    const model = new SimilarityModel([history, healthTrajectory(engines[1], failureValues(engines))]);
    const result = model.estimate([1, 2, 3], [100, 99, 98]);
    assert.ok("reason" in result && /3 of 5 observations/.test(result.reason));
  });

  it("on C-MAPSS FD001: 80 engines as the library, 20 others at 70 % of life", () => {
    const engines = fd001Train();
    const failure = failureValues(engines.slice(0, 80));
    const library = engines.slice(0, 80).map((e) => healthTrajectory(e, failure));
    const model = new SimilarityModel(library, { neighbours: 10 });
    const errors: number[] = [];
    let covered = 0;
    for (const engine of engines.slice(80)) {
      const trajectory = healthTrajectory(engine, failure);
      const n = Math.round(0.7 * trajectory.t.length);
      const result = model.estimate(trajectory.t.slice(0, n), trajectory.values.slice(0, n));
      assert.ok(!("reason" in result));
      const truth = engine.cycles.length - trajectory.t[n - 1];
      errors.push(result.rul - truth);
      if (result.lower <= truth && truth <= result.upper) covered++;
      assert.equal(result.matches.length, 10);
      assert.ok(result.lower <= result.rul && result.rul <= result.upper);
    }
    const rmse = Math.sqrt(errors.reduce((s, e) => s + e * e, 0) / errors.length);
    assert.ok(rmse < 25, `RMSE ${rmse.toFixed(1)} cycles`);
    assert.ok(covered >= 12, `coverage ${covered}/20`);
  });
});
