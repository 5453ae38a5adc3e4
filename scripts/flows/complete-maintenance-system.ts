/**
 * The reference flow "Complete maintenance system": two machines replayed from real
 * recordings through the whole chain, with node-red-dashboard pages.
 *
 * - FEMTO Bearing1_1, a run to failure (600x real time): features → anomaly, and
 *   health index → RUL counting down;
 * - CWRU drive-end bearing (real time): healthy, then seeded faults: windows → features →
 *   anomaly alarms, and the envelope analysis naming the faulty race;
 * - alarms and RUL → pdm-rules → pdm-planner → work orders to an ERP (a small REST
 *   endpoint in this same flow stands in for it) through pdm-erp-push;
 * - alarms, acknowledgements, purchase requests and work orders recorded in pdm-audit,
 *   verified by pdm-audit-verify.
 *
 * Written as code so that the wiring is reviewable; `npm run flows` writes
 * flows/complete-maintenance-system.json and a test checks the file is up to date.
 */
import * as templates from "./dashboard-templates";

type FlowNode = Record<string, unknown> & { id: string; type: string };

const TAB = "tab-pdm-demo";

/** A node on the tab at grid position (column, row). */
function node(id: string, type: string, column: number, row: number, props: Record<string, unknown>, wires: string[][] = [[]]): FlowNode {
  return { id, type, z: TAB, x: 160 + column * 230, y: 60 + row * 60, ...props, ...(props.wires === undefined ? { wires } : {}) };
}

function fn(id: string, name: string, column: number, row: number, code: string, wires: string[][], outputs = 1): FlowNode {
  return node(id, "function", column, row, { name, func: code.trim(), outputs, timeout: 0, noerr: 0, initialize: "", finalize: "", libs: [] }, wires);
}

function comment(id: string, column: number, row: number, name: string, info = ""): FlowNode {
  return node(id, "comment", column, row, { name, info });
}

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
  group("ui-g-schedule", "Maintenance schedule", ui.tabMaintenance.id, 1, 18),
  group("ui-g-erp", "Work orders and ERP", ui.tabMaintenance.id, 2, 18),
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

/** Keeps the state of every asset for the tiles (anomaly, RUL, diagnosis) and sends the tile list. */
const tilesCode = `
// One tile per asset, from whatever arrives: anomaly, RUL, features with a diagnosis.
const tiles = context.get("tiles") || {};
const p = msg.payload;
const tile = tiles[p.asset] || { asset: p.asset, name: p.asset, state: "learning", info: {} };
if (msg.topic === "anomaly") {
  tile.info.anomaly = p.anomaly ? "ALARM: " + p.severity + " (score " + p.score.toFixed(2) + " / " + p.threshold.toFixed(2) + ")" : "normal (score " + p.score.toFixed(2) + ")";
  tile.alarms = Object.assign(tile.alarms || {}, { [p.sensor || ""]: p.anomaly });
  tile.alarm = Object.values(tile.alarms).some(Boolean);
} else if (msg.topic === "rul") {
  tile.info.rul = "RUL " + p.rul.toFixed(1) + " " + p.unit + " (" + p.lower.toFixed(1) + "–" + p.upper.toFixed(1) + "), health " + p.healthIndex.toFixed(0);
  tile.rulLow = p.unit === "h" && p.lower < 2;
} else if (msg.topic === "diagnosis") {
  tile.info.diagnosis = "bearing: " + (p.indicatedFault === "none" ? "no defect line" : p.indicatedFault.replace("_", " ") + " defect") + (p.isoZone ? ", ISO zone " + p.isoZone : "");
}
tile.state = tile.alarm ? "alarm" : tile.rulLow ? "warning" : tile.info.anomaly ? "ok" : "learning";
tile.lines = Object.values(tile.info);
tiles[p.asset] = tile;
context.set("tiles", tiles);
return { payload: Object.values(tiles) };`;

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

/** Condition trends for the charts: one point per window on the recording's time axis. */
const trendsCode = `
const p = msg.payload;
return [
  { topic: p.sensor, payload: p.features.rms, timestamp: p.t0 },
  { topic: p.sensor, payload: p.features.kurtosis, timestamp: p.t0 },
];`;

const rulChartCode = `
const p = msg.payload;
return [
  [{ topic: "RUL", payload: p.rul, timestamp: p.t0 }, { topic: "5 %", payload: p.lower, timestamp: p.t0 }, { topic: "95 %", payload: p.upper, timestamp: p.t0 }],
  { topic: "health index", payload: p.healthIndex, timestamp: p.t0 },
];`;

