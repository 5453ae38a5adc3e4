import { strict as assert } from "node:assert";
import type { MaintenanceTask, WorkOrder } from "../../nodes/shared/contract";
import { checkSchedule as checkScheduleShape } from "../../nodes/shared/contract";
import { DEFAULT_OPTIONS, HOUR_MS, PlannerOptions, PlanningInput, checkPlanningInput, MAX_TASKS } from "../../nodes/planner/instance";
import { PlannerSchedule } from "../../nodes/planner/schedule";
import { SolverName } from "../../nodes/planner/solvers";
import { startPlan } from "../../nodes/planner/planner";
import { checkSchedule } from "./checker";
import { exhaustiveOptimum } from "./exhaustive";
import { MONDAY, generateInstance } from "./generate";

const hourly: PlannerOptions = { ...DEFAULT_OPTIONS, slotH: 1 };

async function plan(input: PlanningInput, options: PlannerOptions, solver: SolverName = "highs", previous?: PlannerSchedule) {
  const run = startPlan(input, options, { solver, timeLimitS: 20, gapTarget: 0 }, previous);
  return { first: await run.first, final: await run.final };
}

function assertValid(input: PlanningInput, options: PlannerOptions, schedule: PlannerSchedule): void {
  checkScheduleShape(schedule, "schedule");
  assert.deepEqual(checkSchedule(input, options, schedule), []);
}

function task(overrides: Partial<MaintenanceTask>): MaintenanceTask {
  return {
    id: "t1",
    asset: "pump-1",
    cause: "rul-low",
    action: "replace bearing",
    priority: "high",
    durationH: 2,
    skills: ["mechanical"],
    parts: [],
    earliestStart: MONDAY,
    deadline: MONDAY + 48 * HOUR_MS,
    ...overrides,
  };
}

/** Two technicians on day shifts Monday and Tuesday, one mechanical, one electrical. */
function smallTeam(): PlanningInput["technicians"] {
  const day = (d: number) => ({ start: MONDAY + (d * 24 + 6) * HOUR_MS, end: MONDAY + (d * 24 + 14) * HOUR_MS });
  return [
    { id: "anna", skills: ["mechanical"], shifts: [day(0), day(1)], hourlyCost: 60 },
    { id: "ben", skills: ["electrical"], shifts: [day(0), day(1)], hourlyCost: 50 },
  ];
}

function smallInput(tasks: MaintenanceTask[], extra: Partial<PlanningInput> = {}): PlanningInput {
  return { now: MONDAY, tasks, technicians: smallTeam(), windows: [], parts: [], started: [], ...extra };
}

