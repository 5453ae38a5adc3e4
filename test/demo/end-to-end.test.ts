/**
 * Flow 1, "Complete maintenance system", end to end in a real Node-RED (npm start's script in
 * a child process, its own userDir), on the accelerated replays: probe nodes added to the
 * seeded flow collect what comes out of the chain, and the test asserts it — alarms on the
 * faulty CWRU recordings and none on the healthy one, a falling RUL over the FEMTO run to
 * failure, a schedule, the work orders at the demo ERP, a verifying audit log, and the
 * simulated production's OEE, MTBF and MTTR.
 */
import { strict as assert } from "node:assert";
import { completeMaintenanceSystem } from "../../scripts/flows/complete-maintenance-system";
import { Demo, startDemo } from "../helpers/demo";
import { freePort } from "../helpers/net";
import { eventually } from "../helpers/eventually";

type FlowNode = Record<string, unknown> & { id: string; type: string; wires?: string[][] };

/** What each probe keeps of a message, as function-node code over `msg`. */
const probes: Record<string, { source: string; output: number; keep: string }> = {
  cwruBlocks: { source: "replay-cwru", output: 0, keep: "{ file: msg.replay.file, label: msg.replay.label, t0: msg.payload.t0, ms: 1000 * msg.payload.values.length / msg.payload.fs }" },
  anomalies: { source: "tag-anomaly", output: 0, keep: "{ asset: msg.payload.asset, t0: msg.payload.t0, anomaly: msg.payload.anomaly }" },
  rul: { source: "tag-rul", output: 0, keep: "{ t0: msg.payload.t0, rul: msg.payload.rul, lower: msg.payload.lower, upper: msg.payload.upper }" },
  tasks: { source: "rules", output: 0, keep: "{ topic: msg.topic, payload: msg.payload }" },
  schedules: { source: "planner", output: 0, keep: "{ final: msg.final, now: msg.now, workOrders: msg.payload.workOrders, unscheduled: msg.payload.unscheduled }" },
  erpSent: { source: "erp-push", output: 0, keep: "msg.payload" },
  erpRejected: { source: "erp-push", output: 1, keep: "msg.payload" },
  states: { source: "production", output: 0, keep: "{ topic: msg.topic, payload: msg.payload }" },
  oee: { source: "oee", output: 0, keep: "msg.payload" },
  kpis: { source: "kpis", output: 0, keep: "msg.payload" },
  backlog: { source: "work-order-tracker", output: 3, keep: "msg.payload" },
  verifications: { source: "verify", output: 0, keep: "msg.payload" },
};

/**
 * The reference flow with the demo ERP on this run's port, and the probes: a function node per
 * probe storing what it keeps in flow context (at most 20 000 entries each), GET /probe
 * answering all of it, and GET /probe/verify starting a verification of the audit log.
 */
function probedFlow(port: number): FlowNode[] {
  const nodes = completeMaintenanceSystem().map((node) =>
    node.type === "pdm-erp-connection" ? { ...node, baseUrl: `http://127.0.0.1:${port}` } : { ...node },
  ) as FlowNode[];
  const byId = new Map(nodes.map((node) => [node.id, node]));
  const z = byId.get("replay-cwru")?.z;
  const fn = (id: string, func: string, wires: string[][] = [[]]): FlowNode => ({ id, type: "function", z, name: id, func, outputs: wires.length, noerr: 0, timeout: 0, initialize: "", finalize: "", libs: [], x: 0, y: 0, wires });
  for (const [name, probe] of Object.entries(probes)) {
    const source = byId.get(probe.source);
    if (!source?.wires) throw new Error(`probe ${name}: no node ${probe.source} with outputs in the flow`);
    source.wires = source.wires.map((targets, i) => (i === probe.output ? [...targets, `probe-${name}`] : targets));
    nodes.push(fn(`probe-${name}`, `const all = flow.get("probe") || {}; const list = all.${name} || (all.${name} = []); list.push(${probe.keep}); if (list.length > 20000) list.shift(); flow.set("probe", all); return null;`));
  }
  nodes.push(
    { id: "probe-in", type: "http in", z, url: "/probe", method: "get", upload: false, swaggerDoc: "", x: 0, y: 0, wires: [["probe-read"]] },
    fn("probe-read", `msg.payload = flow.get("probe") || {}; return msg;`, [["probe-out"]]),
    { id: "probe-out", type: "http response", z, statusCode: "", headers: {}, x: 0, y: 0, wires: [] },
    { id: "probe-verify-in", type: "http in", z, url: "/probe/verify", method: "get", upload: false, swaggerDoc: "", x: 0, y: 0, wires: [["probe-verify-answer", "verify"]] },
    fn("probe-verify-answer", `msg.payload = "started"; return msg;`, [["probe-out"]]),
  );
  return nodes;
}

