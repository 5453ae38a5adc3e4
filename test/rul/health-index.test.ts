import { strict as assert } from "node:assert";
import { HealthIndexer, parseFailureValues } from "../../nodes/rul/health-index";
import { monotonicity, prognosability, rankFeatures, trendability } from "../../nodes/rul/feature-metrics";
import { HealthIndexService, MAX_RUN_RECORDS } from "../../nodes/rul/health-index-service";
import { FD001_HI_SENSORS, failureValues, fd001Train, healthTrajectory } from "./fixtures";

describe("health index", () => {
  it("learns a baseline, then scores progress to the failure value", () => {
    const indexer = new HealthIndexer({ features: ["rms"], baselineCount: 4, failureValues: { rms: 2.5 } });
    for (const rms of [0.4, 0.6, 0.5]) assert.deepEqual(indexer.add({ rms }), { learning: true, count: indexer.snapshot.learning.count, needed: 4 });
    const fourth = indexer.add({ rms: 0.5 });
    assert.ok(!fourth.learning);
    assert.equal(indexer.baseline?.mean.rms, 0.5);
    // Half way from the baseline mean 0.5 to the failure value 2.5: index 50.
    const half = indexer.add({ rms: 1.5 });
    assert.ok(!half.learning && Math.abs(half.healthIndex - 50) < 1e-9);
    const beyond = indexer.add({ rms: 4 });
    assert.ok(!beyond.learning && beyond.healthIndex === 0);
  });

  it("uses baseline standard deviations where no failure value is given", () => {
    const indexer = new HealthIndexer({ features: ["kurtosis"], baselineCount: 2, failureSigma: 10 });
    indexer.add({ kurtosis: 2.9 });
    indexer.add({ kurtosis: 3.1 });
    const std = indexer.baseline?.std.kurtosis ?? NaN;
    const r = indexer.add({ kurtosis: 3 + 5 * std });
    assert.ok(!r.learning && Math.abs(r.healthIndex - 50) < 1e-9);
  });

  it("names a missing or NaN feature, and parses failure values", () => {
    const indexer = new HealthIndexer({ features: ["rms", "kurtosis"] });
    assert.throws(() => indexer.add({ rms: 1 }), /msg\.payload\.features\.kurtosis: expected a finite number, got nothing/);
    assert.throws(() => indexer.add({ rms: NaN, kurtosis: 3 }), /features\.rms: expected a finite number, got NaN/);
    assert.deepEqual(parseFailureValues("acc_h.rms=20, kurtosis: 8"), { "acc_h.rms": 20, kurtosis: 8 });
    assert.throws(() => parseFailureValues("rms=high"), /feature=value/);
    assert.throws(() => new HealthIndexer({ features: ["rms"], failureValues: { peak: 20 } }), /not among the features/);
  });

  it("falls from about 100 to about 0 over C-MAPSS FD001 runs to failure", () => {
    const engines = fd001Train();
    const failure = failureValues(engines.slice(20));
    for (const engine of engines.slice(0, 20)) {
      const { values } = healthTrajectory(engine, failure);
      const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
      assert.ok(mean(values.slice(0, 20)) > 80, `engine ${engine.unit} starts at ${mean(values.slice(0, 20)).toFixed(0)}`);
      assert.ok(mean(values.slice(-5)) < 25, `engine ${engine.unit} ends at ${mean(values.slice(-5)).toFixed(0)}`);
    }
  });
});

describe("feature metrics (monotonicity, trendability, prognosability)", () => {
  it("known answers on small series", () => {
    assert.equal(monotonicity([[1, 2, 3, 4], [4, 3, 2, 1]]), 1);
    assert.equal(monotonicity([[1, 2, 1, 2, 1]]), 0);
    assert.equal(trendability([[1, 2, 3], [2, 4, 6, 8, 10]]), 1);
    // Both end at 10 after travelling 10: perfectly prognosable.
    assert.equal(prognosability([[0, 5, 10], [0, 10]]), 1);
    assert.ok(Number.isNaN(trendability([[1, 2]])));
  });

  it("ranks C-MAPSS FD001 sensors: trending ones above constant ones", () => {
    const runs = fd001Train().slice(0, 20).map((e) => e.cycles.map((c) => ({ s1: c.s1, s5: c.s5, s11: c.s11, s4: c.s4, s12: c.s12 })));
    const ranking = rankFeatures(runs);
    const position = (f: string) => ranking.findIndex((q) => q.feature === f);
    for (const trending of ["s11", "s4", "s12"]) {
      for (const constant of ["s1", "s5"]) assert.ok(position(trending) < position(constant), `${trending} above ${constant}`);
    }
    const s11 = ranking[position("s11")];
    assert.equal(s11.members, 20);
    assert.ok((s11.prognosability ?? 0) > 0.7 && (s11.trendability ?? 0) > 0.5, JSON.stringify(s11));
    assert.equal(ranking[position("s1")].trendability, 0);
    assert.ok(FD001_HI_SENSORS.includes("s11"));
  });

  it("keeps a long run for ranking thinned evenly and bounded, from the first record to the last", () => {
    const service = new HealthIndexService({ features: ["wear"], baselineCount: 10 });
    const n = 7 * MAX_RUN_RECORDS + 123;
    // A wear feature rising over the whole life, a constant one, and a noisy one.
    for (let i = 0; i < n; i++) {
      service.update({ asset: "pump", t0: i * 1000, features: { wear: 1 + i / n, constant: 5, noise: Math.sin(i * 12.9898) } });
    }
    const run = service.snapshot.assets.pump.run;
    assert.ok(run.length <= MAX_RUN_RECORDS && run.length > MAX_RUN_RECORDS / 2, `kept ${run.length} records`);
    assert.equal(run[0].wear, 1, "the start of life is kept");
    assert.ok(run[run.length - 1].wear > 1 + (n - 1 - 8) / n, "the end of life is kept");
    const steps = run.slice(1).map((r, i) => Math.round((r.wear - run[i].wear) * n));
    assert.equal(new Set(steps.slice(-100)).size, 1, "evenly thinned");
    const ranking = service.recordFailure("pump");
    assert.deepEqual(ranking.features.map((f) => f.feature)[0], "wear");
    assert.equal(ranking.features.find((f) => f.feature === "wear")?.monotonicity, 1);
  });
});
