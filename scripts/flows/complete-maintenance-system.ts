/**
 * The reference flow "Complete maintenance system": two machines replayed from real
 * recordings through the whole chain, with node-red-dashboard pages.
 *
 * - FEMTO Bearing1_1, a run to failure (600x real time): features → anomaly, and
 *   health index → RUL counting down;
 * - CWRU drive-end bearing (real time): healthy, then seeded faults: windows → features →
 *   anomaly alarms, and the envelope analysis naming the faulty race;
 * - alarms and RUL → pdm-rules → pdm-planner → work orders to an ERP (a small REST
 *   endpoint in this same flow stands in for it) through pdm-erp-push; production orders
 *   from the same ERP through pdm-erp-pull become the planner's planned stops;
 * - a simulated production around the two machines (the recordings have no production
 *   data), on a plant clock 600× real time: machine states and counts → pdm-oee → OEE,
 *   MTBF and MTTR on the Overview, work orders followed until done, spare parts;
 * - alarms, acknowledgements, tasks, purchase requests and work orders recorded in pdm-audit,
 *   verified by pdm-audit-verify.
 *
 * Written as code so that the wiring is reviewable; `npm run flows` writes
 * flows/complete-maintenance-system.json and a test checks the file is up to date.
 */
import { DEFAULT_RULES } from "../../nodes/planner/rules";
import * as templates from "./dashboard-templates";
import { FlowNode, layout } from "./tab-layout";
import { anomalySettings, degradationRulSettings, featureSettings, femtoHealthIndexSettings } from "./node-settings";

const TAB = "tab-pdm-demo";
const { node, fn, comment } = layout(TAB);

// --- dashboard layout -----------------------------------------------------------------

const ui = {
  tabOverview: { id: "ui-tab-overview", type: "ui_tab", name: "Overview", icon: "dashboard", order: 1, disabled: false, hidden: false },
  tabAssets: { id: "ui-tab-assets", type: "ui_tab", name: "Asset detail", icon: "fa-cogs", order: 2, disabled: false, hidden: false },
  tabMaintenance: { id: "ui-tab-maintenance", type: "ui_tab", name: "Maintenance", icon: "fa-wrench", order: 3, disabled: false, hidden: false },
  tabAudit: { id: "ui-tab-audit", type: "ui_tab", name: "Audit", icon: "fa-shield", order: 4, disabled: false, hidden: false },
};

function group(id: string, name: string, tab: string, order: number, width: number): FlowNode {
  return { id, type: "ui_group", name, tab, order, disp: true, width: String(width), collapse: false, className: "" };
}

const groups = [
  group("ui-g-tiles", "Machines", ui.tabOverview.id, 1, 18),
  group("ui-g-alarms", "Alarms", ui.tabOverview.id, 2, 18),
  group("ui-g-femto", "FEMTO Bearing1_1 — run to failure", ui.tabAssets.id, 1, 12),
  group("ui-g-cwru", "CWRU drive-end bearing", ui.tabAssets.id, 2, 12),
  group("ui-g-schedule", "Maintenance schedule (demo plant clock)", ui.tabMaintenance.id, 1, 18),
  group("ui-g-backlog", "Work-order backlog", ui.tabMaintenance.id, 2, 18),
  group("ui-g-parts", "Spare parts", ui.tabMaintenance.id, 3, 18),
  group("ui-g-erp", "ERP push", ui.tabMaintenance.id, 4, 18),
  group("ui-g-audit", "Audit log", ui.tabAudit.id, 1, 12),
];

function template(id: string, groupId: string, order: number, width: number, height: number, html: string, column: number, row: number, wires: string[][] = [[]]): FlowNode {
  return node(id, "ui_template", column, row, {
    group: groupId, name: "", order, width: String(width), height: String(height), format: html, storeOutMessages: true,
    fwdInMessages: false, resendOnRefresh: true, templateScope: "local", className: "",
  }, wires);
}

