/**
 * pdm-anomaly: learns what healthy looks like per asset and sensor from features
 * messages, then scores every new window against it. Output 1: one anomaly message per
 * scored window; output 2: events (baseline learned, drift, exported baselines).
 * The learning, scoring and alarm logic is in ./detector; this adapter routes messages
 * and commands, keeps one detector per asset/sensor and saves them in the userDir.
 */
import * as path from "node:path";
import type { Criticality } from "../config/asset";
import { assetFromConfig } from "../config/pdm-asset";
import { checkFeaturesMessage } from "../shared/contract";
import { Node, NodeAPI, NodeDef, NodeMessage, NodeMessageInFlow, Send, errorOf, onInput, status, userDataDir } from "../shared/node-red";
import { isRecord, nonEmptyString } from "../shared/validate";
import { backendLabel, loadAutoencoder } from "./autoencoder";
import { AnomalyEditorConfig, parseAnomalyConfig } from "./config";
import { AnomalyDetector, DetectorOptions, LearnedReport, Outcome } from "./detector";
import { deleteState, loadStates, saveState, stateFile } from "./store";

interface AnomalyNodeConfig extends NodeDef, AnomalyEditorConfig {
  asset?: string;
}

export const COMMANDS = ["learn", "rebaseline", "freeze", "reset", "export", "import"] as const;
type Command = (typeof COMMANDS)[number];

/** Save a detector while it learns every this many windows, so a restart loses little. */
const SAVE_EVERY_LEARNED_WINDOWS = 20;

/** The asset/sensor a command is for: msg.payload.asset and .sensor, each optional (absent = all). */
function commandTarget(msg: NodeMessageInFlow): { asset?: string; sensor?: string } {
  const payload: unknown = msg.payload;
  if (!isRecord(payload)) return {};
  return {
    asset: payload.asset === undefined ? undefined : nonEmptyString(payload.asset, "msg.payload.asset"),
    sensor: payload.sensor === undefined ? undefined : nonEmptyString(payload.sensor, "msg.payload.sensor"),
  };
}

