/**
 * pdm-planner: keeps the open maintenance tasks, the technicians, the production windows
 * and the spare parts it is sent, and turns them into a schedule: a heuristic plan at
 * once, then the MILP's plan from a worker thread within the time limit. Planning is in
 * ./planner; this adapter holds the state and maps messages.
 */
import { MaintenanceTask, checkMaintenanceTask, ProductionWindows, SparePart, Technician, checkProductionWindows, checkSparePart, checkTechnician } from "../shared/contract";
import { Node, NodeAPI, NodeDef, NodeMessageInFlow, Send, onInput, status } from "../shared/node-red";
import { arrayOf, finiteNumber, isRecord, nonEmptyString, oneOf, optional } from "../shared/validate";
import { PlannerOptions, PlanningInput, checkPlannerOptions, checkPlanningInput, MAX_TASKS } from "./instance";
import { PlannerSchedule } from "./schedule";
import { SOLVERS, SolverName } from "./solvers";
import { PlanRun, SolverSettings, startPlan } from "./planner";

interface PlannerConfig extends NodeDef {
  solver: string;
  timeLimitS: string | number;
  gapPercent: string | number;
  horizonH: string | number;
  slotH: string | number;
  lateToleranceH: string | number;
  latenessCostPerH: string | number;
  leftOutCost: string | number;
  defaultDowntimeCostPerH: string | number;
  replanOnTask: boolean;
}

/** How long a burst of tasks may take to arrive before the plan starts. */
const REPLAN_SETTLE_MS = 200;

const TOPICS = ["technicians", "windows", "parts", "tasks", "task", "done", "plan", "reset"] as const;
type Topic = (typeof TOPICS)[number];

function readSettings(config: PlannerConfig): { options: PlannerOptions; solver: SolverSettings } {
  const num = (v: string | number | undefined) => (v === undefined || v === "" ? undefined : Number(v));
  const options = checkPlannerOptions(
    {
      horizonH: num(config.horizonH),
      slotH: num(config.slotH),
      lateToleranceH: num(config.lateToleranceH),
      latenessCostPerH: num(config.latenessCostPerH),
      leftOutCost: num(config.leftOutCost),
      defaultDowntimeCostPerH: num(config.defaultDowntimeCostPerH),
    },
    "config",
  );
  const solver = oneOf(SOLVERS)(config.solver || "highs", "config.solver") as SolverName;
  const timeLimitS = finiteNumber({ min: 0.1, max: 3600 })(num(config.timeLimitS) ?? 10, "config.timeLimitS");
  const gapPercent = finiteNumber({ min: 0, max: 100 })(num(config.gapPercent) ?? 1, "config.gapPercent");
  return { options, solver: { solver, timeLimitS, gapTarget: gapPercent / 100 } };
}

function percent(x: number): string {
  return `${(x * 100).toFixed(x < 0.1 ? 1 : 0)} %`;
}