/** Plant master data for the planner: technicians with shifts, production stops, spare parts. */
const masterDataCode = `
// Demo master data: two shifts a day for three technicians over the next 8 days,
// a planned stop of each machine every night, and the spare parts on the shelf.
const H = 3600000;
const day0 = new Date(); day0.setHours(0, 0, 0, 0);
const shifts = (startH, lengthH) => Array.from({ length: 8 }, (_, d) => ({ start: day0.getTime() + (d * 24 + startH) * H, end: day0.getTime() + (d * 24 + startH + lengthH) * H }));
const stops = (startH) => Array.from({ length: 8 }, (_, d) => ({ start: day0.getTime() + (d * 24 + startH) * H, end: day0.getTime() + (d * 24 + startH + 4) * H }));
msg.topic = "plan";
msg.payload = {
  technicians: [
    { id: "anna", skills: ["mechanical", "vibration"], hourlyCost: 65, shifts: shifts(6, 8) },
    { id: "ben", skills: ["mechanical"], hourlyCost: 55, shifts: shifts(14, 8) },
    { id: "chloe", skills: ["electrical", "vibration"], hourlyCost: 60, shifts: shifts(6, 8) },
  ],
  windows: [
    { asset: "femto-bearing1_1", downtimeCostPerH: 900, stops: stops(22) },
    { asset: "cwru-drive-end", downtimeCostPerH: 600, stops: stops(2) },
  ],
  parts: [
    { part: "bearing-femto-32x20x7", stock: 0, leadTimeH: 48 },
    { part: "bearing-6205-2rs", stock: 2, leadTimeH: 72 },
  ],
};
return [msg, { topic: "stock", payload: msg.payload.parts }];`;

