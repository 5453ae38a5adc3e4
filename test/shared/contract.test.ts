import { strict as assert } from "node:assert";
import { MAX_BLOCK_SAMPLES, contractChecks, checkAlignedWindow, checkSampleBlock, checkRulMessage, checkFeaturesMessage, checkAuditRecord } from "../../nodes/shared/contract";
import { ValidationError } from "../../nodes/shared/validate";

const block = { asset: "pump-1", sensor: "acc", t0: 1_700_000_000_000, fs: 12_000, values: [0.1, -0.2, 0.3], unit: "g" };

/** Assert that a check throws a ValidationError for `field`, and return its message. */
function rejects(check: (v: unknown, p: string) => unknown, value: unknown, field: string): string {
  try {
    check(value, "msg.payload");
  } catch (err) {
    assert.ok(err instanceof ValidationError, `expected a ValidationError, got ${String(err)}`);
    assert.equal(err.field, field);
    return err.message;
  }
  assert.fail(`expected ${field} to be rejected`);
}

describe("message contract", () => {
  it("accepts a valid sample block and keeps other properties", () => {
    const checked = checkSampleBlock({ ...block, extra: 1 }, "msg.payload") as unknown as Record<string, unknown>;
    assert.deepEqual(checked.values, block.values);
    assert.equal(checked.extra, 1);
  });

  it("names the field and the bad value in errors", () => {
    assert.equal(rejects(checkSampleBlock, { ...block, fs: 0 }, "msg.payload.fs"), "msg.payload.fs: expected a finite number > 0, got 0");
    assert.equal(
      rejects(checkSampleBlock, { ...block, values: [1, NaN, 3] }, "msg.payload.values[1]"),
      "msg.payload.values[1]: expected a finite number, got NaN",
    );
    assert.match(rejects(checkSampleBlock, { ...block, values: [1, "2"] }, "msg.payload.values[1]"), /got "2"/);
    assert.match(rejects(checkSampleBlock, { ...block, asset: undefined }, "msg.payload.asset"), /missing/);
    assert.match(rejects(checkSampleBlock, { ...block, values: [] }, "msg.payload.values"), /at least 1 element/);
    rejects(checkSampleBlock, { ...block, values: [Infinity] }, "msg.payload.values[0]");
    rejects(checkSampleBlock, "not an object", "msg.payload");
  });

  it("rejects a block larger than the limit without listing its contents", () => {
    const huge = new Array<number>(MAX_BLOCK_SAMPLES + 1).fill(0);
    const message = rejects(checkSampleBlock, { ...block, values: huge }, "msg.payload.values");
    assert.equal(message, `msg.payload.values: expected at most ${MAX_BLOCK_SAMPLES} elements, got an array of ${MAX_BLOCK_SAMPLES + 1}`);
  });

  it("checks that every channel of an aligned window has n samples", () => {
    const window = { asset: "a", t0: 0, fs: 100, n: 2, channels: [{ sensor: "x", values: [1, 2] }, { sensor: "y", values: [3, 4] }] };
    checkAlignedWindow(window, "msg.payload");
    rejects(checkAlignedWindow, { ...window, channels: [{ sensor: "x", values: [1, 2] }, { sensor: "y", values: [3] }] }, "msg.payload.channels[1].values");
    rejects(checkAlignedWindow, { ...window, channels: [] }, "msg.payload.channels");
  });

  it("checks features, including spectrum lengths", () => {
    const features = { asset: "a", sensor: "s", t0: 0, fs: 100, n: 64, features: { rms: 1.2 } };
    checkFeaturesMessage(features, "msg.payload");
    rejects(checkFeaturesMessage, { ...features, features: { rms: NaN } }, "msg.payload.features.rms");
    rejects(checkFeaturesMessage, { ...features, features: {} }, "msg.payload.features");
    rejects(
      checkFeaturesMessage,
      { ...features, spectrum: { frequencies: [1, 2], amplitudes: [1] } },
      "msg.payload.spectrum.amplitudes",
    );
  });

  it("checks the RUL interval brackets the estimate", () => {
    const rul = { asset: "a", t0: 0, rul: 100, unit: "h", lower: 80, upper: 130, healthIndex: 62, pFail: { "24h": 0.01, "7d": 0.2, "30d": 0.9 } };
    checkRulMessage(rul, "msg.payload");
    rejects(checkRulMessage, { ...rul, lower: 120 }, "msg.payload.lower");
    rejects(checkRulMessage, { ...rul, upper: 90 }, "msg.payload.upper");
    rejects(checkRulMessage, { ...rul, unit: "days" }, "msg.payload.unit");
    rejects(checkRulMessage, { ...rul, pFail: { "24h": 1.5, "7d": 0.2, "30d": 0.9 } }, "msg.payload.pFail.24h");
  });

  it("checks audit records need a payload and hex hashes", () => {
    const record = { seq: 1, ts: 0, type: "calibration", actor: "tech-1", payload: null, prevHash: "0".repeat(64), hash: "a".repeat(64) };
    checkAuditRecord(record, "msg.payload");
    rejects(checkAuditRecord, { ...record, hash: "xyz" }, "msg.payload.hash");
    const { payload: _payload, ...withoutPayload } = record;
    rejects(checkAuditRecord, withoutPayload, "msg.payload.payload");
  });

  it("has a check for every shape the README lists", () => {
    assert.deepEqual(Object.keys(contractChecks).sort(), [
      "alignedWindow", "anomaly", "auditRecord", "features", "healthIndex", "productionWindows", "rul", "sampleBlock", "scalarSample", "schedule", "sparePart",
      "task", "technician", "workOrder",
    ]);
  });
});
