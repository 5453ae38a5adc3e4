import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { NodeMessage } from "node-red";
import type { AnomalyMessage, RulMessage } from "../../nodes/shared/contract";
import { checkMaintenanceTask } from "../../nodes/shared/contract";
import { DEFAULT_RULES, RuleEngine, checkRules } from "../../nodes/planner/rules";
import { TaskStore } from "../../nodes/planner/task-store";
import { buildNodes, collect, errorOf, helper, nodeModule, onTab, settle } from "../helpers/runtime";

const H = 3_600_000;
const T0 = Date.UTC(2026, 0, 5, 8);

function rul(asset: string, hours: number, t0 = T0): RulMessage {
  return { asset, t0, rul: hours, unit: "h", lower: hours * 0.8, upper: hours * 1.2, healthIndex: 30, pFail: { "24h": 0.05, "7d": 0.4, "30d": 0.9 } };
}

function anomaly(asset: string, t0: number, isAnomaly = true): AnomalyMessage {
  return { asset, t0, score: isAnomaly ? 5 : 1, threshold: 3, anomaly: isAnomaly, severity: isAnomaly ? "high" : "none", contributions: [] };
}

const assetParts = { "pump-1": [{ part: "bearing-6205", quantity: 2 }] };

describe("maintenance rules", () => {
  it("RUL below 120 h with the spare part out of stock: an inspection within 24 h and a purchase request", () => {
    const engine = new RuleEngine(DEFAULT_RULES, { assetParts, safetyMarginH: 24 }, new TaskStore());
    engine.updateStock([{ part: "bearing-6205", stock: 1, leadTimeH: 72 }]);
    const { tasks, purchases } = engine.handle({ kind: "rul", message: rul("pump-1", 100) });
    assert.equal(tasks.length, 1);
    const [task] = tasks;
    checkMaintenanceTask(task, "task");
    assert.equal(task.cause, "rul-low-no-parts");
    assert.equal(task.priority, "high");
    assert.equal(task.deadline, T0 + 24 * H);
    assert.equal(task.pFail, 0.4);
    assert.deepEqual(task.parts, assetParts["pump-1"]);
    assert.deepEqual(purchases.map((p) => [p.part, p.quantity, p.taskId]), [["bearing-6205", 1, task.id]]);
  });

  it("does not fire with the part in stock or with RUL at 120 h or more", () => {
    const engine = new RuleEngine(DEFAULT_RULES, { assetParts, safetyMarginH: 24 }, new TaskStore());
    engine.updateStock([{ part: "bearing-6205", stock: 2, leadTimeH: 72 }]);
    assert.equal(engine.handle({ kind: "rul", message: rul("pump-1", 100) }).tasks.length, 0);
    engine.updateStock([{ part: "bearing-6205", stock: 0, leadTimeH: 72 }]);
    assert.equal(engine.handle({ kind: "rul", message: rul("pump-1", 120) }).tasks.length, 0);
    assert.equal(engine.handle({ kind: "rul", message: rul("pump-1", 119.5) }).tasks.length, 1);
  });

  it("3 anomalies on one asset within 24 h: one high-priority work order, no duplicate while it is open", () => {
    const store = new TaskStore();
    const engine = new RuleEngine(DEFAULT_RULES, { assetParts, safetyMarginH: 24 }, store);
    const fired = (t0: number, asset = "fan-1", isAnomaly = true) => engine.handle({ kind: "anomaly", message: anomaly(asset, t0, isAnomaly) }).tasks.length;
    assert.equal(fired(T0), 0);
    assert.equal(fired(T0 + 1 * H, "fan-1", false), 0, "a normal reading does not count");
    assert.equal(fired(T0 + 2 * H, "fan-2"), 0, "another asset does not count");
    assert.equal(fired(T0 + 25 * H), 0, "the first one is older than 24 h now");
    assert.equal(fired(T0 + 30 * H), 0);
    assert.equal(fired(T0 + 31 * H), 1);
    assert.equal(fired(T0 + 32 * H), 0, "still open: no duplicate");
    const open = store.find("fan-1", "repeated-anomaly");
    assert.equal(open?.priority, "high");
    store.close({ taskId: open?.id ?? "" });
    assert.equal(fired(T0 + 33 * H), 1, "closed: the rule fires again");
  });

  it("caps a RUL task's deadline at the safety margin before the predicted failure", () => {
    const rules = checkRules([{ id: "rul-soon", on: "rul", conditions: [{ field: "pFail.7d", op: ">=", value: 0.3 }], action: "replace bearing", priority: "urgent", dueH: 72, durationH: 3, skills: ["mechanical"] }], "rules");
    const engine = new RuleEngine(rules, { assetParts: {}, safetyMarginH: 10 }, new TaskStore());
    const [task] = engine.handle({ kind: "rul", message: rul("pump-2", 30) }).tasks;
    assert.equal(task.deadline, T0 + 20 * H);
  });

  it("names the field of a bad rule", () => {
    assert.throws(() => checkRules([{ ...DEFAULT_RULES[0], priority: "asap" }], "config.rules"), /config\.rules\[0\]\.priority: expected one of "low", "medium", "high", "urgent", got "asap"/);
    assert.throws(() => checkRules([DEFAULT_RULES[0], DEFAULT_RULES[0]], "config.rules"), /config\.rules\[1\]\.id: expected a rule id used once/);
  });

  it("keeps open tasks across a restart in its file", () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "pdm-rules-")), "open.json");
    const engine = new RuleEngine(DEFAULT_RULES, { assetParts, safetyMarginH: 24 }, new TaskStore(file));
    engine.updateStock([]);
    assert.equal(engine.handle({ kind: "rul", message: rul("pump-1", 50) }).tasks.length, 1);
    const reopened = new RuleEngine(DEFAULT_RULES, { assetParts, safetyMarginH: 24 }, new TaskStore(file));
    assert.equal(reopened.handle({ kind: "rul", message: rul("pump-1", 40) }).tasks.length, 0, "the task from before the restart is still open");
  });
});

