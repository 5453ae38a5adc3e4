import { strict as assert } from "node:assert";
import { checkAnomalyMessage, type FeaturesMessage } from "../../nodes/shared/contract";
import { AnomalyDetector, type Outcome } from "../../nodes/anomaly/detector";
import { SCORERS } from "../../nodes/anomaly/scorers";
import { cwruWindows } from "./windows";

const training = cwruWindows("normal", { size: 1024, hop: 128, part: [0, 0.5] });
const heldOut = cwruWindows("normal", { size: 1024, hop: 128, part: [0.55, 1] });
const innerRace = cwruWindows("inner_race", { size: 1024, hop: 512 }).slice(0, 60);

function learned(options: ConstructorParameters<typeof AnomalyDetector>[2] = {}): AnomalyDetector {
  const detector = new AnomalyDetector("cwru-rig", "de", { learning: "command", ...options });
  detector.learn();
  for (const message of training) detector.process(message);
  detector.freeze();
  return detector;
}

function scored(outcome: Outcome) {
  assert.equal(outcome.kind, "scored");
  return outcome as Extract<Outcome, { kind: "scored" }>;
}

describe("anomaly detector on CWRU windows", () => {
  // The autoencoder is asynchronous (processAsync): see autoencoder.test.ts.
  for (const scorer of SCORERS.filter((s) => s !== "autoencoder")) {
    it(`${scorer}: no alarm on held-out healthy windows, alarm on the inner-race fault with reasons`, () => {
      const detector = learned({ scorer });
      const healthyAlarms = heldOut.map((m) => scored(detector.process(m)).anomaly).filter((a) => a.anomaly);
      assert.equal(healthyAlarms.length, 0, `${healthyAlarms.length} alarms on ${heldOut.length} healthy windows`);
      const results = innerRace.map((m) => scored(detector.process(m)).anomaly);
      for (const result of results) checkAnomalyMessage(result, "anomaly");
      const alarmed = results.filter((a) => a.anomaly);
      assert.ok(alarmed.length >= 0.9 * innerRace.length, `alarm on ${alarmed.length} of ${innerRace.length} fault windows`);
      assert.equal(results[0].anomaly, false, "one window above the threshold is not yet an alarm");
      const top = alarmed[0].contributions[0];
      assert.ok(top.share > 0.2 && Math.abs(top.deviation ?? 0) > 3, `top contribution ${JSON.stringify(top)}`);
      assert.notEqual(alarmed[0].severity, "none");
    });
  }

  it("leaves a few transient windows in the learning phase out of the baseline", () => {
    const detector = new AnomalyDetector("cwru-rig", "de", { learning: "command" });
    detector.learn();
    // Three windows of a knock (here: fault windows) amid healthy learning data.
    const knocked = [...training.slice(0, 50), ...innerRace.slice(0, 3), ...training.slice(50)];
    for (const message of knocked) detector.process(message);
    const report = detector.freeze();
    assert.equal(report.transients, 3);
    assert.equal(report.windows, knocked.length, "the baseline keeps every window; the fit leaves the transients out");
    const alarmed = innerRace.slice(3).map((m) => scored(detector.process(m)).anomaly).filter((a) => a.anomaly);
    assert.ok(alarmed.length >= 0.9 * (innerRace.length - 3), `alarm on ${alarmed.length} fault windows`);
  });

  it("learns by itself from the first N windows, reporting progress", () => {
    const detector = new AnomalyDetector("cwru-rig", "de", { learnWindows: 40 });
    const outcomes = training.slice(0, 41).map((m) => detector.process(m));
    assert.equal(outcomes[0].kind, "learning");
    assert.equal((outcomes[19] as { progress: number }).progress, 0.5);
    assert.equal(outcomes[39].kind, "learned");
    assert.equal(outcomes[40].kind, "scored");
  });

  it("learns for a span of message time", () => {
    const detector = new AnomalyDetector("cwru-rig", "de", { learning: "time", learnHours: 0.5 / 3600 });
    const kinds = training.map((m) => detector.process(m).kind);
    const end = kinds.indexOf("learned");
    const spanMs = training[end].t0 - training[0].t0;
    assert.ok(spanMs >= 500 && training[end - 1].t0 - training[0].t0 < 500, `learned after ${spanMs} ms of data`);
  });

  it("exports a baseline that imports into identical scores, and restores from its saved state", () => {
    const detector = learned();
    const copy = new AnomalyDetector("cwru-rig", "de", { learning: "command" });
    copy.importBaseline(JSON.parse(JSON.stringify(detector.exportBaseline())));
    const restored = AnomalyDetector.fromState(JSON.parse(JSON.stringify(detector.toState())), { learning: "command" });
    for (const message of [...heldOut.slice(0, 5), ...innerRace.slice(0, 5)]) {
      const score = scored(detector.process(message)).anomaly.score;
      assert.equal(scored(copy.process(message)).anomaly.score, score);
      assert.equal(scored(restored.process(message)).anomaly.score, score);
    }
  });

  it("reports a slow shift of healthy windows as drift, not as an anomaly", () => {
    const detector = learned();
    // Healthy held-out windows whose level creeps up by 0.1 % per window (e.g. a changed load).
    let drift;
    let alarms = 0;
    for (let i = 0; i < 400 && !drift; i++) {
      const base = heldOut[i % heldOut.length];
      const gain = 1 + 0.001 * i;
      const features = Object.fromEntries(Object.entries(base.features).map(([k, v]) => [k, ["rms", "peak", "std"].includes(k) ? v * gain : v]));
      const outcome = scored(detector.process({ ...base, t0: base.t0 + i, features }));
      if (outcome.anomaly.anomaly) alarms++;
      drift = outcome.drift;
    }
    assert.ok(drift, "drift reported");
    assert.equal(alarms, 0);
    assert.ok(drift.features.some((f) => ["rms", "peak", "std"].includes(f.feature) && f.direction === "up"), JSON.stringify(drift.features));
  });
});

describe("anomaly detector on bad input", () => {
  it("refuses to score before any baseline exists when learning is on command", () => {
    const detector = new AnomalyDetector("pump", "de", { learning: "command" });
    assert.throws(() => detector.process(training[0]), /pump\/de: no baseline yet: send msg.topic "learn"/);
  });

  it("names a missing feature, ignores extra ones", () => {
    const detector = learned();
    const { kurtosis: _dropped, ...rest } = heldOut[0].features;
    assert.throws(() => detector.process({ ...heldOut[0], features: rest }), /msg\.payload\.features\.kurtosis: expected a finite number \(the baseline of cwru-rig\/de has this feature\), got nothing/);
    const extra: FeaturesMessage = { ...heldOut[0], features: { ...heldOut[0].features, oil_temperature: 71 } };
    assert.equal(scored(detector.process(extra)).anomaly.score, scored(learned().process(heldOut[0])).anomaly.score);
  });

  it("needs enough windows to freeze and rejects a baseline of the wrong shape", () => {
    const detector = new AnomalyDetector("pump", "de", { learning: "command" });
    detector.learn();
    training.slice(0, 5).forEach((m) => detector.process(m));
    assert.throws(() => detector.freeze(), /pump\/de: 5 windows learned, at least 20 are needed/);
    const baseline = learned().exportBaseline();
    assert.throws(() => detector.importBaseline({ ...baseline, windows: [[1, 2]] }), /msg\.payload\.windows\[0\]: expected 18 values, one per feature name/);
    assert.throws(() => AnomalyDetector.fromState({ format: "something else" }, {}), /state\.format: expected a pdm-anomaly-state version 1 file/);
  });
});