export default function register(RED: NodeAPI): void {
  function PdmAnomalyNode(this: Node, config: AnomalyNodeConfig) {
    RED.nodes.createNode(this, config);
    const node = this;
    const detectors = new Map<string, AnomalyDetector>();
    let options: DetectorOptions | undefined;
    let configError: Error | undefined;
    let dir = "";
    /** With learning on command: new assets/sensors learn from their first window after "learn" until "freeze". */
    let learnNew = false;
    /** The autoencoder scorer only: its ONNX backend for the status ("onnx: node", "onnx: web (fallback)"). */
    let backend = "";
    /**
     * The autoencoder scorer only: onnxruntime is asynchronous, so messages go through one
     * promise queue and leave in the order they came; the other scorers stay synchronous.
     */
    let queue: Promise<void> = Promise.resolve();

    const keyOf = (asset: string, sensor: string) => `${asset}/${sensor}`;
    const save = (detector: AnomalyDetector) => saveState(stateFile(dir, detector.asset, detector.sensor), detector.toState());

    try {
      const criticality: Criticality | undefined = config.asset ? assetFromConfig(RED, config.asset).criticality : undefined;
      options = parseAnomalyConfig(config, criticality);
      dir = path.join(userDataDir(RED, "anomaly"), node.id.replace(/[^A-Za-z0-9_.-]/g, "_"));
      const settings = options;
      const { restored, failures } = loadStates(dir, (state) => AnomalyDetector.fromState(state, settings));
      for (const detector of restored) detectors.set(keyOf(detector.asset, detector.sensor), detector);
      for (const failure of failures) node.warn(`pdm-anomaly: saved state ${failure.file} unreadable (${failure.error}); moved aside as .corrupt, that asset learns anew`);
      if (failures.length > 0) status.warn(node, `${failures.length} saved state(s) unreadable`);
      else status.idle(node, detectors.size > 0 ? `${detectors.size} baseline(s) loaded` : "waiting for features");
      if (options.scorer === "autoencoder") {
        queue = loadAutoencoder(options.onnx).then(
          (model) => {
            backend = backendLabel(model.session.backend);
            if (model.session.fallbackReason) node.log(`pdm-anomaly: autoencoder on onnxruntime-web (${model.session.fallbackReason})`);
            status.idle(node, backend);
          },
          (err) => {
            node.error(`pdm-anomaly: the autoencoder could not load: ${errorOf(err).message}`);
            status.error(node, "autoencoder could not load");
          },
        );
      }
    } catch (err) {
      configError = errorOf(err);
      node.error(`pdm-anomaly: ${configError.message}`);
      status.error(node, configError.message);
    }

    const selected = (msg: NodeMessageInFlow): AnomalyDetector[] => {
      const { asset, sensor } = commandTarget(msg);
      return [...detectors.values()].filter((d) => (asset === undefined || d.asset === asset) && (sensor === undefined || d.sensor === sensor));
    };

    const learnedEvent = (report: LearnedReport): NodeMessage => ({ topic: "learned", payload: report });

    const runCommand = async (command: Command, msg: NodeMessageInFlow, send: Send, settings: DetectorOptions) => {
      const events: NodeMessage[] = [];
      if (command === "learn" || command === "rebaseline") {
        const { asset, sensor } = commandTarget(msg);
        if (asset !== undefined && sensor !== undefined && !detectors.has(keyOf(asset, sensor))) {
          detectors.set(keyOf(asset, sensor), new AnomalyDetector(asset, sensor, settings));
        }
        for (const detector of selected(msg)) detector.learn();
        if (asset === undefined) learnNew = settings.learning === "command";
        status.busy(node, "learning");
      } else if (command === "freeze") {
        learnNew = false;
        for (const detector of selected(msg).filter((d) => d.isLearning)) {
          events.push(learnedEvent(detector.isAsync ? await detector.freezeAsync() : detector.freeze()));
          save(detector);
        }
        status.ok(node, `${events.length} baseline(s) learned`);
      } else if (command === "reset") {
        for (const detector of selected(msg)) {
          detectors.delete(keyOf(detector.asset, detector.sensor));
          deleteState(stateFile(dir, detector.asset, detector.sensor));
        }
        status.idle(node, "reset");
      } else if (command === "export") {
        for (const detector of selected(msg).filter((d) => d.hasBaseline)) events.push({ topic: "baseline", payload: detector.exportBaseline() });
        if (events.length === 0) throw new Error("export: no baseline learned yet for the asset/sensor in msg.payload");
      } else {
        const payload = isRecord(msg.payload) ? msg.payload : {};
        const asset = nonEmptyString(payload.asset, "msg.payload.asset");
        const sensor = nonEmptyString(payload.sensor, "msg.payload.sensor");
        const detector = new AnomalyDetector(asset, sensor, settings);
        events.push(learnedEvent(detector.isAsync ? await detector.importBaselineAsync(msg.payload) : detector.importBaseline(msg.payload)));
        detectors.set(keyOf(asset, sensor), detector);
        save(detector);
        status.ok(node, `imported ${asset}/${sensor}`);
      }
      if (events.length > 0) send([null, events]);
    };

    /** The detector of a features message's asset/sensor (created on its first window). */
    const detectorFor = (asset: string, sensor: string, settings: DetectorOptions): AnomalyDetector => {
      const key = keyOf(asset, sensor);
      let detector = detectors.get(key);
      if (!detector) {
        detector = new AnomalyDetector(asset, sensor, settings);
        if (learnNew) detector.learn();
        detectors.set(key, detector);
      }
      return detector;
    };

    const withBackend = (text: string) => (backend ? `${text} ${backend}` : text);

    const report = (detector: AnomalyDetector, outcome: Outcome, msg: NodeMessageInFlow, send: Send) => {
      const key = keyOf(detector.asset, detector.sensor);
      if (outcome.kind === "learning") {
        status.busy(node, `${key} learning ${Math.floor(outcome.progress * 100)} %`);
        if (outcome.windows % SAVE_EVERY_LEARNED_WINDOWS === 0) save(detector);
        return;
      }
      if (outcome.kind === "learned") {
        save(detector);
        status.ok(node, backend ? `learned · ${backend}` : `${key} learned`);
        send([null, learnedEvent(outcome.learned)]);
        return;
      }
      const { anomaly, drift } = outcome;
      msg.payload = anomaly;
      if (drift) save(detector);
      send([msg, drift ? { topic: "drift", payload: drift } : null]);
      if (anomaly.anomaly) status.warn(node, `${key} ${anomaly.severity} ${anomaly.contributions[0]?.feature ?? ""}`);
      else status.ok(node, backend ? withBackend(`${anomaly.score.toFixed(2)}/${anomaly.threshold.toFixed(2)}`) : `${key} ${anomaly.score.toFixed(2)}/${anomaly.threshold.toFixed(2)}`);
    };

    /** The autoencoder's path: the same steps, awaited, one message at a time. */
    const handleAsync = async (msg: NodeMessageInFlow, send: Send, settings: DetectorOptions) => {
      if (typeof msg.topic === "string" && COMMANDS.includes(msg.topic as Command)) return runCommand(msg.topic as Command, msg, send, settings);
      const features = checkFeaturesMessage(msg.payload, "msg.payload");
      const detector = detectorFor(features.asset, features.sensor, settings);
      report(detector, await detector.processAsync(features), msg, send);
    };

    onInput(node, (msg, send) => {
      if (!options) throw configError ?? new Error("not configured");
      if (options.scorer === "autoencoder") {
        const settings = options;
        const run = queue.then(() => handleAsync(msg, send, settings));
        queue = run.catch(() => undefined);
        return run;
      }
      if (typeof msg.topic === "string" && COMMANDS.includes(msg.topic as Command)) return runCommand(msg.topic as Command, msg, send, options);
      const features = checkFeaturesMessage(msg.payload, "msg.payload");
      const detector = detectorFor(features.asset, features.sensor, options);
      report(detector, detector.process(features), msg, send);
    });

    node.on("close", (_removed: boolean, done: () => void) => {
      try {
        for (const detector of detectors.values()) save(detector);
      } catch (err) {
        node.error(`pdm-anomaly: could not save state: ${errorOf(err).message}`);
      }
      done();
    });
  }
  RED.nodes.registerType("pdm-anomaly", PdmAnomalyNode);
}