const rulesNode = nodeModule(path.join(buildNodes, "planner", "pdm-rules.js"));

function flow(options: Record<string, unknown> = {}) {
  return onTab([
    { id: "rules", type: "pdm-rules", name: "", rules: "", assetParts: JSON.stringify(assetParts), safetyMarginH: 24, wires: [["tasks"], ["purchases"]], ...options },
    { id: "tasks", type: "helper" },
    { id: "purchases", type: "helper" },
    { id: "caught", type: "helper" },
    { id: "catcher", type: "catch", scope: ["rules"], uncaught: false, wires: [["caught"]] },
  ]);
}

describe("pdm-rules node", () => {
  afterEach(() => helper.unload());

  it("sends a task and a purchase request, then the completion when the task is done", async () => {
    await helper.load(rulesNode, flow());
    const node = helper.getNode("rules");
    const tasks = collect(helper.getNode("tasks"), 1);
    const purchases = collect(helper.getNode("purchases"), 1);
    node.receive({ topic: "stock", payload: [{ part: "bearing-6205", stock: 0, leadTimeH: 48 }] });
    node.receive({ payload: rul("pump-1", 80) });
    const [taskMsg] = (await tasks) as Array<NodeMessage & { payload: { id: string; cause: string } }>;
    const [purchaseMsg] = (await purchases) as Array<NodeMessage & { payload: { part: string; quantity: number } }>;
    assert.equal(taskMsg.topic, "task");
    assert.equal(taskMsg.payload.cause, "rul-low-no-parts");
    assert.equal(purchaseMsg.topic, "purchase-request");
    assert.deepEqual([purchaseMsg.payload.part, purchaseMsg.payload.quantity], ["bearing-6205", 2]);
    const again = settle(helper.getNode("tasks"), 300);
    node.receive({ payload: rul("pump-1", 70, T0 + H) });
    assert.equal((await again).length, 0, "no duplicate while the task is open");
    const completion = collect(helper.getNode("tasks"), 1);
    node.receive({ topic: "done", payload: { taskId: taskMsg.payload.id } });
    const [doneMsg] = (await completion) as Array<NodeMessage & { payload: { taskId: string } }>;
    assert.equal(doneMsg.topic, "done");
    assert.equal(doneMsg.payload.taskId, taskMsg.payload.id);
  });

  it("reports a malformed event to a Catch node with the field named", async () => {
    await helper.load(rulesNode, flow());
    const caught = collect(helper.getNode("caught"), 1);
    helper.getNode("rules").receive({ payload: { ...rul("pump-1", 80), rul: -5 } });
    const [msg] = await caught;
    assert.equal(errorOf(msg).message, "ValidationError: msg.payload.rul: expected a finite number >= 0, got -5");
  });

  it("shows a bad rule table as an error on the node and reports input to Catch", async () => {
    await helper.load(rulesNode, flow({ rules: "[{ not json" }));
    const caught = collect(helper.getNode("caught"), 1);
    helper.getNode("rules").receive({ payload: rul("pump-1", 80) });
    const [msg] = await caught;
    assert.match(errorOf(msg).message, /invalid configuration/);
  });
});