describe("planner core", function () {
  this.timeout(60_000);

  it("gives plans that pass the independent checker, heuristic and MILP, both solvers, easy and congested", async () => {
    for (const size of [
      { tasks: 10, technicians: 3, horizonH: 48, seed: 1 },
      { tasks: 10, technicians: 3, horizonH: 48, seed: 2 },
      { tasks: 12, technicians: 3, horizonH: 48, seed: 3, congested: true },
    ]) {
      const input = generateInstance(size);
      const options = { ...DEFAULT_OPTIONS, horizonH: size.horizonH };
      for (const solver of ["highs", "javascript-lp-solver"] as const) {
        const { first, final } = await plan(input, options, solver);
        assertValid(input, options, first);
        assertValid(input, options, final);
        assert.ok(final.objective <= first.objective + 1e-6, "the solver never returns a worse plan than the heuristic");
        assert.equal(final.solver.name, solver);
      }
    }
  });

  it("reaches the optimum that exhaustive search finds on tiny congested instances", async function () {
    let heuristicWasWorse = 0;
    for (const seed of [102, 106, 112, 120, 129]) {
      const input = generateInstance({ tasks: 6, technicians: 2, horizonH: 48, seed, congested: true });
      const options = { ...hourly, horizonH: 48 };
      const optimum = exhaustiveOptimum(input, options);
      for (const solver of ["highs", "javascript-lp-solver"] as const) {
        const { first, final } = await plan(input, options, solver);
        assertValid(input, options, final);
        assert.ok(Math.abs(final.objective - optimum.objective) < 1e-6, `seed ${seed}, ${solver}: planner ${final.objective}, exhaustive ${optimum.objective}`);
        assert.equal(final.solver.status, "optimal");
        if (first.objective > optimum.objective + 1e-6) heuristicWasWorse++;
      }
    }
    // The instances are not trivial: on most of them the greedy plan is not optimal and the solver had work to do.
    assert.ok(heuristicWasWorse >= 6, `heuristic worse than the optimum in ${heuristicWasWorse} of 10 runs`);
  });

  it("HiGHS and javascript-lp-solver find the same optimum on 10 tasks x 3 technicians x 48 h", async () => {
    for (const seed of [21, 22, 23]) {
      const input = generateInstance({ tasks: 10, technicians: 3, horizonH: 48, seed });
      const options = { ...DEFAULT_OPTIONS, horizonH: 48 };
      const highs = await plan(input, options, "highs");
      const jsLp = await plan(input, options, "javascript-lp-solver");
      assert.equal(highs.final.solver.status, "optimal");
      assert.equal(jsLp.final.solver.status, "optimal");
      assert.ok(Math.abs(highs.final.objective - jsLp.final.objective) < 1e-6, `seed ${seed}: HiGHS ${highs.final.objective}, jsLP ${jsLp.final.objective}`);
    }
  });

  it("prefers planned stops: work goes where the asset is down anyway", async () => {
    const stop = { start: MONDAY + 30 * HOUR_MS, end: MONDAY + 36 * HOUR_MS };
    const input = smallInput([task({})], { windows: [{ asset: "pump-1", downtimeCostPerH: 1000, stops: [stop] }] });
    const { final } = await plan(input, hourly);
    assertValid(input, hourly, final);
    const [order] = final.workOrders;
    assert.ok(order.start >= stop.start && order.end <= stop.end, "inside the Tuesday stop");
    assert.equal(final.cost.downtime, 0);
    assert.equal(final.cost.labour, 120);
  });

  it("says why it left tasks out: skills, deadline past, parts late, no shifts, no capacity", async () => {
    const input = smallInput(
      [
        task({ id: "welding", skills: ["welding"] }),
        task({ id: "too-late", deadline: MONDAY - 48 * HOUR_MS, earliestStart: MONDAY - 72 * HOUR_MS }),
        task({ id: "needs-seal", parts: [{ part: "seal", quantity: 1 }] }),
        task({ id: "unknown-part", parts: [{ part: "gearbox", quantity: 1 }] }),
        task({ id: "hydraulic", skills: ["hydraulic"] }),
        task({ id: "big-1", asset: "fan-1", skills: ["electrical"], durationH: 8, priority: "urgent" }),
        task({ id: "big-2", asset: "fan-2", skills: ["electrical"], durationH: 8, priority: "urgent" }),
        task({ id: "big-3", asset: "fan-3", skills: ["electrical"], durationH: 8, priority: "low" }),
      ],
      {
        parts: [{ part: "seal", stock: 0, leadTimeH: 200 }],
        technicians: [...smallTeam(), { id: "carl", skills: ["hydraulic"], shifts: [], hourlyCost: 55 }],
      },
    );
    const { final } = await plan(input, hourly);
    assertValid(input, hourly, final);
    const reason = (id: string) => final.unscheduled.find((u) => u.taskId === id)?.reason ?? "(scheduled)";
    assert.match(reason("welding"), /no technician has the skills: welding/);
    assert.match(reason("too-late"), /deadline already passed/);
    assert.match(reason("needs-seal"), /parts arrive .* after the deadline/);
    assert.match(reason("unknown-part"), /part gearbox is not in the parts list/);
    assert.match(reason("hydraulic"), /no capacity: no shift/);
    assert.match(reason("big-3"), /no capacity: every possible slot is taken/);
    assert.equal(reason("big-1"), "(scheduled)");
    assert.equal(reason("big-2"), "(scheduled)");
  });

  it("rejects contradictory input with the field named, and more tasks than it plans", () => {
    const overlapping = { asset: "pump-1", downtimeCostPerH: 100, stops: [{ start: MONDAY, end: MONDAY + 8 * HOUR_MS }, { start: MONDAY + 4 * HOUR_MS, end: MONDAY + 10 * HOUR_MS }] };
    assert.throws(() => checkPlanningInput(smallInput([task({})], { windows: [overlapping] }), "msg.payload"), /msg\.payload\.windows\[0\]\.stops\[1\]: expected planned stops that do not overlap/);
    const backwards = { asset: "pump-1", downtimeCostPerH: 100, stops: [{ start: MONDAY + 8 * HOUR_MS, end: MONDAY }] };
    assert.throws(() => checkPlanningInput(smallInput([task({})], { windows: [backwards] }), "msg.payload"), /msg\.payload\.windows\[0\]\.stops\[0\]\.end: expected a time after start/);
    const twice = [task({}), task({})];
    assert.throws(() => checkPlanningInput(smallInput(twice), "msg.payload"), /msg\.payload\.tasks\[1\]: expected one entry per task id/);
    const many = Array.from({ length: 10_000 }, (_, i) => task({ id: `t${i}` }));
    assert.throws(() => checkPlanningInput(smallInput(many), "msg.payload"), new RegExp(`msg\\.payload\\.tasks: expected at most ${MAX_TASKS} elements`));
  });

  it("plans the largest accepted backlog without hanging: heuristic only when the model is too large", async () => {
    const input = generateInstance({ tasks: MAX_TASKS, technicians: 20, horizonH: 168, seed: 5 });
    const options = { ...DEFAULT_OPTIONS, maxBinaries: 5_000 };
    // Model and heuristic run in the worker: timers of this thread keep firing meanwhile.
    let ticks = 0;
    const ticker = setInterval(() => ticks++, 5);
    const run = startPlan(input, options, { solver: "highs", timeLimitS: 20, gapTarget: 0 });
    const first = await run.first;
    clearInterval(ticker);
    assert.ok(ticks > 0, "the event loop ran while the plan was being built");
    const final = await run.final;
    assert.match(final.solver.status, /heuristic only: model too large/);
    assert.equal(final.workOrders.length + final.unscheduled.length, MAX_TASKS);
    assert.equal(first.workOrders.length, final.workOrders.length);
  });

  it("re-plans around an urgent task: started work stays, the changed assignments are counted", async () => {
    const input = generateInstance({ tasks: 10, technicians: 3, horizonH: 48, seed: 31 });
    const options = { ...DEFAULT_OPTIONS, horizonH: 48 };
    const { final: before } = await plan(input, options);
    const firstOrder = before.workOrders[0];
    const later = firstOrder.start + HOUR_MS / 2;
    const urgent = task({ id: "urgent-1", asset: firstOrder.asset, priority: "urgent", skills: [], durationH: 3, earliestStart: later, deadline: later + 12 * HOUR_MS });
    const replanInput: PlanningInput = {
      ...input,
      now: later,
      tasks: [...input.tasks.filter((t) => t.id !== firstOrder.taskId), urgent],
      started: [firstOrder],
    };
    const { final: after } = await plan(replanInput, options, "highs", before);
    assertValid(replanInput, options, after);
    assert.deepEqual(after.workOrders.find((o) => o.id === firstOrder.id), firstOrder, "started work order kept as it was");
    assert.ok(after.workOrders.some((o) => o.taskId === "urgent-1"), "the urgent task is planned");
    assert.equal(after.changedAssignments, countChanged(before.workOrders, after, replanInput));
  });

  it("ends at its time limit with the best plan so far when the solver cannot finish (javascript-lp-solver, congested)", async () => {
    const input = generateInstance({ tasks: 40, technicians: 6, horizonH: 168, seed: 41, congested: true });
    const options = { ...DEFAULT_OPTIONS };
    const run = startPlan(input, options, { solver: "javascript-lp-solver", timeLimitS: 1, gapTarget: 0 });
    const final = await run.final;
    assertValid(input, options, final);
    assert.ok(final.objective <= (await run.first).objective + 1e-6);
    assert.ok(["optimal", "time limit"].some((s) => final.solver.status.startsWith(s)), final.solver.status);
  });

  it("cancel ends a running solve at once and keeps the heuristic plan (as on node close or a newer plan)", async () => {
    const input = generateInstance({ tasks: 40, technicians: 6, horizonH: 168, seed: 42, congested: true });
    const options = { ...DEFAULT_OPTIONS };
    const run = startPlan(input, options, { solver: "javascript-lp-solver", timeLimitS: 600, gapTarget: 0 });
    const first = await run.first;
    run.cancel();
    const final = await run.final;
    assert.equal(final.solver.status, "cancelled; heuristic plan kept");
    assert.equal(final.objective, first.objective);
    assertValid(input, options, final);
  });

  it("cancelled before its first plan, a run rejects both plans without an unhandled rejection (which would stop Node-RED)", async () => {
    const unhandled: unknown[] = [];
    const record = (reason: unknown) => unhandled.push(reason);
    process.on("unhandledRejection", record);
    try {
      const input = generateInstance({ tasks: 10, technicians: 3, horizonH: 48, seed: 43 });
      const run = startPlan(input, { ...DEFAULT_OPTIONS, horizonH: 48 }, { solver: "highs", timeLimitS: 20, gapTarget: 0 });
      run.cancel(); // nobody waits on run.first or run.final, as when a newer plan supersedes this one
      await new Promise((resolve) => setTimeout(resolve, 200));
      assert.deepEqual(unhandled, []);
      await assert.rejects(run.final, /planning stopped: cancelled/);
    } finally {
      process.off("unhandledRejection", record);
    }
  });
});

/** The changed-assignments rule, restated: tasks known before whose technician or start differs now. */
function countChanged(before: WorkOrder[], after: PlannerSchedule, input: PlanningInput): number {
  let changed = 0;
  for (const t of input.tasks) {
    if (t.id === "urgent-1") continue;
    const a = before.find((o) => o.taskId === t.id);
    const b = after.workOrders.find((o) => o.taskId === t.id);
    if ((a === undefined) !== (b === undefined) || (a && b && (a.technician !== b.technician || a.start !== b.start))) changed++;
  }
  return changed;
}
