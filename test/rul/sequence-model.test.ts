import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { createSession } from "../../nodes/shared/onnx";
import { SequenceRulModel } from "../../nodes/rul/sequence-model";
import { RulService } from "../../nodes/rul/rul-service";
import { phm08Score, readCmapss, readTrueRul, rmse } from "../../nodes/rul/cmapss";
import { checkRulMessage } from "../../nodes/shared/contract";
import { repoRoot } from "../helpers/runtime";
import { cmapssDir } from "./fixtures";

const sidecar = (subset: string) => path.join(repoRoot, "models", "rul", `cmapss-${subset}.json`);

/** Last-cycle predictions for every test engine of a subset, in one batched model run. */
async function lastCyclePredictions(model: SequenceRulModel, subset: string): Promise<number[]> {
  const engines = readCmapss(path.join(cmapssDir, `test_${subset.toUpperCase()}.txt.gz`));
  const windows = engines.map((engine) => {
    const window = model.newWindow();
    for (const record of engine.cycles.slice(-model.window)) window.push(model.normalise(record));
    return window;
  });
  return (await model.predict(windows)).map((e) => e.rul);
}

describe("ONNX sequence model (C-MAPSS)", () => {
  let model: SequenceRulModel;
  before(async () => {
    model = await SequenceRulModel.load(sidecar("fd001"));
  });
  after(() => model.release());

  // The target; the shipped model measures 12.79 (see docs/rul.md).
  it("FD001: RMSE <= 13 cycles over the last cycle of the 100 test engines", async () => {
    const predicted = await lastCyclePredictions(model, "fd001");
    const truth = readTrueRul(path.join(cmapssDir, "RUL_FD001.txt"));
    const error = rmse(predicted, truth);
    assert.ok(error <= 13, `RMSE ${error.toFixed(2)}`);
    assert.ok(phm08Score(predicted, truth) < 400, `PHM08 score ${phm08Score(predicted, truth).toFixed(0)}`);
  });

  it("gives the same last-cycle RUL through the node's core, one cycle at a time, as in one batch", async () => {
    const engines = readCmapss(path.join(cmapssDir, "test_FD001.txt.gz")).slice(0, 5);
    const batch = (await lastCyclePredictions(model, "fd001")).slice(0, 5);
    const service = new RulService({ method: "onnx", unit: "cycles", model });
    for (const [i, engine] of engines.entries()) {
      let last;
      for (const record of engine.cycles) last = await service.update({ asset: `e${engine.unit}`, t0: 0, features: record });
      assert.ok(last?.ok);
      checkRulMessage(last.message, "rul");
      assert.ok(Math.abs(last.message.rul - batch[i]) < 1e-3);
      assert.equal(last.message.unit, "cycles");
      assert.equal(last.message.method, "onnx:cmapss-fd001");
      assert.ok(last.message.pFail["24h"] <= last.message.pFail["7d"] && last.message.pFail["7d"] <= last.message.pFail["30d"]);
    }
  });

  it("runs on onnxruntime-web when onnxruntime-node cannot load, with the same results", async () => {
    const web = await SequenceRulModel.load(sidecar("fd001"), { nativeModule: "onnxruntime-node-that-is-not-installed" });
    try {
      assert.equal(web.backend, "onnxruntime-web");
      assert.match(web.fallbackReason ?? "", /onnxruntime-node-that-is-not-installed could not load/);
      const [a, b] = await Promise.all([lastCyclePredictions(model, "fd001"), lastCyclePredictions(web, "fd001")]);
      a.forEach((x, i) => assert.ok(Math.abs(x - b[i]) < 1e-3, `engine ${i + 1}: ${x} vs ${b[i]}`));
    } finally {
      await web.release();
    }
    assert.equal(model.backend, "onnxruntime-node");
  });

  it("refuses a model whose input shape does not match its sidecar", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pdm-rul-sidecar-"));
    const original = JSON.parse(fs.readFileSync(sidecar("fd001"), "utf8"));
    const features = original.features.length;
    const wrong = { ...original, model: path.join(repoRoot, "models", "rul", original.model), window: 20, input: { ...original.input, shape: [-1, 20, features] } };
    fs.writeFileSync(path.join(dir, "wrong.json"), JSON.stringify(wrong));
    await assert.rejects(
      SequenceRulModel.load(path.join(dir, "wrong.json")),
      new RegExp(`cmapss-fd001\\.onnx does not match wrong\\.json: the model's input shape is \\[batch, ${original.window}, ${features}\\], the sidecar says \\[batch, 20, ${features}\\]`),
    );
    const inconsistent = { ...original, window: 20 };
    fs.writeFileSync(path.join(dir, "inconsistent.json"), JSON.stringify(inconsistent));
    await assert.rejects(SequenceRulModel.load(path.join(dir, "inconsistent.json")), new RegExp(`inconsistent\\.json\\.input\\.shape\\[1\\]: expected the window length 20, got ${original.window}`));
  });

  it("names a missing or NaN input feature", () => {
    const record = readCmapss(path.join(cmapssDir, "test_FD001.txt.gz"))[0].cycles[0];
    assert.throws(() => model.normalise({ ...record, s11: NaN }), /msg\.payload\.features\.s11: expected a finite number \(the model needs it\), got NaN/);
    const { s4: _dropped, ...missing } = record;
    assert.throws(() => model.normalise(missing), /features\.s4: .*got nothing \(missing\)/);
  });

  it("FD002: normalises per operating condition (six conditions found)", async () => {
    const fd002 = await SequenceRulModel.load(sidecar("fd002"));
    try {
      const engine = readCmapss(path.join(cmapssDir, "test_FD002.txt.gz"))[0];
      const conditions = new Set(engine.cycles.map((c) => fd002.condition(c)));
      assert.equal(conditions.size, 6);
      const predicted = await lastCyclePredictions(fd002, "fd002");
      const error = rmse(predicted, readTrueRul(path.join(cmapssDir, "RUL_FD002.txt")));
      assert.ok(error < 25, `FD002 RMSE ${error.toFixed(2)}`);
    } finally {
      await fd002.release();
    }
  });

  it("reports a file that is not a model", async () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "pdm-onnx-")), "broken.onnx");
    fs.writeFileSync(file, "not a model");
    await assert.rejects(createSession(file), /broken\.onnx: not a model onnxruntime-node can load/);
  });
});