interface Probed {
  cwruBlocks?: Array<{ file: string; label: string; t0: number; ms: number }>;
  anomalies?: Array<{ asset: string; t0: number; anomaly: boolean }>;
  rul?: Array<{ t0: number; rul: number; lower: number; upper: number }>;
  tasks?: Array<{ topic: string; payload: Record<string, unknown> }>;
  schedules?: Array<{ final: boolean; now: number; workOrders: Array<Record<string, unknown>>; unscheduled: unknown[] }>;
  erpSent?: Array<{ key: string; kind: string; status: number }>;
  erpRejected?: Array<{ key: string; error: string }>;
  states?: Array<{ topic?: string; payload: Record<string, unknown> }>;
  oee?: Array<Record<string, number | string | undefined>>;
  kpis?: Array<Record<string, number | string | null>>;
  backlog?: Array<{ now: number; rows: Array<Record<string, unknown>> }>;
  verifications?: Array<{ ok: boolean; size: number }>;
}

/** The CWRU recordings as replayed: one span of recording time per file, in order. */
function recordingSpans(blocks: NonNullable<Probed["cwruBlocks"]>): Array<{ file: string; label: string; from: number; to: number }> {
  const spans: Array<{ file: string; label: string; from: number; to: number }> = [];
  for (const block of blocks) {
    const last = spans.at(-1);
    if (last && last.file === block.file) last.to = block.t0 + block.ms;
    else spans.push({ file: block.file, label: block.label, from: block.t0, to: block.t0 + block.ms });
  }
  return spans;
}