export default function register(RED: NodeAPI): void {
  function PdmPlannerNode(this: Node, config: PlannerConfig) {
    RED.nodes.createNode(this, config);
    const node = this;
    let settings: ReturnType<typeof readSettings> | undefined;
    try {
      settings = readSettings(config);
    } catch (err) {
      node.error(`pdm-planner: ${(err as Error).message}`);
      status.error(node, (err as Error).message);
    }
    let technicians: Technician[] = [];
    let windows: ProductionWindows[] = [];
    let parts: SparePart[] = [];
    const tasks = new Map<string, MaintenanceTask>();
    let last: PlannerSchedule | undefined;
    let running: PlanRun | undefined;
    /** Each plan gets a number; a plan superseded by a newer one sends nothing. */
    let generation = 0;

    const planNow = async (msg: NodeMessageInFlow, send: Send, now: number) => {
      if (!settings) throw new Error("invalid configuration: open the node and correct it");
      running?.cancel();
      const mine = ++generation;
      // When many assets alarm at once, tasks come in a burst: wait for it to settle so that
      // one planning thread plans them all, rather than one thread started (and cancelled)
      // per task.
      await new Promise((resolve) => setTimeout(resolve, REPLAN_SETTLE_MS));
      if (mine !== generation) return;
      // Work orders that started before now stay as they are; their tasks are not planned again.
      const started = (last?.workOrders ?? []).filter((o) => o.start < now && tasks.has(o.taskId));
      const startedTasks = new Set(started.map((o) => o.taskId));
      const input: PlanningInput = checkPlanningInput(
        { now, tasks: [...tasks.values()].filter((t) => !startedTasks.has(t.id)), technicians, windows, parts, started },
        "planning input",
      );
      const { solver } = settings;
      // The status ticks every second (javascript-lp-solver reports no progress of its own)
      // and shows the last gap the solver reported.
      const solveStart = Date.now();
      let lastGap: number | undefined;
      const ticker = setInterval(() => showProgress(), 1000);
      const showProgress = () => {
        if (mine !== generation) return clearInterval(ticker);
        const gap = lastGap !== undefined ? ` gap ${percent(lastGap)}` : "";
        status.busy(node, `${solver.solver === "highs" ? "HiGHS" : "jsLP"} ${((Date.now() - solveStart) / 1000).toFixed(0)} s${gap}`);
      };
      const run = startPlan(input, settings.options, solver, last, (p) => {
        lastGap = p.gap ?? lastGap;
        showProgress();
      });
      running = run;
      const sendSchedule = (schedule: PlannerSchedule, final: boolean) =>
        send({ ...msg, topic: "schedule", payload: schedule, final } as NodeMessageInFlow);
      /** A plan superseded by a newer one was cancelled: that is not an error of this message. */
      const superseded = (err: unknown) => {
        if (mine !== generation) return;
        throw err;
      };
      try {
        const first = await run.first.catch(superseded);
        if (!first || mine !== generation) return;
        sendSchedule(first, false);
        status.busy(node, `heuristic: ${first.workOrders.length} orders, solving…`);
        const final = await run.final.catch(superseded);
        if (!final || mine !== generation) return;
        running = undefined;
        last = final;
        sendSchedule(final, true);
        const text = `${final.workOrders.length} orders, ${final.unscheduled.length} left out, gap ${percent(final.solver.gap)}`;
        if (final.unscheduled.length > 0) status.warn(node, text);
        else status.ok(node, text);
      } finally {
        clearInterval(ticker);
      }
    };

    onInput(node, async (msg, send) => {
      const topic = (typeof msg.topic === "string" && msg.topic ? msg.topic : "plan") as Topic;
      if (!TOPICS.includes(topic)) throw new Error(`msg.topic: expected one of ${TOPICS.map((t) => `"${t}"`).join(", ")}, got ${JSON.stringify(msg.topic)}`);
      const payload: unknown = msg.payload;
      let replan = topic === "plan";
      // msg.now plans as of another time than the clock (simulation, replayed data, tests).
      const now = optional(finiteNumber({ min: 0 }))(msg.now, "msg.now") ?? Date.now();
      switch (topic) {
        case "technicians":
          technicians = arrayOf(checkTechnician)(payload, "msg.payload");
          break;
        case "windows":
          windows = arrayOf(checkProductionWindows)(payload, "msg.payload");
          break;
        case "parts":
          parts = arrayOf(checkSparePart)(payload, "msg.payload");
          break;
        case "tasks":
          tasks.clear();
          for (const task of arrayOf(checkMaintenanceTask, { maxLength: MAX_TASKS })(payload, "msg.payload")) tasks.set(task.id, task);
          replan = config.replanOnTask;
          break;
        case "task": {
          const task = checkMaintenanceTask(payload, "msg.payload");
          tasks.set(task.id, task);
          replan = config.replanOnTask;
          break;
        }
        case "done": {
          const taskId = isRecord(payload) ? nonEmptyString(payload.taskId, "msg.payload.taskId") : nonEmptyString(payload, "msg.payload");
          tasks.delete(taskId);
          break;
        }
        case "reset":
          running?.cancel();
          generation++;
          tasks.clear();
          last = undefined;
          status.idle(node, "reset");
          return;
        case "plan":
          if (isRecord(payload)) {
            // One object with everything, each part optional.
            if (payload.technicians !== undefined) technicians = arrayOf(checkTechnician)(payload.technicians, "msg.payload.technicians");
            if (payload.windows !== undefined) windows = arrayOf(checkProductionWindows)(payload.windows, "msg.payload.windows");
            if (payload.parts !== undefined) parts = arrayOf(checkSparePart)(payload.parts, "msg.payload.parts");
            if (payload.tasks !== undefined) {
              const list = arrayOf(checkMaintenanceTask, { maxLength: MAX_TASKS })(payload.tasks, "msg.payload.tasks");
              tasks.clear();
              for (const task of list) tasks.set(task.id, task);
            }
          }
          break;
      }
      if (replan) await planNow(msg, send, now);
      else if (!running) status.idle(node, `${tasks.size} tasks, ${technicians.length} technicians`);
    });

    node.on("close", (_removed: boolean, done: () => void) => {
      running?.cancel();
      generation++;
      done();
    });

    if (settings) status.idle(node, "waiting for tasks");
  }
  RED.nodes.registerType("pdm-planner", PdmPlannerNode);
}
