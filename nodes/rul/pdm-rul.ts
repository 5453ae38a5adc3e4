/**
 * pdm-rul: remaining useful life per asset with a 5-95 % interval and failure
 * probabilities, by a selectable method (degradation models, ONNX sequence model,
 * similarity to past run-to-failure histories). The work is in ./rul-service.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { NodeAPI, NodeDef, Node, onInput, status, userDataDir, errorOf } from "../shared/node-red";
import { modelsDir } from "../shared/paths";
import { RulUnit } from "../shared/contract";
import { DegradationPrior, RulMethod, RulService, RulServiceState, checkObservation, parseLibrary, RUL_METHODS } from "./rul-service";
import { SequenceRulModel } from "./sequence-model";
import { StateFile } from "./state-file";
import { commandOf } from "./commands";

interface RulConfig extends NodeDef {
  method: RulMethod;
  unit: RulUnit;
  hoursPerCycle: string | number;
  signal: string;
  threshold: string | number;
  phi: string | number;
  minObservations: string | number;
  slopeDetectionLevel: string | number;
  forgetting: string | number;
  /** Absent in flows made before the option: vague. */
  prior?: DegradationPrior;
  repairFraction: string | number;
  neighbours: string | number;
  library: string;
  model: string;
  backend: "auto" | "web";
}

export const DEFAULT_SIDECAR = path.join(modelsDir, "rul", "cmapss-fd001.json");

function numberSetting(value: unknown, name: string, fallback?: number): number {
  if (value === undefined || value === "") {
    if (fallback === undefined) throw new Error(`${name}: a number is required`);
    return fallback;
  }
  const x = Number(value);
  if (!Number.isFinite(x)) throw new Error(`${name}: expected a number, got ${JSON.stringify(value)}`);
  return x;
}

function readLibrary(file: string): ReturnType<typeof parseLibrary> {
  if (!file.trim()) return [];
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, "utf8"));
  } catch (err) {
    throw new Error(`library ${file}: ${errorOf(err).message.split("\n")[0]}`);
  }
  return parseLibrary(raw, path.basename(file));
}

/** Commands by msg.topic: reset an asset (or all), record a failure, add histories to the library. */
const COMMANDS = ["reset", "failed", "library"] as const;

export default function register(RED: NodeAPI): void {
  function PdmRulNode(this: Node, config: RulConfig) {
    RED.nodes.createNode(this, config);
    const node = this;
    let model: SequenceRulModel | undefined;
    let service: RulService | undefined;
    const stateFile = new StateFile<RulServiceState>(path.join(userDataDir(RED, "rul"), `rul-${node.id}.json`), () => service?.state);

    const ready: Promise<RulService> = (async () => {
      if (!RUL_METHODS.includes(config.method)) throw new Error(`method: expected one of ${RUL_METHODS.join(", ")}, got ${config.method}`);
      const options = {
        method: config.method,
        unit: config.unit === "cycles" ? ("cycles" as const) : ("h" as const),
        hoursPerCycle: numberSetting(config.hoursPerCycle, "hours per cycle", 1),
        signal: config.signal?.trim() || "healthIndex",
        threshold: numberSetting(config.threshold, "threshold", 0),
        phi: config.phi === "" || config.phi === undefined ? undefined : numberSetting(config.phi, "phi"),
        minObservations: numberSetting(config.minObservations, "minimum observations", 5),
        slopeDetectionLevel: numberSetting(config.slopeDetectionLevel, "slope detection level", 0.05),
        forgetting: numberSetting(config.forgetting, "forgetting factor", 0.95),
        prior: config.prior || "vague",
        repairFraction: numberSetting(config.repairFraction, "repair jump", 0.2),
        neighbours: numberSetting(config.neighbours, "neighbours", 5),
        library: readLibrary(config.library ?? ""),
      };
      if (options.method === "onnx") {
        status.busy(node, "loading model");
        model = await SequenceRulModel.load(config.model?.trim() || DEFAULT_SIDECAR, { backend: config.backend === "web" ? "web" : "auto" });
      }
      service = new RulService({ ...options, model }, stateFile.load());
      if (model?.fallbackReason && model.backend === "onnxruntime-web") {
        node.warn(`pdm-rul: using onnxruntime-web (WebAssembly), slower than the native runtime: ${model.fallbackReason}`);
        status.warn(node, `ready (${model.backend})`);
      } else {
        status.idle(node, model ? `ready (${model.backend})` : `ready (${config.method})`);
      }
      return service;
    })();
    ready.catch((err: unknown) => {
      node.error(`pdm-rul: ${errorOf(err).message}`);
      status.error(node, errorOf(err).message);
    });

    onInput(node, async (msg, send) => {
      const service = await ready;
      const command = commandOf(msg, COMMANDS);
      const asset = command?.asset;
      if (command?.name === "reset") {
        service.reset(asset);
        stateFile.saveNow();
        status.idle(node, asset ? `reset ${asset}` : "reset all");
        return;
      }
      if (command?.name === "failed") {
        if (!asset) throw new Error('msg.payload.asset: expected the asset that failed (topic "failed")');
        const history = service.recordFailure(asset);
        stateFile.saveNow();
        status.ok(node, `library: ${service.librarySize} runs`);
        send([null, { topic: "library", payload: { asset, event: "failure-recorded", history: history.id, library: service.librarySize } }]);
        return;
      }
      if (command?.name === "library") {
        for (const history of parseLibrary(msg.payload, "msg.payload")) service.addHistory(history);
        stateFile.saveNow();
        status.ok(node, `library: ${service.librarySize} runs`);
        return;
      }
      const observation = checkObservation(msg.payload, "msg.payload");
      const outcome = await service.update(observation);
      stateFile.saveSoon();
      if (outcome.repaired) {
        send([null, { topic: "repair", payload: { asset: observation.asset, t0: observation.t0, event: "repair-detected" } }]);
      }
      if (!outcome.ok) {
        status.busy(node, `${observation.asset}: ${outcome.reason}`);
        send([null, { topic: "no-estimate", payload: { asset: observation.asset, t0: observation.t0, reason: outcome.reason } }]);
        return;
      }
      const rul = outcome.message;
      (msg as Record<string, unknown>).payload = rul;
      (msg as Record<string, unknown>).rul = { method: rul.method, repaired: outcome.repaired, detail: outcome.detail };
      const text = `${rul.asset}: ${rul.rul.toFixed(rul.rul < 10 ? 1 : 0)} ${rul.unit} [${rul.lower.toFixed(0)}-${rul.upper.toFixed(0)}]`;
      if (rul.pFail["7d"] >= 0.5) status.warn(node, text);
      else status.ok(node, text);
      send([msg, null]);
    });

    node.on("close", (removed: boolean, done: () => void) => {
      stateFile.close(removed);
      const release = model ? model.release() : Promise.resolve();
      release.then(() => done(), () => done());
    });
  }
  RED.nodes.registerType("pdm-rul", PdmRulNode);
}