describe("flow 1 end to end (runtime)", function () {
  this.timeout(400_000);
  let demo: Demo;
  let seen: Probed;

  const probed = async (): Promise<Probed> => (await (await fetch(`${demo.url}/probe`)).json()) as Probed;

  before(async function () {
    this.timeout(420_000);
    const port = await freePort();
    demo = await startDemo({ port, seedFlows: probedFlow(port) });
    // Until one pass of each replay is complete (the CWRU loop starts again, the FEMTO RUL
    // comes back from a new run) and the first work order is done on the plant clock.
    seen = await eventually("a full pass of both replays and a finished work order", async () => {
      const p = await probed();
      const cwruLooped = recordingSpans(p.cwruBlocks ?? []).filter((s) => s.label === "normal").length >= 2;
      const femtoLooped = (p.rul ?? []).some((r, i, all) => i > 0 && r.t0 < all[i - 1].t0);
      const finished = (p.backlog ?? []).some((b) => b.rows.some((r) => r.status === "done"));
      return cwruLooped && femtoLooped && finished ? p : undefined;
    }, 360_000);
  });

  after(() => demo?.stop());

  it("raises alarms on every faulty CWRU recording and none on the healthy one", () => {
    const spans = recordingSpans(seen.cwruBlocks ?? []);
    const firstLoop = spans.slice(0, spans.findIndex((s, i) => i > 0 && s.label === "normal"));
    assert.deepEqual(firstLoop.map((s) => s.label), ["normal", "inner_race", "ball", "outer_race", "inner_race", "ball", "outer_race"]);
    const cwru = (seen.anomalies ?? []).filter((a) => a.asset === "cwru-drive-end");
    for (const span of spans.slice(0, -1)) {
      const scored = cwru.filter((a) => a.t0 >= span.from && a.t0 < span.to).sort((a, b) => a.t0 - b.t0);
      const alarms = scored.filter((a) => a.anomaly).length;
      if (span.label === "normal") {
        // The first pass learns 100 of its windows; the rest, and every later pass, is scored.
        // A later pass follows a faulty recording: its alarm, raised there, may still be
        // standing for the first windows (it clears after 5 windows below the clear level),
        // but no alarm is raised on the healthy recording.
        assert.ok(scored.length >= 50, `${span.file}: ${scored.length} windows scored`);
        const flagged = scored.flatMap((a, i) => (a.anomaly ? [i] : []));
        const raised = scored.filter((a, i) => a.anomaly && i > 0 && !scored[i - 1].anomaly).length;
        assert.equal(raised, 0, `${span.file} (healthy): alarms raised at windows ${flagged.join(", ")} of ${scored.length}`);
        assert.ok(flagged.every((i) => i < 5), `${span.file} (healthy): alarm standing at windows ${flagged.join(", ")} of ${scored.length}`);
        if (span === spans[0]) assert.equal(alarms, 0, "no alarm at all in the first pass");
      } else {
        assert.ok(alarms > scored.length / 2, `${span.file} (${span.label}): only ${alarms} alarms in ${scored.length} windows`);
      }
    }
  });

  it("gives a RUL that falls over the FEMTO run to failure", () => {
    const rul = seen.rul ?? [];
    const firstPass = rul.slice(0, rul.findIndex((r, i) => i > 0 && r.t0 < rul[i - 1].t0));
    assert.ok(firstPass.length >= 20, `${firstPass.length} estimates in the first pass`);
    const falling = firstPass.slice(1).filter((r, i) => r.rul <= firstPass[i].rul).length;
    assert.ok(falling >= 0.8 * (firstPass.length - 1), `the RUL fell in only ${falling} of ${firstPass.length - 1} steps`);
    assert.ok(firstPass.slice(0, 5).every((r) => r.rul > 3), `early estimates: ${firstPass.slice(0, 5).map((r) => r.rul.toFixed(2)).join(", ")} h`);
    assert.ok(firstPass.at(-1)!.rul < 1, `the last estimate before the failure: ${firstPass.at(-1)!.rul.toFixed(2)} h`);
    for (const r of firstPass) assert.ok(r.lower <= r.rul && r.rul <= r.upper, "the estimate lies in its interval");
  });

  it("plans the tasks into a schedule and pushes its work orders to the demo ERP", async () => {
    const tasks = (seen.tasks ?? []).filter((t) => t.topic === "task").map((t) => t.payload);
    assert.ok(tasks.some((t) => t.asset === "cwru-drive-end"), "a task for the faulty CWRU bearing");
    assert.ok(tasks.some((t) => t.asset === "femto-bearing1_1" && t.cause === "rul-critical" && t.priority === "urgent"), "an urgent task from the low FEMTO RUL");
    const finals = (seen.schedules ?? []).filter((s) => s.final);
    const planned = new Map(finals.flatMap((s) => s.workOrders).map((wo) => [String(wo.id), wo]));
    assert.ok(planned.size >= 2, `${planned.size} work orders planned`);
    for (const wo of planned.values()) {
      assert.ok(["anna", "ben", "chloe"].includes(String(wo.technician)), `${String(wo.id)} has a technician`);
      assert.ok(Number(wo.start) < Number(wo.end), `${String(wo.id)} starts before it ends`);
    }
    assert.deepEqual(seen.erpRejected ?? [], [], "no dead letters");
    const sent = new Map((seen.erpSent ?? []).map((r) => [r.key, r]));
    const received = (await (await fetch(`${demo.url}/demo-erp/records`)).json()) as Array<{ path: string; key: string; body: { id: string; reference: string } }>;
    // Every work order of a final plan that the ERP accepted is there once, under its reference.
    for (const [id] of planned) {
      const record = sent.get(`workOrder:${id}`);
      if (!record) continue;
      const copies = received.filter((r) => r.path === "/demo-erp/work-orders" && r.body.id === id);
      assert.equal(copies.length, 1, `${id} at the demo ERP`);
      assert.equal(copies[0].key, copies[0].body.reference, "sent with its idempotency key");
    }
    assert.ok(received.filter((r) => r.path === "/demo-erp/work-orders").length >= 2, "work orders at the demo ERP");
  });

  it("runs the simulated production by the ERP's production orders, down from an urgent task until its work order is done", () => {
    const changes = (seen.states ?? []).filter((s) => s.topic !== "report" && "state" in s.payload).map((s) => s.payload as { asset: string; ts: number; state: string });
    for (const c of changes.filter((c) => c.state === "running")) {
      const hour = new Date(c.ts).getHours();
      const producing = c.asset === "femto-bearing1_1" ? hour >= 6 && hour < 22 : hour >= 6 || hour < 2;
      assert.ok(producing, `${c.asset} started running at ${new Date(c.ts).toISOString()}, outside its production orders`);
    }
    const femto = changes.filter((c) => c.asset === "femto-bearing1_1");
    const urgent = (seen.tasks ?? []).find((t) => t.topic === "task" && t.payload.priority === "urgent");
    assert.ok(urgent, "an urgent task");
    // The first urgent task's work order is the first urgent one to finish.
    const repair = (seen.backlog ?? []).at(-1)!.rows.filter((r) => r.status === "done" && r.priority === "urgent").sort((a, b) => Number(a.end) - Number(b.end))[0];
    assert.ok(repair, "the urgent work order is done");
    assert.equal(repair.id, `wo-${String(urgent.payload.id)}`);
    const down = femto.findIndex((c) => c.state === "down");
    assert.ok(down >= 0, "the FEMTO machine went down");
    assert.ok(femto[down].ts >= Number(urgent.payload.earliestStart), "not before the urgent task");
    const back = femto.slice(down + 1).find((c) => c.state === "running");
    assert.ok(back && back.ts >= Number(repair.end), `running again only after the repair (${JSON.stringify(back)}, repair ended ${new Date(Number(repair.end)).toISOString()})`);
  });

  it("reports OEE, MTBF and MTTR from pdm-oee", () => {
    const kpis = seen.kpis ?? [];
    const femto = kpis.filter((k) => k.asset === "femto-bearing1_1").at(-1)!;
    const cwru = kpis.filter((k) => k.asset === "cwru-drive-end").at(-1)!;
    for (const k of [femto, cwru]) {
      for (const f of ["oee", "availability", "performance", "quality"]) assert.ok(Number(k[f]) >= 0 && Number(k[f]) <= 1, `${k.asset} ${f} = ${k[f]}`);
      assert.ok(Number(k.produced) > 0, `${k.asset} produced`);
    }
    assert.ok(Number(femto.failures) >= 1 && Number(femto.mttrH) > 0, `FEMTO: ${JSON.stringify(femto)}`);
    assert.ok(Number(femto.availability) < Number(cwru.availability), "the failed machine is less available");
    // The KPIs add up pdm-oee's hourly reports: MTBF = running time / failures, MTTR = down time / failures.
    const reports = (seen.oee ?? []).filter((r) => r.asset === "femto-bearing1_1");
    const total = (field: string) => reports.reduce((n, r) => n + Number(r[field]), 0);
    assert.equal(femto.failures, total("failures"));
    assert.ok(Math.abs(Number(femto.mtbfH) - total("runningH") / total("failures")) < 1e-9, `MTBF ${femto.mtbfH} h`);
    assert.ok(Math.abs(Number(femto.mttrH) - total("downH") / total("failures")) < 1e-9, `MTTR ${femto.mttrH} h`);
  });

  it("keeps an audit log that verifies", async () => {
    const before = (seen.verifications ?? []).length;
    assert.equal(await (await fetch(`${demo.url}/probe/verify`)).text(), "started");
    const result = await eventually("a verification", async () => (await probed()).verifications?.[before], 60_000);
    assert.equal(result.ok, true);
    assert.ok(result.size >= 10, `${result.size} records`);
  });
});
