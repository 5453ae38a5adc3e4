import { strict as assert } from "node:assert";
import * as path from "node:path";
import type { NodeMessage } from "node-red";
import { checkSchedule as checkScheduleShape } from "../../nodes/shared/contract";
import { DEFAULT_OPTIONS, HOUR_MS, PlanningInput } from "../../nodes/planner/instance";
import type { PlannerSchedule } from "../../nodes/planner/schedule";
import { buildNodes, collect, errorOf, helper, nodeModule, onTab } from "../helpers/runtime";
import { checkSchedule } from "./checker";
import { generateInstance } from "./generate";

const plannerNode = nodeModule(path.join(buildNodes, "planner", "pdm-planner.js"));

function flow(options: Record<string, unknown> = {}) {
  return onTab([
    { id: "planner", type: "pdm-planner", name: "", solver: "highs", timeLimitS: 20, gapPercent: 0, horizonH: 48, slotH: 0, lateToleranceH: 24, latenessCostPerH: 200, leftOutCost: 20000, defaultDowntimeCostPerH: 0, replanOnTask: true, wires: [["out"]], ...options },
    { id: "out", type: "helper" },
    { id: "caught", type: "helper" },
    { id: "catcher", type: "catch", scope: ["planner"], uncaught: false, wires: [["caught"]] },
  ]);
}

type ScheduleMsg = NodeMessage & { payload: PlannerSchedule; final: boolean };
const settings = { ...DEFAULT_OPTIONS, horizonH: 48 };

function assertValid(input: PlanningInput, schedule: PlannerSchedule): void {
  checkScheduleShape(schedule, "msg.payload");
  assert.deepEqual(checkSchedule(input, settings, schedule), []);
}

