/**
 * RUL speed: ONNX predictions per second, single and batched (shipped C-MAPSS FD001 model,
 * native onnxruntime-node against the WebAssembly fallback onnxruntime-web in the same
 * run), and the p95 latency of one prediction through a Node-RED runtime (pdm-rul with the
 * ONNX model against pdm-health-index, a pure-JavaScript node, in the same runtime).
 */
import * as path from "node:path";
import type { NodeMessage } from "node-red";
import { SequenceRulModel, ObservationWindow } from "../nodes/rul/sequence-model";
import { readCmapss } from "../nodes/rul/cmapss";
import { dataDir, modelsDir } from "../nodes/shared/paths";
import { BenchReport, keep } from "./report";
import { buildNodes, helper, nodeModule, onTab } from "../test/helpers/runtime";

const SIDECAR = path.join(modelsDir, "rul", "cmapss-fd001.json");
const BATCH = 1000;

/** Calls per second of an async function, run back to back for about `seconds` after a warm-up. */
async function asyncThroughput(fn: () => Promise<unknown>, seconds = 1): Promise<number> {
  const warmUpEnd = performance.now() + 200;
  while (performance.now() < warmUpEnd) keep(await fn());
  let calls = 0;
  const start = performance.now();
  const end = start + seconds * 1000;
  while (performance.now() < end) {
    keep(await fn());
    calls++;
  }
  return calls / ((performance.now() - start) / 1000);
}

/** Windows of real test engines (the last `window` cycles of each FD001 test engine, repeated to `count`). */
function windows(model: SequenceRulModel, count: number): ObservationWindow[] {
  const engines = readCmapss(path.join(dataDir, "cmapss", "test_FD001.txt.gz"));
  return Array.from({ length: count }, (_, i) => {
    const window = model.newWindow();
    for (const record of engines[i % engines.length].cycles.slice(-model.window)) window.push(model.normalise(record));
    return window;
  });
}

function p95(samples: number[]): number {
  const sorted = samples.slice().sort((a, b) => a - b);
  return sorted[Math.floor(0.95 * (sorted.length - 1))];
}

/** p95 latency (ms) of one message in, one message out, through a loaded node, sent one at a time. */
async function latencyP95(nodeId: string, messages: Array<Record<string, unknown>>): Promise<number> {
  const out = helper.getNode("out");
  const times: number[] = [];
  for (const [i, msg] of messages.entries()) {
    const arrived = new Promise<NodeMessage>((resolve) => out.once("input", resolve));
    const start = performance.now();
    helper.getNode(nodeId).receive(msg);
    await arrived;
    if (i >= 50) times.push(performance.now() - start);
  }
  return p95(times);
}

/**
 * RUL_BENCH_REFERENCE=<sidecar.json>: the shipped FD001 model beside another model (e.g. an
 * earlier one from git history), batched, in alternating rounds so that other load on the
 * machine slows both alike.
 */
async function compareWithModel(report: BenchReport, batch: ObservationWindow[]): Promise<void> {
  const referenceSidecar = process.env.RUL_BENCH_REFERENCE;
  if (!referenceSidecar) return;
  const shipped = await SequenceRulModel.load(SIDECAR);
  const reference = await SequenceRulModel.load(referenceSidecar);
  const referenceBatch = windows(reference, BATCH);
  const rates = { shipped: [] as number[], reference: [] as number[] };
  for (let round = 0; round < 3; round++) {
    rates.shipped.push(BATCH * (await asyncThroughput(() => shipped.predict(batch))));
    rates.reference.push(BATCH * (await asyncThroughput(() => reference.predict(referenceBatch))));
  }
  report.add({
    name: `ONNX RUL (${shipped.backend}), shipped FD001 model, batches of ${BATCH}, best of 3 rounds`,
    value: Math.max(...rates.shipped),
    unit: "predictions/s",
    reference: path.basename(referenceSidecar),
    referenceValue: Math.max(...rates.reference),
    higherIsBetter: true,
  });
  await shipped.release();
  await reference.release();
}

export async function run(report: BenchReport): Promise<void> {
  const native = await SequenceRulModel.load(SIDECAR);
  const wasm = await SequenceRulModel.load(SIDECAR, { backend: "web" });
  const single = windows(native, 1);
  const batch = windows(native, BATCH);

  const nativeSingle = await asyncThroughput(() => native.predict(single));
  const wasmSingle = await asyncThroughput(() => wasm.predict(single));
  report.add({
    name: `ONNX RUL (${native.backend}), one window per call`,
    value: nativeSingle,
    unit: "predictions/s",
    reference: "onnxruntime-web (WebAssembly fallback)",
    referenceValue: wasmSingle,
    higherIsBetter: true,
  });
  const nativeBatch = BATCH * (await asyncThroughput(() => native.predict(batch), 2));
  const wasmBatch = BATCH * (await asyncThroughput(() => wasm.predict(batch), 2));
  report.add({
    name: `ONNX RUL (${native.backend}), batches of ${BATCH}`,
    value: nativeBatch,
    unit: "predictions/s",
    reference: "onnxruntime-web (WebAssembly fallback)",
    referenceValue: wasmBatch,
    higherIsBetter: true,
    target: ">= 10 000 predictions/s",
  });
  await native.release();
  await wasm.release();
  await compareWithModel(report, batch);

  // One prediction through a Node-RED runtime: a C-MAPSS engine record in, a RUL message out.
  const engine = readCmapss(path.join(dataDir, "cmapss", "test_FD001.txt.gz"))[0];
  const records = Array.from({ length: 550 }, (_, i) => engine.cycles[i % engine.cycles.length]);
  await helper.load(nodeModule(path.join(buildNodes, "rul", "pdm-rul.js")), onTab([
    { id: "bench-rul", type: "pdm-rul", method: "onnx", unit: "cycles", model: "", backend: "auto", wires: [["out"], []] },
    { id: "out", type: "helper" },
  ]));
  const rulP95 = await latencyP95("bench-rul", records.map((features, i) => ({ payload: { asset: "engine-1", t0: i, features } })));
  await helper.unload();
  await helper.load(nodeModule(path.join(buildNodes, "rul", "pdm-health-index.js")), onTab([
    { id: "bench-hi", type: "pdm-health-index", features: "s11, s4", baselineCount: 2, failureValues: "", failureSigma: 10, weights: "", wires: [["out"], []] },
    { id: "out", type: "helper" },
  ]));
  // Its first two messages teach the baseline and send nothing.
  for (const features of records.slice(0, 2)) helper.getNode("bench-hi").receive({ payload: { asset: "engine-1", t0: 0, features } });
  await new Promise((resolve) => setTimeout(resolve, 100));
  const hiP95 = await latencyP95("bench-hi", records.map((features, i) => ({ payload: { asset: "engine-1", t0: i + 1, features } })));
  await helper.unload();
  report.add({
    name: "pdm-rul (ONNX) in Node-RED, one message in to RUL out, p95",
    value: rulP95,
    unit: "ms",
    reference: "pdm-health-index (plain JavaScript) in the same runtime",
    referenceValue: hiP95,
    higherIsBetter: false,
    target: "p95 < 5 ms",
  });
}
