import { strict as assert } from "node:assert";
import { matrixFromRows } from "../../nodes/anomaly/isolation-forest";
import { RobustMahalanobis, RobustScaler, quantile } from "../../nodes/anomaly/robust";
import { contributions } from "../../nodes/anomaly/contributions";
import { AlarmState, CRITICALITY_FACTORS, severityOf } from "../../nodes/anomaly/threshold";
import { cwruWindows } from "./windows";

describe("robust statistics", () => {
  it("computes quantiles like NumPy's default (linear interpolation)", () => {
    // numpy.quantile([3, 1, 4, 1, 5], [0, 0.3, 0.5, 0.99, 1]) = [1, 1.4, 3, 4.96, 5]
    const values = [3, 1, 4, 1, 5];
    const expected = [1, 1.4, 3, 4.96, 5];
    [0, 0.3, 0.5, 0.99, 1].forEach((q, i) => assert.ok(Math.abs(quantile(values, q) - expected[i]) < 1e-12, `q=${q}`));
  });

  it("standardises with the median and 1.4826 × MAD, unmoved by one outlier", () => {
    const scaler = new RobustScaler(matrixFromRows([[1], [2], [3], [4], [1000]], 1));
    assert.equal(scaler.centre[0], 3);
    assert.ok(Math.abs(scaler.scale[0] - 1.4826) < 1e-12);
  });

  it("gives a Mahalanobis distance that ignores units and grows with the deviation", () => {
    const healthy = cwruWindows("normal", { size: 1024, hop: 256 });
    const names = Object.keys(healthy[0].features);
    const rows = healthy.map((m) => names.map((n) => m.features[n]));
    const scaled = rows.map((row) => row.map((x, j) => (j === 0 ? x * 1000 : x)));
    const a = new RobustMahalanobis(matrixFromRows(rows, names.length));
    const b = new RobustMahalanobis(matrixFromRows(scaled, names.length));
    const fault = cwruWindows("inner_race", { size: 1024, hop: 1024 })[0];
    const point = names.map((n) => fault.features[n]);
    const scaledPoint = point.map((x, j) => (j === 0 ? x * 1000 : x));
    assert.ok(Math.abs(a.score(point) - b.score(scaledPoint)) < 1e-9 * a.score(point));
    const median = Array.from(a.scaler.centre);
    assert.ok(a.score(median) < 1e-12, "the baseline median is at distance 0");
    assert.ok(a.score(point) > 10 * Math.max(...rows.slice(0, 20).map((r) => a.score(r))));
  });

  it("splits a deviation into shares that add up to 1, largest first, with signed deviations", () => {
    const list = contributions(["rms", "kurtosis", "crest_factor"], [1, -3, 0]);
    assert.deepEqual(list.map((c) => c.feature), ["kurtosis", "rms", "crest_factor"]);
    assert.ok(Math.abs(list.reduce((s, c) => s + c.share, 0) - 1) < 1e-12);
    assert.equal(list[0].share, 0.9);
    assert.equal(list[0].deviation, -3);
  });
});

describe("alarm persistence, hysteresis and severity", () => {
  it("does not raise on one spike, raises on k of n, clears only below the clear level", () => {
    const alarm = new AlarmState({ k: 3, of: 5, clearRatio: 0.8 });
    const threshold = 1;
    const raised = [0.2, 5, 0.3, 0.2, 0.4, 1.2, 0.5, 1.3, 1.1, 0.95, 0.9, 0.85, 0.7, 0.6, 0.5].map((s) => alarm.update(s, threshold));
    // Above the threshold at 1 (the spike), 5, 7, 8: the third within five windows is 8.
    // Below the clear level 0.8 at 12, 13, 14: cleared at 14, not at the first dip under 1.
    assert.deepEqual(raised, [false, false, false, false, false, false, false, false, true, true, true, true, true, true, false]);
  });

  it("makes more critical assets more sensitive and ranks severity by urgency and criticality", () => {
    assert.ok(CRITICALITY_FACTORS.critical < CRITICALITY_FACTORS.high);
    assert.ok(CRITICALITY_FACTORS.high < CRITICALITY_FACTORS.medium);
    assert.ok(CRITICALITY_FACTORS.medium < CRITICALITY_FACTORS.low);
    assert.equal(severityOf(false, 10, 1, "critical"), "none");
    assert.equal(severityOf(true, 1.5, 1, "medium"), "low");
    assert.equal(severityOf(true, 3, 1, "medium"), "medium");
    assert.equal(severityOf(true, 5, 1, "medium"), "high");
    assert.equal(severityOf(true, 5, 1, "critical"), "critical");
    assert.equal(severityOf(true, 1.5, 1, "low"), "low");
  });

  it("rejects a persistence k larger than n", () => {
    assert.throws(() => new AlarmState({ k: 6, of: 5, clearRatio: 0.8 }), /k must be an integer from 1 to n \(5\)/);
  });
});