describe("pdm-planner node", function () {
  this.timeout(60_000);
  afterEach(() => helper.unload());

  it("sends the heuristic plan at once, then the solver's, both valid", async () => {
    await helper.load(plannerNode, flow());
    const input = generateInstance({ tasks: 10, technicians: 3, horizonH: 48, seed: 51 });
    const out = collect(helper.getNode("out"), 2, 30_000);
    helper.getNode("planner").receive({ topic: "plan", now: input.now, payload: { technicians: input.technicians, windows: input.windows, parts: input.parts, tasks: input.tasks } } as NodeMessage);
    const [first, final] = (await out) as ScheduleMsg[];
    assert.equal(first.final, false);
    assert.equal(first.payload.solver.name, "heuristic");
    assert.equal(final.final, true);
    assert.equal(final.payload.solver.name, "highs");
    assert.equal(final.payload.solver.status, "optimal");
    assertValid(input, first.payload);
    assertValid(input, final.payload);
    assert.ok(final.payload.objective <= first.payload.objective + 1e-6);
    assert.equal(final.payload.gantt.length, 3, "one Gantt row per technician");
  });

  it("re-plans when an urgent task arrives, keeping started work and counting the changes", async () => {
    await helper.load(plannerNode, flow());
    const planner = helper.getNode("planner");
    const input = generateInstance({ tasks: 8, technicians: 3, horizonH: 48, seed: 52 });
    const firstPlan = collect(helper.getNode("out"), 2, 30_000);
    planner.receive({ topic: "technicians", payload: input.technicians });
    planner.receive({ topic: "windows", payload: input.windows });
    planner.receive({ topic: "parts", payload: input.parts });
    planner.receive({ topic: "tasks", now: input.now, payload: input.tasks } as NodeMessage);
    const before = ((await firstPlan) as ScheduleMsg[])[1].payload;
    const startedOrder = before.workOrders[0];
    const now = startedOrder.start + HOUR_MS / 2;
    const urgent = { id: "urgent-1", asset: "asset-1", cause: "repeated-anomaly", action: "inspect", priority: "urgent", durationH: 2, skills: [], parts: [], earliestStart: now, deadline: now + 10 * HOUR_MS };
    const replanned = collect(helper.getNode("out"), 2, 30_000);
    planner.receive({ topic: "task", now, payload: urgent } as NodeMessage);
    const after = ((await replanned) as ScheduleMsg[])[1].payload;
    assert.deepEqual(after.workOrders.find((o) => o.id === startedOrder.id), startedOrder);
    assert.ok(after.workOrders.some((o) => o.taskId === "urgent-1"));
    const replanInput: PlanningInput = { ...input, now, tasks: [...input.tasks.filter((t) => t.id !== startedOrder.taskId), urgent as PlanningInput["tasks"][number]], started: [startedOrder] };
    assertValid(replanInput, after);
    const moved = before.workOrders.filter((o) => o.id !== startedOrder.id && !after.workOrders.some((a) => a.taskId === o.taskId && a.technician === o.technician && a.start === o.start));
    const newlyIn = after.workOrders.filter((a) => a.taskId !== "urgent-1" && !before.workOrders.some((o) => o.taskId === a.taskId));
    assert.equal(after.changedAssignments, moved.length + newlyIn.length);
  });

  it("plans a burst of tasks (many assets alarming at once) once, with every task, and no error", async () => {
    await helper.load(plannerNode, flow());
    const planner = helper.getNode("planner");
    const input = generateInstance({ tasks: 20, technicians: 3, horizonH: 48, seed: 53 });
    planner.receive({ topic: "technicians", payload: input.technicians });
    planner.receive({ topic: "windows", payload: input.windows });
    planner.receive({ topic: "parts", payload: input.parts });
    const everything: NodeMessage[] = [];
    helper.getNode("out").on("input", (msg: NodeMessage) => everything.push(msg));
    const errors: NodeMessage[] = [];
    helper.getNode("caught").on("input", (msg: NodeMessage) => errors.push(msg));
    const out = collect(helper.getNode("out"), 2, 30_000);
    for (const task of input.tasks) planner.receive({ topic: "task", now: input.now, payload: task } as NodeMessage);
    const [first, final] = (await out) as ScheduleMsg[];
    assert.equal(first.final, false);
    assert.equal(final.final, true);
    assert.equal(final.payload.workOrders.length + final.payload.unscheduled.length, input.tasks.length, "one plan covers the whole burst");
    assertValid(input, final.payload);
    // Nothing more comes: the burst gave one plan, not one per task, and no cancelled plan was an error.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    assert.equal(everything.length, 2);
    assert.deepEqual(errors.map((m) => errorOf(m).message), []);
  });

  it("reports bad input to a Catch node with the field named", async () => {
    await helper.load(plannerNode, flow());
    const caught = collect(helper.getNode("caught"), 2);
    helper.getNode("planner").receive({ topic: "technicians", payload: [{ id: "anna", skills: ["mechanical"], shifts: [{ start: 10, end: 5 }], hourlyCost: 50 }] });
    helper.getNode("planner").receive({ topic: "holidays", payload: [] });
    const [first, second] = await caught;
    assert.equal(errorOf(first).message, "ValidationError: msg.payload[0].shifts[0].end: expected a time after start (10), got 5");
    assert.match(errorOf(second).message, /^Error: msg\.topic: expected one of "technicians", .* got "holidays"$/);
  });

  it("with javascript-lp-solver on a congested week, ends at the time limit with a valid plan", async () => {
    await helper.load(plannerNode, flow({ solver: "javascript-lp-solver", timeLimitS: 1, horizonH: 168 }));
    const input = generateInstance({ tasks: 40, technicians: 6, horizonH: 168, seed: 53, congested: true });
    const out = collect(helper.getNode("out"), 2, 30_000);
    helper.getNode("planner").receive({ topic: "plan", now: input.now, payload: { technicians: input.technicians, windows: input.windows, parts: input.parts, tasks: input.tasks } } as NodeMessage);
    const [, final] = (await out) as ScheduleMsg[];
    assert.equal(final.payload.solver.name, "javascript-lp-solver");
    assert.deepEqual(checkSchedule(input, { ...DEFAULT_OPTIONS, horizonH: 168 }, final.payload), []);
  });
});
