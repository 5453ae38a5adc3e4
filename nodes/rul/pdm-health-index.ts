/**
 * pdm-health-index: fuses chosen condition features of an asset into one health index
 * (100 = as new, 0 = at the failure threshold) and, over completed run-to-failure runs,
 * ranks candidate features by monotonicity, trendability and prognosability.
 * The work is in ./health-index-service.
 */
import * as path from "node:path";
import { NodeAPI, NodeDef, Node, onInput, status, userDataDir } from "../shared/node-red";
import { HealthIndexService, HealthIndexServiceState, checkFeaturesInput } from "./health-index-service";
import { parseFailureValues } from "./health-index";
import { StateFile } from "./state-file";
import { commandOf } from "./commands";

interface HealthIndexConfig extends NodeDef {
  features: string;
  baselineCount: string | number;
  failureValues: string;
  failureSigma: string | number;
  weights: string;
}

const COMMANDS = ["reset", "failed", "rank"] as const;

export function parseSettings(config: Pick<HealthIndexConfig, "features" | "baselineCount" | "failureValues" | "failureSigma" | "weights">) {
  const features = (config.features ?? "").split(",").map((f) => f.trim()).filter(Boolean);
  const baselineCount = Number(config.baselineCount === "" || config.baselineCount === undefined ? 10 : config.baselineCount);
  const failureSigma = Number(config.failureSigma === "" || config.failureSigma === undefined ? 10 : config.failureSigma);
  return { features, baselineCount, failureSigma, failureValues: parseFailureValues(config.failureValues ?? ""), weights: parseFailureValues(config.weights ?? "") };
}

export default function register(RED: NodeAPI): void {
  function PdmHealthIndexNode(this: Node, config: HealthIndexConfig) {
    RED.nodes.createNode(this, config);
    const node = this;
    let service: HealthIndexService | undefined;
    const stateFile = new StateFile<HealthIndexServiceState>(path.join(userDataDir(RED, "rul"), `health-index-${node.id}.json`), () => service?.snapshot);
    let configError: Error | undefined;
    try {
      service = new HealthIndexService(parseSettings(config), stateFile.load());
      status.idle(node, "ready");
    } catch (err) {
      configError = err instanceof Error ? err : new Error(String(err));
      node.error(`pdm-health-index: ${configError.message}`);
      status.error(node, configError.message);
    }
    onInput(node, (msg, send) => {
      if (!service) throw configError ?? new Error("not configured");
      const command = commandOf(msg, COMMANDS);
      const asset = command?.asset;
      if (command?.name === "reset") {
        service.reset(asset);
        stateFile.saveNow();
        status.idle(node, asset ? `reset ${asset}` : "reset all");
        return;
      }
      if (command?.name === "failed" || command?.name === "rank") {
        if (!asset) throw new Error(`msg.payload.asset: expected the asset (topic "${command.name}")`);
        const ranking = command.name === "failed" ? service.recordFailure(asset) : service.ranking(asset);
        stateFile.saveNow();
        status.ok(node, `${asset}: ranked over ${ranking.runs} run(s)`);
        send([null, { topic: "feature-ranking", payload: ranking }]);
        return;
      }
      const input = checkFeaturesInput(msg.payload, "msg.payload");
      const outcome = service.update(input);
      stateFile.saveSoon();
      if (!outcome.ok) {
        if (outcome.learning) status.busy(node, `${input.asset}: baseline ${outcome.learning.count}/${outcome.learning.needed}`);
        return;
      }
      const hi = outcome.message;
      (msg as Record<string, unknown>).payload = hi;
      const text = `${hi.asset}: HI ${hi.healthIndex.toFixed(0)}`;
      if (hi.healthIndex < 30) status.warn(node, text);
      else status.ok(node, text);
      send([msg, null]);
    });

    node.on("close", (removed: boolean, done: () => void) => {
      stateFile.close(removed);
      done();
    });
  }
  RED.nodes.registerType("pdm-health-index", PdmHealthIndexNode);
}
