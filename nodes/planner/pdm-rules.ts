/**
 * pdm-rules: turns RUL, anomaly and stock events into maintenance tasks (output 1, for
 * pdm-planner) and purchase requests (output 2) with a rule table edited in the editor.
 * One open task per asset and cause, persisted in the userDir; a "done" message closes it.
 * The rules themselves are in ./rules, the open tasks in ./task-store.
 */
import * as path from "node:path";
import { checkAnomalyMessage, checkRulMessage } from "../shared/contract";
import { Node, NodeAPI, NodeDef, onInput, status, userDataDir } from "../shared/node-red";
import { arrayOf, finiteNumber, isRecord, nonEmptyString, recordOf, object } from "../shared/validate";
import { checkSparePart } from "./instance";
import { DEFAULT_RULES, RuleEngine, RuleOutcome, checkRules } from "./rules";
import { TaskStore } from "./task-store";

interface RulesConfig extends NodeDef {
  rules: string;
  assetParts: string;
  safetyMarginH: string | number;
}

const checkAssetParts = recordOf(arrayOf(object({ part: nonEmptyString, quantity: finiteNumber({ min: 1, integer: true }) })));

function parseJson(text: string | undefined, what: string): unknown {
  if (!text || !text.trim()) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new Error(`${what}: not valid JSON (${(err as Error).message})`);
  }
}

export default function register(RED: NodeAPI): void {
  function PdmRulesNode(this: Node, config: RulesConfig) {
    RED.nodes.createNode(this, config);
    const node = this;
    let engine: RuleEngine | undefined;
    let store: TaskStore | undefined;
    try {
      const rulesJson = parseJson(config.rules, "config.rules");
      const rules = rulesJson === undefined ? DEFAULT_RULES : checkRules(rulesJson, "config.rules");
      const assetParts = checkAssetParts(parseJson(config.assetParts, "config.assetParts") ?? {}, "config.assetParts");
      const safetyMarginH = finiteNumber({ min: 0 })(Number(config.safetyMarginH ?? 24), "config.safetyMarginH");
      store = new TaskStore(path.join(userDataDir(RED, "planner"), `rules-${node.id}.json`));
      engine = new RuleEngine(rules, { assetParts, safetyMarginH }, store);
      status.idle(node, `${rules.length} rules, ${store.list().length} open tasks`);
    } catch (err) {
      node.error(`pdm-rules: ${(err as Error).message}`);
      status.error(node, (err as Error).message);
    }

    onInput(node, (msg, send) => {
      if (!engine || !store) throw new Error("invalid configuration: open the node and correct it");
      const payload: unknown = msg.payload;
      let outcome: RuleOutcome = { tasks: [], purchases: [] };
      if (msg.topic === "stock") {
        engine.updateStock(Array.isArray(payload) ? arrayOf(checkSparePart)(payload, "msg.payload") : [checkSparePart(payload, "msg.payload")]);
      } else if (msg.topic === "done") {
        const ref = isRecord(payload) && payload.taskId === undefined
          ? { asset: nonEmptyString(payload.asset, "msg.payload.asset"), cause: nonEmptyString(payload.cause, "msg.payload.cause") }
          : { taskId: nonEmptyString(isRecord(payload) ? payload.taskId : payload, isRecord(payload) ? "msg.payload.taskId" : "msg.payload") };
        const closed = store.close(ref);
        if (closed) send([{ topic: "done", payload: { taskId: closed.id, asset: closed.asset, cause: closed.cause } }, null]);
      } else if (msg.topic === "reset") {
        store.clear();
      } else if (isRecord(payload) && "rul" in payload) {
        outcome = engine.handle({ kind: "rul", message: checkRulMessage(payload, "msg.payload") });
      } else if (isRecord(payload) && "anomaly" in payload) {
        outcome = engine.handle({ kind: "anomaly", message: checkAnomalyMessage(payload, "msg.payload") });
      } else {
        throw new Error('msg.payload: expected a RUL or anomaly message, or msg.topic "stock", "done" or "reset"');
      }
      const tasks = outcome.tasks.map((task) => ({ topic: "task", payload: task }));
      const purchases = outcome.purchases.map((request) => ({ topic: "purchase-request", payload: request }));
      if (tasks.length > 0 || purchases.length > 0) send([tasks, purchases]);
      const open = store.list().length;
      if (outcome.tasks.length > 0) status.warn(node, `new: ${outcome.tasks.map((t) => t.cause).join(", ")}; ${open} open`);
      else status.ok(node, `${open} open tasks`);
    });
  }
  RED.nodes.registerType("pdm-rules", PdmRulesNode);
}