/** The planner's Gantt items as rows for the Gantt template. */
const ganttCode = `
const s = msg.payload;
const rows = (s.gantt || []).map((g) => ({ technician: g.technician, bars: g.items.map((i) => ({ label: i.label, start: i.start, end: i.end, priority: i.priority })) }));
const all = rows.flatMap((r) => r.bars);
const from = all.length ? Math.min(...all.map((b) => b.start)) : Date.now();
const to = all.length ? Math.max(...all.map((b) => b.end)) : from + 3600000;
return [{ payload: { from, to: Math.max(to, from + 24 * 3600000), rows } }, { payload: s.workOrders.length + " planned, " + s.unscheduled.length + " left out (" + s.solver.name + " " + s.solver.status + ", gap " + (s.solver.gap * 100).toFixed(1) + " %)" }];`;

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
  // npm start listens on 1880; on another port change this base URL, or point it and the
  // push node's paths at your ERP.
  const erpConnection: FlowNode = {
    id: "erp-demo", type: "pdm-erp-connection", name: "demo ERP (this Node-RED, /demo-erp)", system: "rest",
    baseUrl: "http://127.0.0.1:1880", authType: "none", tokenUrl: "", scope: "", sapClient: "", timeoutS: 10, verifyTls: true, ca: "",
  };
  const featureDefaults = { time: true, spectral: true, bands: "", welchSegment: "1024", iso: false, machineGroup: "group2-rigid", accelerationUnit: "g", bearing: false,
    envelopeLow: "2000", envelopeHigh: "5000", envelopeOrder: "4", harmonics: "3", tolerancePct: "2", threshold: "5", fftSize: "0", window: "hann",
    decimation: "1", prefilter: "none", prefilterLow: "", prefilterHigh: "", prefilterOrder: "4", zeroPhase: true, spectrumPoints: "0", spectrumKind: "amplitude", envelopeSpectrumPoints: "0" };
  const anomalyDefaults = { scorer: "ensemble", learning: "windows", learnHours: 24, quantile: 0.99, factor: "", persistK: 3, persistN: 5, clearRatio: 0.8, drift: true, driftDelta: 0.5, driftLambda: 50 };
  const tag = (topic: string) => `msg.topic = "${topic}"; return msg;`;

  return [
    { id: TAB, type: "tab", label: "Complete maintenance system", disabled: false,
      info: "Two machines replayed from real recordings (FEMTO run to failure, CWRU seeded bearing faults) through the whole pdm chain, with dashboard pages at /ui." },
    femtoAsset, cwruAsset, erpConnection,
    ui.tabOverview, ui.tabAssets, ui.tabMaintenance, ui.tabAudit, ...groups,

    // FEMTO Bearing1_1: run to failure at 600x (a snapshot every 10 min of test = one a second).
    comment("c-femto", 0, 0, "FEMTO Bearing1_1: run to failure, 600× real time", "Real 25.6 kHz vibration of a bearing run until it failed (7 h 47 min)."),
    node("replay-femto", "pdm-replay", 0, 1, { name: "FEMTO Bearing1_1", source: "femto", path: "", files: "", blockSize: 2048, blockUnit: "samples", asset: "femto-bearing1_1", sensor: "acc", speed: 600, loop: true, autostart: true }, [["features-femto", "diagnosis-femto"]]),
    node("features-femto", "pdm-features", 1, 1, { name: "condition features", asset: "", ...featureDefaults }, [["anomaly-femto", "health-femto", "trends-femto"]]),
    node("diagnosis-femto", "pdm-features", 1, 2, { name: "bearing + ISO diagnosis", asset: "asset-femto", ...featureDefaults, time: false, spectral: false, iso: true, bearing: true, envelopeSpectrumPoints: "2000" }, [["tag-diagnosis", "spectrum-femto"]]),
    node("anomaly-femto", "pdm-anomaly", 2, 1, { name: "anomaly (learns the first 10 snapshots)", asset: "asset-femto", ...anomalyDefaults, learnWindows: 20 }, [["tag-anomaly", "alarms", "rules"], []]),
    node("health-femto", "pdm-health-index", 2, 0, { name: "health index", features: "acc_h.rms, acc_v.rms", baselineCount: 10, failureValues: "acc_h.rms=1.85, acc_v.rms=3.18", failureSigma: 10, weights: "" }, [["rul-femto"], []]),
    node("rul-femto", "pdm-rul", 3, 0, { name: "RUL (exponential degradation)", method: "exponential-degradation", unit: "h", hoursPerCycle: 1, signal: "healthIndex", threshold: 0, phi: "", minObservations: 5, slopeDetectionLevel: 0.05, forgetting: 0.95, repairFraction: 0.2, neighbours: 5, library: "", model: "", backend: "auto" }, [["tag-rul", "rul-chart", "rules"], []]),
    fn("trends-femto", "RMS and kurtosis trends", 2, 2, trendsCode, [["chart-rms"], ["chart-kurtosis"]], 2),
    fn("rul-chart", "RUL and health charts", 4, 0, rulChartCode, [["chart-rul"], ["chart-health"]], 2),
    fn("spectrum-femto", "envelope spectrum + defect lines", 2, 3, spectrumCode, [["spectrum-femto-ui"]]),

    // CWRU: healthy (48 kHz) then six seeded faults (12 kHz), in blocks of equal duration.
    comment("c-cwru", 0, 5, "CWRU drive-end bearing: healthy, then seeded faults, real time", "The healthy recording is 48 kHz, the faults 12 kHz: each rate has its own window, and the 48 kHz one is decimated by 4 with an anti-alias filter so the anomaly model compares like with like."),
    node("replay-cwru", "pdm-replay", 0, 6, { name: "CWRU recordings", source: "signals", path: "", files: "", blockSize: 0.08533333333333333, blockUnit: "seconds", asset: "cwru-drive-end", sensor: "de", speed: 1, loop: true, autostart: true }, [["by-rate"]]),
    node("by-rate", "switch", 1, 6, { name: "by sample rate", property: "payload.fs", propertyType: "msg", rules: [{ t: "eq", v: "48000", vt: "num" }, { t: "else" }], checkall: "false", repair: false, outputs: 2 }, [["window-48k"], ["window-12k"]]),
    node("window-48k", "pdm-window", 2, 6, { name: "8192 @ 48 kHz, 93.75 % overlap", size: 8192, overlap: 93.75, targetFs: 0, maxGapMs: 0, jitterMs: 0, align: "", maxStreams: 100 }, [["features-48k"], []]),
    node("window-12k", "pdm-window", 2, 7, { name: "2048 @ 12 kHz, 93.75 % overlap", size: 2048, overlap: 93.75, targetFs: 0, maxGapMs: 0, jitterMs: 0, align: "", maxStreams: 100 }, [["features-12k", "diagnosis-rate"], []]),
    node("features-48k", "pdm-features", 3, 6, { name: "features (decimated to 12 kHz)", asset: "", ...featureDefaults, decimation: "4" }, [["anomaly-cwru"]]),
    node("features-12k", "pdm-features", 3, 7, { name: "features", asset: "", ...featureDefaults }, [["anomaly-cwru"]]),
    node("anomaly-cwru", "pdm-anomaly", 4, 6, { name: "anomaly (learns 100 healthy windows)", asset: "asset-cwru", ...anomalyDefaults, learnWindows: 100 }, [["tag-anomaly", "alarms", "rules", "score-cwru"], []]),
    fn("score-cwru", "score and threshold", 5, 6, `return [[{ topic: "score", payload: msg.payload.score, timestamp: msg.payload.t0 }, { topic: "threshold", payload: msg.payload.threshold, timestamp: msg.payload.t0 }]];`, [["chart-score"]]),
    node("diagnosis-rate", "delay", 3, 8, { name: "one a second", pauseType: "rate", timeout: "5", timeoutUnits: "seconds", rate: "1", nbRateUnits: "1", rateUnits: "second", randomFirst: "1", randomLast: "5", randomUnits: "seconds", drop: true, allowrate: false, outputs: 1 }, [["diagnosis-cwru"]]),
    node("diagnosis-cwru", "pdm-features", 4, 8, { name: "bearing diagnosis", asset: "asset-cwru", ...featureDefaults, time: false, spectral: false, bearing: true, envelopeSpectrumPoints: "2000" }, [["tag-diagnosis", "spectrum-cwru"]]),
    fn("spectrum-cwru", "envelope spectrum + defect lines", 5, 8, spectrumCode, [["spectrum-cwru-ui"]]),

    // Machine state for the overview.
    fn("tag-anomaly", "anomaly", 6, 3, tag("anomaly"), [["tiles"]]),
    fn("tag-rul", "rul", 6, 2, tag("rul"), [["tiles"]]),
    fn("tag-diagnosis", "diagnosis", 6, 4, tag("diagnosis"), [["tiles"]]),
    fn("tiles", "asset tiles", 7, 3, tilesCode, [["tiles-ui"]]),
    template("tiles-ui", "ui-g-tiles", 1, 18, 4, templates.assetTiles, 8, 3),
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

    // Maintenance: rules → planner → work orders → ERP and audit.
    comment("c-maintenance", 0, 10, "Maintenance: rules → plan → work orders → ERP, everything recorded in the audit log"),
    node("master-data", "inject", 0, 11, { name: "plant master data (at start)", props: [{ p: "payload" }], repeat: "", crontab: "", once: true, onceDelay: "1", topic: "", payload: "", payloadType: "date" }, [["master-data-fn"]]),
    fn("master-data-fn", "technicians, stops, parts", 1, 11, masterDataCode, [["planner"], ["rules"]], 2),
    node("rules", "pdm-rules", 1, 12, { name: "maintenance rules", rules: "", assetParts: JSON.stringify({ "femto-bearing1_1": [{ part: "bearing-femto-32x20x7", quantity: 1 }], "cwru-drive-end": [{ part: "bearing-6205-2rs", quantity: 1 }] }), safetyMarginH: 1 }, [["planner", "audit-task"], ["audit-purchase"]]),
    node("planner", "pdm-planner", 2, 11, { name: "maintenance planner", solver: "highs", timeLimitS: 10, gapPercent: 1, horizonH: 168, slotH: 0, lateToleranceH: 24, latenessCostPerH: 200, leftOutCost: 20000, defaultDowntimeCostPerH: 0, replanOnTask: true }, [["gantt", "work-orders"]]),
    fn("gantt", "Gantt rows", 3, 11, ganttCode, [["gantt-ui"], ["plan-summary"]], 2),
    template("gantt-ui", "ui-g-schedule", 1, 18, 6, templates.ganttChart, 4, 11),
    text("plan-summary", "ui-g-schedule", 2, "Plan", 4, 12, 18),
    fn("work-orders", "final plan: one message per work order", 3, 13, workOrdersCode, [["erp-push", "audit-work-order"]]),
    node("erp-push", "pdm-erp-push", 4, 13, { name: "push work orders", connection: "erp-demo", concurrency: 2, retryBaseS: 1, retryMaxS: 60, durability: "power-loss",
      notificationPath: "/demo-erp/notifications", notificationMapping: "", notificationRefField: "", workOrderPath: "/demo-erp/work-orders", workOrderMapping: "", workOrderRefField: "",
      inspectionPath: "", inspectionMapping: "", inspectionRefField: "", oeePath: "", oeeMapping: "", oeeRefField: "" }, [[], []]),
    node("erp-status", "status", 5, 13, { name: "ERP push status", scope: ["erp-push"] }, [["erp-status-text"]]),
    fn("erp-status-text", "status text", 6, 13, `return { payload: msg.status.text || "" };`, [["erp-status-ui"]]),
    text("erp-status-ui", "ui-g-erp", 1, "ERP outbox", 7, 13, 9),
    node("demo-erp-in", "http in", 0, 15, { name: "demo ERP: POST /demo-erp/*", url: "/demo-erp/*", method: "post", upload: false, swaggerDoc: "" }, [["demo-erp"]]),
    fn("demo-erp", "store and answer 201", 1, 15, demoErpCode, [["demo-erp-out"], ["demo-erp-count"]], 2),
    node("demo-erp-out", "http response", 2, 15, { name: "", statusCode: "", headers: {} }, []),
    text("demo-erp-count", "ui-g-erp", 2, "Demo ERP", 2, 16, 9),

    // Audit: alarms, acknowledgements, tasks, purchases and work orders, verified every 10 minutes.
    fn("audit-task", "task → audit event", 2, 14, `return { payload: { type: "maintenance-task", asset: msg.payload.asset, payload: msg.payload } };`, [["audit"]]),
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
