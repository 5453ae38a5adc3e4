import { strict as assert } from "node:assert";
import { DegradationModel, isEstimate, normalCdf, normalQuantile } from "../../nodes/rul/degradation";
import { RulService } from "../../nodes/rul/rul-service";
import { checkRulMessage } from "../../nodes/shared/contract";
import { failureValues, fd001Train, healthTrajectory } from "./fixtures";

/** A small deterministic wobble so the fit has a residual variance. */
const wobble = (i: number) => 0.05 * Math.sin(i * 1.7);

describe("degradation models", () => {
  it("normal quantile and CDF invert each other", () => {
    for (const p of [0.001, 0.05, 0.3, 0.5, 0.9, 0.999]) assert.ok(Math.abs(normalCdf(normalQuantile(p)) - p) < 1e-6, `p=${p}`);
    assert.ok(Math.abs(normalQuantile(0.95) - 1.644854) < 1e-5);
  });

  it("says why there is no number with too few observations", () => {
    const model = new DegradationModel({ shape: "linear", threshold: 20 });
    for (let t = 0; t < 4; t++) model.add(t, 2 + t);
    const result = model.estimate();
    assert.ok(!isEstimate(result));
    assert.equal(result.reason, "too-few-observations");
    assert.match(result.message, /4 of 5 observations/);
  });

  it("gives no number while the signal shows no degradation trend", () => {
    const model = new DegradationModel({ shape: "exponential", threshold: 20, phi: 0 });
    for (let t = 0; t < 40; t++) model.add(t, 1 + wobble(t));
    const result = model.estimate();
    assert.ok(!isEstimate(result));
    assert.equal(result.reason, "no-trend");
  });

  it("linear: the RUL is the time the fitted line needs to reach the threshold", () => {
    const model = new DegradationModel({ shape: "linear", threshold: 20 });
    // y = 2 + 0.5 t crosses 20 at t = 36; at t = 10 the RUL is 26.
    for (let t = 0; t <= 10; t++) model.add(t, 2 + 0.5 * t + wobble(t));
    const result = model.estimate();
    assert.ok(isEstimate(result), JSON.stringify(result));
    assert.ok(Math.abs(result.rul - 26) < 1, `rul ${result.rul}`);
    assert.ok(result.lower < 26 && 26 < result.upper);
    assert.ok(result.pFailWithin(5) < 0.01 && result.pFailWithin(60) > 0.99);
  });

  it("exponential: the RUL follows the fitted exponential to the threshold", () => {
    const model = new DegradationModel({ shape: "exponential", threshold: 100, phi: 0 });
    // y = exp(0.1 t) reaches 100 at t = ln(100) / 0.1 = 46.05.
    for (let t = 0; t <= 30; t++) model.add(t, Math.exp(0.1 * t + 0.01 * Math.sin(t * 1.7)));
    const result = model.estimate();
    assert.ok(isEstimate(result));
    assert.ok(Math.abs(result.rul - 16.05) < 0.5, `rul ${result.rul}`);
  });

  it("refuses NaN, infinite values and times that do not increase", () => {
    const model = new DegradationModel({ shape: "linear", threshold: 20 });
    assert.throws(() => model.add(0, NaN), /finite/);
    assert.throws(() => model.add(Infinity, 1), /finite/);
    model.add(1, 1);
    assert.throws(() => model.add(1, 2), /times must increase/);
  });

  it("on C-MAPSS FD001 health indices, exponential degradation at 75 % of life: honest intervals, no wild numbers", async () => {
    const engines = fd001Train();
    const failure = failureValues(engines.slice(30));
    let covered = 0;
    let estimates = 0;
    const errors: number[] = [];
    for (const engine of engines.slice(0, 30)) {
      const trajectory = healthTrajectory(engine, failure);
      const service = new RulService({ method: "exponential-degradation", unit: "cycles", forgetting: 0.95 });
      const at = Math.round(0.75 * engine.cycles.length);
      let last;
      for (let i = 0; trajectory.t[i] <= at; i++) last = await service.update({ asset: "e", t0: 0, cycle: trajectory.t[i], healthIndex: trajectory.values[i] });
      assert.ok(last);
      if (!last.ok) continue;
      checkRulMessage(last.message, "rul");
      const truth = engine.cycles.length - at;
      estimates++;
      errors.push(last.message.rul - truth);
      if (last.message.lower <= truth && truth <= last.message.upper) covered++;
    }
    const rmse = Math.sqrt(errors.reduce((s, e) => s + e * e, 0) / errors.length);
    assert.ok(estimates >= 25, `estimates for ${estimates} of 30 engines`);
    assert.ok(rmse < 30, `RMSE ${rmse.toFixed(1)} cycles`);
    assert.ok(covered / estimates >= 0.7, `coverage ${covered}/${estimates}`);
  });
});