function chart(id: string, groupId: string, order: number, label: string, column: number, row: number, opts: { ymin?: string; height?: number } = {}): FlowNode {
  return node(id, "ui_chart", column, row, {
    name: label, group: groupId, order, width: "12", height: String(opts.height ?? 5), label, chartType: "line", legend: "true",
    xformat: "HH:mm", interpolate: "linear", nodata: "waiting for data", dot: false, ymin: opts.ymin ?? "", ymax: "",
    removeOlder: "12", removeOlderPoints: "1500", removeOlderUnit: "3600", cutout: 0, useOneColor: false, useUTC: false,
    colors: ["#1565c0", "#ef6c00", "#2e7d32", "#c62828", "#6a1b9a", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22"],
    outputs: 1, useDifferentColor: false, className: "",
  });
}

function text(id: string, groupId: string, order: number, label: string, column: number, row: number, width = 6): FlowNode {
  return node(id, "ui_text", column, row, { group: groupId, order, width: String(width), height: "1", name: label, label, format: "{{msg.payload}}", layout: "row-spread", className: "" }, []);
}

// --- function node code ---------------------------------------------------------------

/** Reads the plant clock the clock node keeps in flow context (wall time before it first ticks). */
const plantNow = `const now = flow.get("plantNow") || Date.now();`;

/**
 * Keeps the state of every machine for the tiles (anomaly, RUL, diagnosis, the simulated
 * machine state, KPIs, open work orders) and sends the tile list.
 */
const tilesCode = `
// Colour: alarm (an anomaly alarm, ISO 10816 zone D or the machine down), warning (RUL 5 %
// bound under 2 h, or zone C), ok, or learning while the anomaly model has not scored yet.
const tiles = context.get("tiles") || {};
const open = context.get("open") || {};
const p = msg.payload;
if (msg.topic === "open-work-orders") {
  context.set("open", p);
} else {
  const tile = tiles[p.asset] || { asset: p.asset, name: p.asset, info: {}, alarms: {} };
  if (msg.topic === "anomaly") {
    tile.info.anomaly = p.anomaly ? "ALARM: " + p.severity + " (score " + p.score.toFixed(2) + " / " + p.threshold.toFixed(2) + ")" : "normal (score " + p.score.toFixed(2) + ")";
    tile.alarms[p.sensor || ""] = p.anomaly;
  } else if (msg.topic === "rul") {
    tile.info.rul = "RUL " + p.rul.toFixed(1) + " " + p.unit + " (" + p.lower.toFixed(1) + "–" + p.upper.toFixed(1) + "), health " + p.healthIndex.toFixed(0);
    tile.rulLow = p.unit === "h" && p.lower < 2;
  } else if (msg.topic === "diagnosis") {
    tile.info.diagnosis = "bearing: " + (p.indicatedFault === "none" ? "no defect line" : p.indicatedFault.replace("_", " ") + " defect") + (p.isoZone ? ", ISO zone " + p.isoZone : "");
    tile.isoZone = p.isoZone;
  } else if (msg.topic === "machine") {
    tile.machine = p.label;
    tile.down = p.state === "down";
  } else if (msg.topic === "kpi") {
    const pct = (x) => (x * 100).toFixed(0) + " %";
    const h = (x) => (x === null ? "–" : x.toFixed(1) + " h");
    tile.kpis = [["OEE", pct(p.oee)], ["availability", pct(p.availability)], ["MTBF", h(p.mtbfH)], ["MTTR", h(p.mttrH)]];
  }
  tile.alarm = Object.values(tile.alarms).some(Boolean);
  tile.state = tile.alarm || tile.isoZone === "D" || tile.down ? "alarm" : tile.rulLow || tile.isoZone === "C" ? "warning" : tile.info.anomaly ? "ok" : "learning";
  tile.lines = Object.values(tile.info);
  tiles[p.asset] = tile;
  context.set("tiles", tiles);
}
const list = Object.values(tiles);
for (const tile of list) tile.openWorkOrders = open[tile.asset] || 0;
return { payload: { now: flow.get("plantNow"), speed: flow.get("plantSpeed"), openWorkOrders: list.reduce((s, t) => s + t.openWorkOrders, 0), tiles: list } };`;

/** Turns anomaly messages into alarms (raised/cleared), tracks acknowledgements, feeds the list and the audit log. */
const alarmsCode = `
// Output 1: the alarm list for the dashboard. Output 2: audit events.
const alarms = context.get("alarms") || [];
const open = context.get("open") || {};
if (msg.payload && msg.payload.action === "acknowledge") {
  const alarm = alarms.find((a) => a.id === msg.payload.id);
  if (!alarm || alarm.acknowledged) return null;
  alarm.acknowledged = true;
  context.set("alarms", alarms);
  return [{ payload: alarms }, { payload: { type: "alarm-acknowledged", asset: alarm.asset, actor: "operator (dashboard)", payload: { alarm: alarm.id, raisedAt: alarm.raisedAt } } }];
}
const p = msg.payload;
const key = p.asset + "/" + (p.sensor || "");
const wasOpen = open[key];
if (p.anomaly && !wasOpen) {
  const top = (p.contributions || []).slice(0, 2).map((c) => c.feature + " " + Math.round(c.share * 100) + " %").join(", ");
  const alarm = { id: key + "@" + Math.round(p.t0), asset: p.asset + (p.sensor ? " / " + p.sensor : ""), raisedAt: p.t0, severity: p.severity, reason: top, acknowledged: false };
  alarms.unshift(alarm);
  alarms.length = Math.min(alarms.length, 50);
  open[key] = alarm.id;
  context.set("alarms", alarms); context.set("open", open);
  return [{ payload: alarms }, { payload: { type: "alarm-raised", asset: p.asset, payload: p } }];
}
if (!p.anomaly && wasOpen) {
  delete open[key];
  context.set("open", open);
  return [null, { payload: { type: "alarm-cleared", asset: p.asset, payload: { alarm: wasOpen, t0: p.t0, score: p.score } } }];
}
return null;`;

/** An envelope spectrum with the bearing defect frequencies, as SVG points for the spectrum template. */
const spectrumCode = `
const p = msg.payload;
const s = p.envelopeSpectrum;
if (!s) return null;
const lines = [["BPFO", p.features.bpfo_hz], ["BPFI", p.features.bpfi_hz], ["BSF", p.features.bsf_hz], ["FTF", p.features.ftf_hz]].filter((l) => l[1] > 0);
const fmax = Math.min(s.frequencies[s.frequencies.length - 1], 3.5 * Math.max(...lines.map((l) => l[1])));
const w = 560, h = 220, pad = 36;
let amax = 0;
for (let i = 0; i < s.frequencies.length && s.frequencies[i] <= fmax; i++) if (s.frequencies[i] > 5) amax = Math.max(amax, s.amplitudes[i]);
const points = [];
for (let i = 0; i < s.frequencies.length && s.frequencies[i] <= fmax; i++) {
  const x = pad + (w - pad - 8) * s.frequencies[i] / fmax;
  const y = (h - pad) - (h - pad - 8) * Math.min(1, s.amplitudes[i] / (amax || 1));
  points.push(x.toFixed(1) + "," + y.toFixed(1));
}
const fault = p.indicatedFault === "none" ? "no defect line above the noise" : p.indicatedFault.replace("_", " ") + " defect";
return { payload: { title: "Envelope spectrum — " + fault, unit: s.unit || "", fmax, amax, frequencies: s.frequencies, points: points.join(" "),
  markers: lines.map((l) => ({ label: l[0] + " " + l[1].toFixed(1) + " Hz", hz: l[1] })) } };`;

/**
 * The replay loops, and each pass starts the recording's time axis again: a chart fed from it
 * is cleared (payload []) when time goes back, so it shows one pass, not overlapping ones.
 */
const newPass = `
const p = msg.payload;
const newPass = p.t0 < (context.get("t0") || 0);
context.set("t0", p.t0);
const clear = (points) => (newPass ? [{ payload: [] }].concat(points) : points);`;

/**
 * Each pass of the looping FEMTO replay is a new bearing from as-new, on a time axis that
 * starts again: the RUL forgets the old run (it refuses times that go back), also after a
 * restart, whose clock is behind the run kept on disk.
 */
const newRunCode = `
// Only pdm-replay's blocks say where in the recording they are; other sources start no new run.
if (!msg.replay || msg.replay.index !== 0 || context.get("t0") === msg.payload.t0) return null;
context.set("t0", msg.payload.t0);
return { topic: "reset", payload: { asset: msg.payload.asset } };`;

/** Condition trends for the charts: one point per snapshot on the recording's time axis. */
const trendsCode = `${newPass}
return [
  clear([{ topic: p.sensor, payload: p.features.rms, timestamp: p.t0 }]),
  clear([{ topic: p.sensor, payload: p.features.kurtosis, timestamp: p.t0 }]),
];`;

const rulChartCode = `${newPass}
return [
  clear([{ topic: "RUL", payload: p.rul, timestamp: p.t0 }, { topic: "5 %", payload: p.lower, timestamp: p.t0 }, { topic: "95 %", payload: p.upper, timestamp: p.t0 }]),
  clear([{ topic: "health index", payload: p.healthIndex, timestamp: p.t0 }]),
];`;

/**
 * The CWRU anomaly score comes 12 times a second on the faults (50 % overlap) and 94 times
 * on the healthy recording (93.75 %): the chart gets one point per half second of recording,
 * the highest score in it (so no alarm is smoothed away).
 */
const scoreChartCode = `
const p = msg.payload;
const bucket = Math.floor(p.t0 / 500);
const peak = context.get("peak");
if (peak && peak.bucket === bucket) {
  if (p.score > peak.score) Object.assign(peak, { score: p.score, threshold: p.threshold });
  return null;
}
context.set("peak", { bucket, t0: p.t0, score: p.score, threshold: p.threshold });
if (!peak) return null;
return [[{ topic: "score", payload: peak.score, timestamp: peak.t0 }, { topic: "threshold", payload: peak.threshold, timestamp: peak.t0 }]];`;

/** The planner's Gantt items as rows for the Gantt template. */
const ganttCode = `
const s = msg.payload;
const rows = (s.gantt || []).map((g) => ({ technician: g.technician, bars: g.items.map((i) => ({ label: i.label, start: i.start, end: i.end, priority: i.priority })) }));
const all = rows.flatMap((r) => r.bars);
${plantNow}
const from = Math.min(now, ...all.map((b) => b.start));
const to = Math.max(from + 24 * 3600000, ...all.map((b) => b.end));
return [{ payload: { now, from, to, rows } }, { payload: s.workOrders.length + " planned, " + s.unscheduled.length + " left out (" + s.solver.name + " " + s.solver.status + ", gap " + (s.solver.gap * 100).toFixed(1) + " %)" }];`;

/** Final schedules only: each work order goes to the ERP and the audit log once. */
const workOrdersCode = `
if (msg.final !== true) return null;
return [msg.payload.workOrders.map((wo) => ({ payload: wo }))];`;

/** The stand-in ERP: stores what it is sent and answers 201 like a REST service would. */
const demoErpCode = `
const received = flow.get("demoErpReceived") || [];
received.push({ path: msg.req.path, key: msg.req.headers["idempotency-key"], body: msg.payload });
flow.set("demoErpReceived", received.slice(-500));
msg.statusCode = 201;
msg.payload = { id: "ERP-" + received.length, reference: msg.payload.reference };
return [msg, { payload: received.length + " records received" }];`;

const verifyTextCode = `
const r = msg.payload;
const when = new Date().toLocaleTimeString();
return { payload: r.ok ? "intact: " + r.size + " records, checked " + when : "TAMPERED: " + (r.firstBad ? r.firstBad.message : r.problems.length + " problems") };`;

// --- the demo plant: clock, production, work orders, spare parts, KPIs ------------------
//
// The recordings have vibration only, no production data. So that OEE, MTBF, MTTR and the
// work-order backlog show something honest, the flow simulates a small plant around the two
// machines, driven by what the analysis finds: machines produce while they have a
// production order (pulled from the demo ERP), are stopped by an urgent task of the rules
// until its work order is done, and stand still during maintenance. All of it is labelled
// as demo data on the dashboard.

/** The demo plant's clock, 600× real time like the FEMTO replay: a second is ten plant minutes. */
const plantClockCode = `
// One tick a second. A new plant day (and the first tick) refreshes the technicians' shifts
// and pulls the production orders of the next 8 days from the ERP.
const SPEED = 600;
const H = 3600000;
const clock = context.get("clock") || { wall0: Date.now(), plant0: Date.now() };
context.set("clock", clock);
const now = clock.plant0 + (Date.now() - clock.wall0) * SPEED;
flow.set("plantNow", now);
flow.set("plantSpeed", SPEED);
const day = new Date(now); day.setHours(0, 0, 0, 0);
const tick = { topic: "tick", payload: now };
if (context.get("day") === day.getTime()) return [tick, null, null];
const first = context.get("day") === undefined;
context.set("day", day.getTime());
// Tasks and plans kept on disk belong to an earlier run of the demo clock: start afresh.
const reset = first ? { topic: "reset", payload: "the demo plant clock starts again" } : null;
return [tick, { payload: { from: day.getTime(), to: day.getTime() + 8 * 24 * H }, day: day.getTime() }, reset];`;

/** Technicians with shifts for the planner, from each plant day. */
const masterDataCode = `
// Demo master data: three technicians, 8-hour shifts for the next 8 days.
const H = 3600000;
const shifts = (startH) => Array.from({ length: 8 }, (_, d) => ({ start: msg.day + (d * 24 + startH) * H, end: msg.day + (d * 24 + startH + 8) * H }));
return { topic: "plan", payload: { technicians: [
  { id: "anna", skills: ["mechanical", "vibration"], hourlyCost: 65, shifts: shifts(6) },
  { id: "ben", skills: ["mechanical"], hourlyCost: 55, shifts: shifts(14) },
  { id: "chloe", skills: ["electrical", "vibration"], hourlyCost: 60, shifts: shifts(6) },
] } };`;

/** Anomaly and RUL events reach the rules with the plant clock's time, so deadlines are on it. */
const rulesClockCode = `
${plantNow}
msg.payload = Object.assign({}, msg.payload, { t0: now });
return msg;`;

/** The planner plans as of the plant clock (msg.now). */
const plannerClockCode = `
${plantNow}
msg.now = now;
return msg;`;

/**
 * The built-in rules, and one that stops a machine: a RUL under half an hour is an urgent task
 * (the demo production simulation takes the machine down until its work order is done).
 */
const maintenanceRules = [
  { id: "rul-critical", on: "rul", conditions: [{ field: "unit", op: "==", value: "h" }, { field: "rul", op: "<", value: 0.5 }],
    action: "stop the machine and replace the bearing", priority: "urgent", dueH: 2, durationH: 2, skills: ["mechanical"], purchase: true },
  ...DEFAULT_RULES,
];

/** The demo ERP's production orders: a few orders a day per machine, the gaps are nightly stops. */
const demoOrdersCode = `
// GET /demo-erp/production-orders?plant=&from=&to= (ISO times), as pdm-erp-pull asks a REST ERP.
// The FEMTO test rig produces 06:00–22:00 and the CWRU motor 06:00–02:00, in two orders a day.
const H = 3600000;
const from = Date.parse(msg.req.query.from), to = Date.parse(msg.req.query.to);
if (!(to > from)) { msg.statusCode = 400; msg.payload = { error: "from and to: expected ISO times, from before to" }; return msg; }
const lines = [
  { asset: "femto-bearing1_1", code: "FEMTO", material: "TEST-RUN-1800RPM", perH: 80, shifts: [[6, 14], [14, 22]] },
  { asset: "cwru-drive-end", code: "CWRU", material: "PUMP-DRIVE-2HP", perH: 120, shifts: [[6, 16], [16, 26]] },
];
const orders = [];
const day = new Date(from); day.setHours(0, 0, 0, 0); day.setDate(day.getDate() - 1);
for (; day.getTime() < to; day.setDate(day.getDate() + 1)) {
  const stamp = day.getFullYear() + String(day.getMonth() + 1).padStart(2, "0") + String(day.getDate()).padStart(2, "0");
  for (const line of lines) line.shifts.forEach(([a, b], n) => {
    const start = day.getTime() + a * H, end = day.getTime() + b * H;
    if (start < to && end > from) orders.push({ order: "PO-" + line.code + "-" + stamp + "-" + (n + 1), plant: msg.req.query.plant, workCenter: line.asset,
      start: new Date(start).toISOString(), end: new Date(end).toISOString(), material: line.material, quantity: line.perH * (b - a), unit: "PC" });
  });
}
msg.payload = orders;
return msg;`;

/** What the demo ERP has received, for a look from the browser or a test. */
const demoRecordsCode = `
msg.payload = flow.get("demoErpReceived") || [];
return msg;`;

/** Production orders → the planner's planned stops (the gaps), and the orders for the simulation. */
const ordersToStopsCode = `
// Outside its production orders a machine stands still anyway: maintenance there costs no production.
const p = msg.payload;
const downtimeCostPerH = { "femto-bearing1_1": 900, "cwru-drive-end": 600 };
const byAsset = {};
for (const o of p.windows) (byAsset[o.workCenter] = byAsset[o.workCenter] || []).push(o);
const windows = Object.keys(byAsset).map((asset) => {
  const stops = [];
  let t = p.from;
  for (const o of byAsset[asset]) {
    if (o.start > t) stops.push({ start: t, end: o.start });
    t = Math.max(t, o.end);
  }
  if (t < p.to) stops.push({ start: t, end: p.to });
  return { asset, downtimeCostPerH: downtimeCostPerH[asset] || 0, stops };
});
return [{ topic: "windows", payload: windows }, { topic: "orders", payload: p.windows },
  { payload: p.windows.length + " orders for the next 8 days (" + Object.keys(byAsset).length + " machines)" }];`;

/**
 * The work orders of the final plans, followed through their life on the plant clock:
 * planned → in progress → done. Feeds the backlog, closes tasks, tells the simulation.
 */
const workOrderTrackerCode = `
// Inputs: final schedules (pdm-planner), ERP results (pdm-erp-push outputs 1 and 2), ticks.
// Outputs: 1 "done" to pdm-rules, 2 the tick for the production simulation, 3 parts used,
// 4 the backlog table, 5 the open work orders per machine for the overview.
const orders = context.get("orders") || {};
const erp = context.get("erp") || {};
const KEEP_DONE = 20;
if (typeof msg.payload.key === "string") {
  // From pdm-erp-push: output 1 (accepted) or output 2 (a dead letter, with the ERP's error).
  if (!msg.payload.key.startsWith("workOrder:")) return null;
  erp[msg.payload.key.slice("workOrder:".length)] = msg.payload.error ? "rejected: " + msg.payload.error : "sent";
  context.set("erp", erp);
  return null;
}
if (Array.isArray(msg.payload.workOrders)) {
  if (msg.final !== true) return null;
  const inPlan = new Set(msg.payload.workOrders.map((wo) => wo.id));
  // A re-plan may move or drop work that has not started; started and finished work stays.
  for (const id of Object.keys(orders)) if (orders[id].status === "planned" && !inPlan.has(id)) delete orders[id];
  for (const wo of msg.payload.workOrders) {
    if (!orders[wo.id] || orders[wo.id].status === "planned") orders[wo.id] = Object.assign({}, wo, { status: "planned" });
  }
  context.set("orders", orders);
  return null;
}
const now = msg.payload;
const done = [], inMaintenance = [];
for (const wo of Object.values(orders)) {
  if (wo.status === "done") continue;
  if (wo.end <= now) {
    wo.status = "done";
    done.push(wo);
  } else if (wo.start <= now) {
    wo.status = "in progress";
    inMaintenance.push(wo.asset);
  }
}
// Keep the finished ones for a while only, so the table and the context stay small.
const finished = Object.values(orders).filter((wo) => wo.status === "done").sort((a, b) => b.end - a.end);
for (const wo of finished.slice(KEEP_DONE)) { delete orders[wo.id]; delete erp[wo.id]; }
// A work order a re-plan dropped may come back, so its ERP state is kept, the newest 100 of them.
const dropped = Object.keys(erp).filter((id) => !orders[id]);
for (const id of dropped.slice(0, Math.max(0, dropped.length - 100))) delete erp[id];
context.set("orders", orders); context.set("erp", erp);
const rows = Object.values(orders).sort((a, b) => a.start - b.start)
  .map((wo) => ({ id: wo.id, asset: wo.asset, action: wo.action, technician: wo.technician, start: wo.start, end: wo.end, priority: wo.priority, status: wo.status, erp: erp[wo.id] || "queued" }));
const open = {};
for (const r of rows) if (r.status !== "done" && erp[r.id] === "sent") open[r.asset] = (open[r.asset] || 0) + 1;
return [
  done.map((wo) => ({ topic: "done", payload: { taskId: wo.taskId } })),
  { topic: "tick", payload: now, inMaintenance, repaired: done.map((wo) => wo.taskId) },
  done.map((wo) => ({ topic: "consumed", payload: wo.parts })),
  { payload: { now, rows } },
  { topic: "open-work-orders", payload: open },
];`;

/** The simulated production: machine states and counts for pdm-oee. */
const productionCode = `
// Demo production, simulated: a machine runs while it has a production order and stands
// still (planned-stop) outside them and during maintenance. An urgent task of pdm-rules stops
// it until that task's work order is done: down while production is planned (a failure for
// OEE, MTBF and MTTR), a planned stop otherwise. It makes one unit per cycle, 10 % slower
// than the ideal cycle, and every 50th unit is scrap.
// Output 1: states, counts and hourly reports for pdm-oee. Output 2: machine states for the tiles.
const machines = context.get("machines") || {
  "femto-bearing1_1": { idealCycleS: 40, orders: [], state: null, made: 0, carry: 0, stoppedBy: null },
  "cwru-drive-end": { idealCycleS: 30, orders: [], state: null, made: 0, carry: 0, stoppedBy: null },
};
context.set("machines", machines);
const out = [], tiles = [];
if (msg.topic === "orders") {
  for (const asset of Object.keys(machines)) machines[asset].orders = msg.payload.filter((o) => o.workCenter === asset);
  return null;
}
if (msg.topic === "task") {
  const m = machines[msg.payload.asset];
  if (m && msg.payload.priority === "urgent" && !m.stoppedBy) m.stoppedBy = msg.payload.id;
  return null;
}
if (msg.topic !== "tick") return null;
const now = msg.payload;
const last = context.get("last") || now;
for (const [asset, m] of Object.entries(machines)) {
  if (m.stoppedBy && msg.repaired.includes(m.stoppedBy)) m.stoppedBy = null;
  if (m.state === "running") {
    m.carry += (now - last) / (m.idealCycleS * 1100);
    const produced = Math.floor(m.carry);
    m.carry -= produced;
    const scrap = Math.floor((m.made + produced) / 50) - Math.floor(m.made / 50);
    m.made += produced;
    if (produced > 0) out.push({ payload: { asset, ts: now, produced, scrap } });
  }
  const producing = m.orders.some((o) => o.start <= now && now < o.end);
  const maintenance = msg.inMaintenance.includes(asset);
  const state = !producing ? "planned-stop" : m.stoppedBy ? "down" : maintenance ? "planned-stop" : "running";
  if (state !== m.state) out.push({ payload: { asset, ts: now, state } });
  m.state = state;
  const label = state === "down" ? "down: stopped by an urgent task until its repair" : m.stoppedBy ? "stopped until its repair (no production planned)"
    : maintenance ? "maintenance" : state === "running" ? "running" : "planned stop (no production order)";
  if (label !== m.label) tiles.push({ topic: "machine", payload: { asset, state, label } });
  m.label = label;
}
context.set("last", now);
// An OEE report per machine every plant hour.
if (Math.floor(now / 3600000) > Math.floor(last / 3600000)) {
  for (const [asset, m] of Object.entries(machines)) if (m.state) out.push({ topic: "report", payload: { asset, end: now, idealCycleS: m.idealCycleS } });
}
return [out, tiles];`;

/** OEE, MTBF and MTTR per machine over the last 7 plant days, from pdm-oee's hourly reports. */
const kpiCode = `
// pdm-oee reports each plant hour; the KPIs add up the last 7 days (168 reports) of each machine.
const reports = context.get("reports") || {};
const r = msg.payload;
const list = (reports[r.asset] = (reports[r.asset] || []).concat([r]).slice(-168));
context.set("reports", reports);
const sum = (f) => list.reduce((s, x) => s + x[f], 0);
const plannedH = sum("plannedH"), runningH = sum("runningH"), downH = sum("downH"), failures = sum("failures"), produced = sum("produced"), good = sum("good");
const idealH = list.reduce((s, x) => s + x.performance * x.runningH, 0);
const availability = plannedH > 0 ? runningH / plannedH : 0;
const performance = runningH > 0 ? idealH / runningH : 0;
const quality = produced > 0 ? good / produced : 0;
return { topic: "kpi", payload: { asset: r.asset, hours: list.length, oee: availability * performance * quality, availability, performance, quality,
  failures, mtbfH: failures ? runningH / failures : null, mttrH: failures ? downH / failures : null, produced, good } };`;

/** Spare parts: stock on the shelf, purchase requests on order, parts used by finished work. */
const sparePartsCode = `
// Demo stock. Purchase requests of pdm-rules arrive after the part's lead time (plant clock);
// finished work orders take their parts. A change goes to pdm-rules (output 1, "stock") and
// the planner (output 2, "parts"); output 3 is the table for the dashboard.
${plantNow}
const first = context.get("parts") === undefined;
const parts = context.get("parts") || {
  "bearing-femto-32x20x7": { stock: 1, leadTimeH: 24, onOrder: [] },
  "bearing-6205-2rs": { stock: 2, leadTimeH: 72, onOrder: [] },
};
const requests = context.get("requests") || [];
let changed = first;
if (msg.topic === "purchase-request") {
  const part = parts[msg.payload.part];
  const arrives = now + (part ? part.leadTimeH : 0) * 3600000;
  if (part) part.onOrder.push({ quantity: msg.payload.quantity, arrives });
  requests.unshift({ id: msg.payload.id, part: msg.payload.part, quantity: msg.payload.quantity, asset: msg.payload.asset, at: now, arrives });
  requests.length = Math.min(requests.length, 10);
} else if (msg.topic === "consumed") {
  for (const p of msg.payload || []) if (parts[p.part]) parts[p.part].stock = Math.max(0, parts[p.part].stock - p.quantity);
  changed = true;
}
for (const part of Object.values(parts)) {
  if (!part.onOrder.some((o) => o.arrives <= now)) continue;
  part.stock += part.onOrder.filter((o) => o.arrives <= now).reduce((s, o) => s + o.quantity, 0);
  part.onOrder = part.onOrder.filter((o) => o.arrives > now);
  changed = true;
}
context.set("parts", parts); context.set("requests", requests);
if (!changed && msg.topic !== "purchase-request") return null;
const stock = Object.entries(parts).map(([part, p]) => ({ part, stock: p.stock, leadTimeH: p.leadTimeH }));
const table = { now, requests, rows: Object.entries(parts).map(([part, p]) => ({ part, stock: p.stock, leadTimeH: p.leadTimeH,
  onOrder: p.onOrder.reduce((s, o) => s + o.quantity, 0), nextArrival: p.onOrder.length ? Math.min(...p.onOrder.map((o) => o.arrives)) : null })) };
return [changed ? { topic: "stock", payload: stock } : null, changed ? { topic: "parts", payload: stock } : null, { payload: table }];`;

/** The dead letters of the ERP push (records the ERP refused), newest first. */
const deadLettersCode = `
const letters = context.get("letters") || [];
letters.unshift({ key: msg.payload.key, asset: msg.payload.asset, status: msg.payload.status, error: msg.payload.error });
letters.length = Math.min(letters.length, 20);
context.set("letters", letters);
return { payload: letters };`;

// --- the flow -------------------------------------------------------------------------

export function completeMaintenanceSystem(): FlowNode[] {
  const femtoAsset: FlowNode = {
    id: "asset-femto", type: "pdm-asset", name: "FEMTO Bearing1_1 (PRONOSTIA)", assetId: "femto-bearing1_1", assetType: "test bearing",
    criticality: "high", nominalRpm: "1800", bearingSpec: "geometry", balls: "13", ballDiameter: "3.5", pitchDiameter: "25.6", contactAngle: "0",
    bpfo: "", bpfi: "", bsf: "", ftf: "", sensors: [{ sensor: "acc_h", fs: "25600", unit: "g" }, { sensor: "acc_v", fs: "25600", unit: "g" }],
  };
  const cwruAsset: FlowNode = {
    id: "asset-cwru", type: "pdm-asset", name: "CWRU motor, drive-end bearing (SKF 6205)", assetId: "cwru-drive-end", assetType: "induction motor",
    criticality: "medium", nominalRpm: "1797", bearingSpec: "geometry", balls: "9", ballDiameter: "0.3126", pitchDiameter: "1.537", contactAngle: "0",
    bpfo: "", bpfi: "", bsf: "", ftf: "", sensors: [{ sensor: "de", fs: "12000", unit: "g" }],
  };
  // npm start points this base URL at its own port (1880 unless PDM_PORT says otherwise).
  // Imported into a Node-RED on another port, change it, or point it and the push node's
  // paths at your ERP.
  const erpConnection: FlowNode = {
    id: "erp-demo", type: "pdm-erp-connection", name: "demo ERP (this Node-RED, /demo-erp)", system: "rest",
    baseUrl: "http://127.0.0.1:1880", authType: "none", tokenUrl: "", scope: "", sapClient: "", timeoutS: 10, verifyTls: true, ca: "",
  };
  const tag = (topic: string) => `msg.topic = "${topic}"; return msg;`;

  return [
    { id: TAB, type: "tab", label: "Complete maintenance system", disabled: false,
      info: "Two machines replayed from real recordings (FEMTO run to failure, CWRU seeded bearing faults) through the whole pdm chain, with dashboard pages at /ui." },
    femtoAsset, cwruAsset, erpConnection,
    ui.tabOverview, ui.tabAssets, ui.tabMaintenance, ui.tabAudit, ...groups,

    // FEMTO Bearing1_1: run to failure at 600x (a snapshot every 10 min of test = one a second).
    comment("c-femto", 0, 0, "FEMTO Bearing1_1: run to failure, 600× real time", "Real 25.6 kHz vibration of a bearing run until it failed (7 h 47 min)."),
    node("replay-femto", "pdm-replay", 0, 1, { name: "FEMTO Bearing1_1", source: "femto", path: "", files: "", blockSize: 2048, blockUnit: "samples", asset: "femto-bearing1_1", sensor: "acc", speed: 600, loop: true, autostart: true }, [["features-femto", "diagnosis-femto", "femto-new-run"]]),
    node("features-femto", "pdm-features", 1, 1, { name: "condition features", asset: "", ...featureSettings }, [["anomaly-femto", "health-femto", "trends-femto"]]),
    node("diagnosis-femto", "pdm-features", 1, 2, { name: "bearing + ISO diagnosis", asset: "asset-femto", ...featureSettings, time: false, spectral: false, iso: true, bearing: true, envelopeSpectrumPoints: "2000" }, [["tag-diagnosis", "spectrum-femto"]]),
    node("anomaly-femto", "pdm-anomaly", 2, 1, { name: "anomaly (learns the first 10 snapshots)", asset: "asset-femto", ...anomalySettings, learnWindows: 20 }, [["tag-anomaly", "alarms", "rules-clock"], []]),
    node("health-femto", "pdm-health-index", 2, 0, femtoHealthIndexSettings, [["rul-femto"], []]),
    node("rul-femto", "pdm-rul", 3, 0, degradationRulSettings, [["tag-rul", "rul-chart", "rules-clock"], []]),
    fn("femto-new-run", "each pass: a new RUL run", 1, 0, newRunCode, [["rul-femto"]]),
    fn("trends-femto", "RMS and kurtosis trends", 2, 2, trendsCode, [["chart-rms"], ["chart-kurtosis"]], 2),
    fn("rul-chart", "RUL and health charts", 4, 0, rulChartCode, [["chart-rul"], ["chart-health"]], 2),
    fn("spectrum-femto", "envelope spectrum + defect lines", 2, 3, spectrumCode, [["spectrum-femto-ui"]]),

    // CWRU: healthy (48 kHz) then six seeded faults (12 kHz), in blocks of equal duration.
    comment("c-cwru", 0, 5, "CWRU drive-end bearing: healthy, then seeded faults, real time", `The healthy recording is 48 kHz, the faults 12 kHz: each rate has its own window, and the 48 kHz one is decimated by 4 with an anti-alias filter so the anomaly model compares like with like.

The 12 kHz windows overlap by 50 %, as a plant would set a condition-monitoring channel: a score every 85 ms, 12 a second, more than a person watching the chart can tell apart, and each sample analysed twice. The healthy recording is only 2.5 s long and the anomaly baseline learns 100 windows from it, so its window keeps 93.75 % overlap (223 windows).

Node-RED copies a message for every wire after the first. So the windows do not fan out to the features and the diagnosis: every one goes through "one a second", which passes one a second to the features and the diagnosis and the others to the features alone, and only that one window a second is copied.`),
    node("replay-cwru", "pdm-replay", 0, 6, { name: "CWRU recordings", source: "signals", path: "", files: "", blockSize: 0.08533333333333333, blockUnit: "seconds", asset: "cwru-drive-end", sensor: "de", speed: 1, loop: true, autostart: true }, [["by-rate"]]),
    node("by-rate", "switch", 1, 6, { name: "by sample rate", property: "payload.fs", propertyType: "msg", rules: [{ t: "eq", v: "48000", vt: "num" }, { t: "else" }], checkall: "false", repair: false, outputs: 2 }, [["window-48k"], ["window-12k"]]),
    node("window-48k", "pdm-window", 2, 6, { name: "8192 @ 48 kHz, 93.75 % overlap (baseline)", size: 8192, overlap: 93.75, targetFs: 0, maxGapMs: 0, jitterMs: 0, align: "", maxStreams: 100 }, [["features-48k"], []]),
    node("window-12k", "pdm-window", 2, 7, { name: "2048 @ 12 kHz, 50 % overlap", size: 2048, overlap: 50, targetFs: 0, maxGapMs: 0, jitterMs: 0, align: "", maxStreams: 100 }, [["diagnosis-rate"], []]),
    node("features-48k", "pdm-features", 3, 6, { name: "features (decimated to 12 kHz)", asset: "", ...featureSettings, decimation: "4" }, [["anomaly-cwru"]]),
    node("features-12k", "pdm-features", 3, 7, { name: "features", asset: "", ...featureSettings }, [["anomaly-cwru"]]),
    node("anomaly-cwru", "pdm-anomaly", 4, 6, { name: "anomaly (learns 100 healthy windows)", asset: "asset-cwru", ...anomalySettings, learnWindows: 100 }, [["tag-anomaly", "alarms", "rules-clock", "score-cwru"], []]),
    fn("score-cwru", "score and threshold, peak per 0.5 s", 5, 6, scoreChartCode, [["chart-score"]]),
    // Every window reaches the features once; one a second reaches the diagnosis too (the comment says why).
    node("diagnosis-rate", "delay", 2.5, 8, { name: "one a second", pauseType: "rate", timeout: "5", timeoutUnits: "seconds", rate: "1", nbRateUnits: "1", rateUnits: "second", randomFirst: "1", randomLast: "5", randomUnits: "seconds", drop: true, allowrate: false, outputs: 2 },
      [["features-12k", "diagnosis-cwru"], ["features-12k"]]),
    node("diagnosis-cwru", "pdm-features", 4, 8, { name: "bearing diagnosis", asset: "asset-cwru", ...featureSettings, time: false, spectral: false, bearing: true, envelopeSpectrumPoints: "2000" }, [["tag-diagnosis", "spectrum-cwru"]]),
    fn("spectrum-cwru", "envelope spectrum + defect lines", 5, 8, spectrumCode, [["spectrum-cwru-ui"]]),

    // Machine state for the overview.
    fn("tag-anomaly", "anomaly", 6, 3, tag("anomaly"), [["tiles"]]),
    fn("tag-rul", "rul", 6, 2, tag("rul"), [["tiles"]]),
    fn("tag-diagnosis", "diagnosis", 6, 4, tag("diagnosis"), [["tiles"]]),
    fn("tiles", "asset tiles", 7, 3, tilesCode, [["tiles-rate"]]),
    // The CWRU scores come 12 to 94 a second: the browser gets the tiles at most twice a second.
    node("tiles-rate", "delay", 8, 3, { name: "2 a second", pauseType: "rate", timeout: "5", timeoutUnits: "seconds", rate: "2", nbRateUnits: "1", rateUnits: "second", randomFirst: "1", randomLast: "5", randomUnits: "seconds", drop: true, allowrate: false, outputs: 1 }, [["tiles-ui"]]),
    template("tiles-ui", "ui-g-tiles", 1, 18, 5, templates.assetTiles, 9, 3),
    fn("alarms", "alarms: raise, clear, acknowledge", 6, 5, alarmsCode, [["alarms-ui"], ["audit"]], 2),
    template("alarms-ui", "ui-g-alarms", 1, 18, 6, templates.alarmList, 7, 5, [["alarms"]]),

    // Asset detail charts.
    chart("chart-rms", "ui-g-femto", 1, "Vibration RMS (g)", 3, 2.5, { ymin: "0" }),
    chart("chart-kurtosis", "ui-g-femto", 2, "Kurtosis", 3, 3),
    chart("chart-health", "ui-g-femto", 3, "Health index (100 = as new)", 5, 0.5, { ymin: "0" }),
    chart("chart-rul", "ui-g-femto", 4, "Remaining useful life (h) with 5–95 % interval", 5, 0, { ymin: "0" }),
    template("spectrum-femto-ui", "ui-g-femto", 5, 12, 6, templates.spectrumChart, 3, 3.5),
    chart("chart-score", "ui-g-cwru", 1, "Anomaly score and threshold", 6, 6),
    template("spectrum-cwru-ui", "ui-g-cwru", 2, 12, 6, templates.spectrumChart, 6, 8),

    // Maintenance: rules → planner → work orders → ERP and audit, on the demo plant's clock.
    comment("c-maintenance", 0, 10, "Maintenance: rules → plan → work orders → ERP, everything recorded in the audit log",
      "Rules and planner work on the demo plant's clock (600× real time), so that work orders are carried out and finished while you watch."),
    fn("rules-clock", "event time = plant clock", 0, 12, rulesClockCode, [["rules"]]),
    node("rules", "pdm-rules", 1, 12, { name: "maintenance rules", rules: JSON.stringify(maintenanceRules),
      assetParts: JSON.stringify({ "femto-bearing1_1": [{ part: "bearing-femto-32x20x7", quantity: 1 }], "cwru-drive-end": [{ part: "bearing-6205-2rs", quantity: 1 }] }), safetyMarginH: 1 },
      [["planner-clock", "audit-task", "production"], ["audit-purchase", "spare-parts"]]),
    fn("planner-clock", "plan as of the plant clock", 1, 11, plannerClockCode, [["planner"]]),
    node("planner", "pdm-planner", 2, 11, { name: "maintenance planner", solver: "highs", timeLimitS: 10, gapPercent: 1, horizonH: 168, slotH: 0, lateToleranceH: 24, latenessCostPerH: 200, leftOutCost: 20000, defaultDowntimeCostPerH: 0, replanOnTask: true }, [["gantt", "work-orders", "work-order-tracker"]]),
    fn("gantt", "Gantt rows", 3, 11, ganttCode, [["gantt-ui"], ["plan-summary"]], 2),
    template("gantt-ui", "ui-g-schedule", 1, 18, 3, templates.ganttChart, 4, 11),
    text("plan-summary", "ui-g-schedule", 2, "Plan", 4, 12, 18),
    fn("work-orders", "final plan: one message per work order", 3, 13, workOrdersCode, [["erp-push", "audit-work-order"]]),
    node("erp-push", "pdm-erp-push", 4, 13, { name: "push work orders", connection: "erp-demo", concurrency: 2, retryBaseS: 1, retryMaxS: 60, durability: "power-loss",
      notificationPath: "/demo-erp/notifications", notificationMapping: "", notificationRefField: "", workOrderPath: "/demo-erp/work-orders", workOrderMapping: "", workOrderRefField: "",
      inspectionPath: "", inspectionMapping: "", inspectionRefField: "", oeePath: "", oeeMapping: "", oeeRefField: "" }, [["work-order-tracker"], ["work-order-tracker", "dead-letters"]]),
    node("erp-status", "status", 5, 13, { name: "ERP push status", scope: ["erp-push"] }, [["erp-status-text"]]),
    fn("erp-status-text", "status text", 6, 13, `return { payload: msg.status.text || "" };`, [["erp-status-ui"]]),
    text("erp-status-ui", "ui-g-erp", 1, "ERP outbox", 7, 13, 9),
    fn("dead-letters", "dead letters (ERP refused)", 5, 14, deadLettersCode, [["dead-letters-ui"]]),
    template("dead-letters-ui", "ui-g-erp", 3, 18, 3, templates.deadLetters, 6, 14),
    node("demo-erp-in", "http in", 0, 15, { name: "demo ERP: POST /demo-erp/*", url: "/demo-erp/*", method: "post", upload: false, swaggerDoc: "" }, [["demo-erp"]]),
    fn("demo-erp", "store and answer 201", 1, 15, demoErpCode, [["demo-erp-out"], ["demo-erp-count"]], 2),
    node("demo-erp-out", "http response", 2, 15, { name: "", statusCode: "", headers: {} }, []),
    text("demo-erp-count", "ui-g-erp", 2, "Demo ERP", 2, 16, 9),
    node("demo-orders-in", "http in", 0, 16.5, { name: "demo ERP: GET /demo-erp/production-orders", url: "/demo-erp/production-orders", method: "get", upload: false, swaggerDoc: "" }, [["demo-orders"]]),
    fn("demo-orders", "two orders a day per machine", 1, 16.5, demoOrdersCode, [["demo-orders-out"]]),
    node("demo-orders-out", "http response", 2, 16.5, { name: "", statusCode: "", headers: {} }, []),
    node("demo-records-in", "http in", 0, 17.2, { name: "demo ERP: GET /demo-erp/records", url: "/demo-erp/records", method: "get", upload: false, swaggerDoc: "" }, [["demo-records"]]),
    fn("demo-records", "what it received", 1, 17.2, demoRecordsCode, [["demo-records-out"]]),
    node("demo-records-out", "http response", 2, 17.2, { name: "", statusCode: "", headers: {} }, []),

    // The demo plant: clock, production orders, simulated production → OEE and KPIs, work orders, spare parts.
    comment("c-plant", 0, 18, "Demo plant, simulated (the recordings have no production data): clock 600×, production orders from the demo ERP, machine states and counts → pdm-oee",
      "Machines run during their production orders, stand still between them and during maintenance, and are down from an urgent task of the rules until its work order is done."),
    node("plant-tick", "inject", 0, 19, { name: "every second", props: [{ p: "payload" }], repeat: "1", crontab: "", once: true, onceDelay: "0.1", topic: "", payload: "", payloadType: "date" }, [["plant-clock"]]),
    fn("plant-clock", "plant clock (600×)", 1, 19, plantClockCode, [["work-order-tracker", "spare-parts"], ["master-data-fn", "erp-pull"], ["rules", "planner"]], 3),
    fn("master-data-fn", "technicians and shifts", 2, 19.6, masterDataCode, [["planner-clock"]]),
    node("erp-pull", "pdm-erp-pull", 2, 20.2, { name: "production orders", connection: "erp-demo", path: "/demo-erp/production-orders", plant: "1010", daysBack: 0, daysAhead: 8, intervalMin: 0, maxRows: 10000 }, [["orders-to-stops"]]),
    fn("orders-to-stops", "orders → planned stops", 3, 20.2, ordersToStopsCode, [["planner-clock"], ["production"], ["orders-ui"]], 3),
    text("orders-ui", "ui-g-schedule", 3, "Production orders (demo ERP)", 4, 20.2, 18),
    fn("work-order-tracker", "work orders: planned → in progress → done", 3, 19, workOrderTrackerCode, [["rules"], ["production"], ["spare-parts"], ["backlog-ui"], ["tiles"]], 5),
    template("backlog-ui", "ui-g-backlog", 1, 18, 5, templates.workOrderBacklog, 4, 18.6),
    fn("production", "demo production (simulated)", 4, 19.6, productionCode, [["oee"], ["tiles"]], 2),
    node("oee", "pdm-oee", 5, 19.6, { name: "OEE, MTBF, MTTR", idealCycleS: 40, reportEveryMin: 0 }, [["kpis"]]),
    fn("kpis", "KPIs: last 7 plant days", 6, 19.6, kpiCode, [["tiles"]]),
    fn("spare-parts", "spare parts: stock, on order, used", 4, 21, sparePartsCode, [["rules"], ["planner-clock"], ["parts-ui"]], 3),
    template("parts-ui", "ui-g-parts", 1, 18, 4, templates.spareParts, 5, 21),

    // Audit: alarms, acknowledgements, tasks, purchases and work orders, verified every 10 minutes.
    fn("audit-task", "task → audit event", 2, 14, `return { payload: { type: msg.topic === "done" ? "maintenance-task-closed" : "maintenance-task", asset: msg.payload.asset, payload: msg.payload } };`, [["audit"]]),
    fn("audit-purchase", "purchase → audit event", 2, 14.6, `return { payload: { type: "purchase-request", asset: msg.payload.asset, payload: msg.payload } };`, [["audit"]]),
    fn("audit-work-order", "work order → audit event", 4, 14, `return { payload: { type: "work-order", asset: msg.payload.asset, actor: "pdm-planner", payload: msg.payload } };`, [["audit"]]),
    node("audit", "pdm-audit", 7, 7, { name: "plant audit log", log: "plant", eventType: "event", actor: "node-red", checkpointMinutes: 10, recordDeploys: true }, [[], ["checkpoint-text"]]),
    fn("checkpoint-text", "checkpoint", 8, 7.5, `const c = msg.payload; return { payload: "tree size " + c.treeSize + ", root " + String(c.rootHash).slice(0, 16) + "…" };`, [["checkpoint-ui"]]),
    text("checkpoint-ui", "ui-g-audit", 2, "Last checkpoint", 9, 7.5, 12),
    node("verify-every", "inject", 6, 9, { name: "every 10 min", props: [{ p: "payload" }], repeat: "600", crontab: "", once: true, onceDelay: "20", topic: "", payload: "", payloadType: "date" }, [["verify"]]),
    node("verify-button", "ui_button", 6, 10, { name: "", group: "ui-g-audit", order: 3, width: "4", height: "1", passthru: false, label: "Verify now", tooltip: "", color: "", bgcolor: "", className: "", icon: "", payload: "", payloadType: "date", topic: "verify", topicType: "str" }, [["verify"]]),
    node("verify", "pdm-audit-verify", 7, 9, { name: "verify the log", log: "plant", trustedKeys: "", intervalMinutes: 0, checkDetails: false, maxProblems: 100 }, [["verify-text"]]),
    fn("verify-text", "result text", 8, 9, verifyTextCode, [["verify-ui"]]),
    text("verify-ui", "ui-g-audit", 1, "Last verification", 9, 9, 12),
  ];
}
