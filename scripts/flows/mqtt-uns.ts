/**
 * The reference flow "MQTT / Unified Namespace": condition monitoring on an edge box
 * publishing features, anomaly state, alarm events and RUL to an ISA-95 style topic tree
 * on a shared MQTT broker, and a site overview subscribing to every asset of the site.
 *
 * - Edge tab: a FEMTO run-to-failure replay (or a sensor gateway publishing raw waveforms
 *   over MQTT into pdm-ingest) → features → anomaly, health index → RUL → UNS messages →
 *   pdm-buffer (store and forward through broker outages) → MQTT out. Where the asset sits
 *   in the namespace and which broker to use are the tab's environment variables, so the
 *   same flow runs on every edge box with only those changed.
 * - Site overview tab: subscribes to `<enterprise>/<site>/+/+/+/condition/#`, keeps the
 *   latest state per asset, shows it on a dashboard page and answers GET /uns/site.
 *
 * Topic tree and payloads: docs/flow-mqtt-uns.md. `npm run flows` writes
 * flows/mqtt-unified-namespace.json.
 */

import { FlowNode, layout, tab } from "./tab-layout";
import { anomalySettings, degradationRulSettings, featureSettings, femtoHealthIndexSettings } from "./node-settings";

const EDGE = "tab-uns-edge";
const SITE = "tab-uns-site";
const edge = layout(EDGE);
const site = layout(SITE);

/** A broker connection scoped to one tab, so that `${UNS_BROKER_HOST}` and `${UNS_BROKER_PORT}` come from that tab's settings. */
function broker(tab: string, id: string, name: string): FlowNode {
  return {
    id, type: "mqtt-broker", z: tab, name, broker: "${UNS_BROKER_HOST}", port: "${UNS_BROKER_PORT}", clientid: "", autoConnect: true,
    usetls: false, protocolVersion: "4", keepalive: "60", cleansession: true, autoUnsubscribe: true,
    birthTopic: "", birthQos: "0", birthRetain: "false", birthPayload: "", birthMsg: {},
    closeTopic: "", closeQos: "0", closeRetain: "false", closePayload: "", closeMsg: {},
    willTopic: "", willQos: "0", willRetain: "false", willPayload: "", willMsg: {}, userProps: "", sessionExpiry: "",
  };
}

/** Node-RED's MQTT in with a dynamic subscription: the topic comes from a message built from the tab's settings. */
function mqttIn(tabId: string, id: string, name: string, brokerId: string, column: number, row: number, wires: string[][]): FlowNode {
  return layout(tabId).node(id, "mqtt in", column, row, { name, topic: "", qos: "1", datatype: "auto-detect", broker: brokerId, nl: false, rap: true, rh: 0, inputs: 1 }, wires);
}

function injectOnce(tabId: string, id: string, name: string, column: number, row: number, wires: string[][]): FlowNode {
  return layout(tabId).node(id, "inject", column, row, { name, props: [{ p: "payload" }], repeat: "", crontab: "", once: true, onceDelay: "0.1", topic: "", payload: "", payloadType: "date" }, wires);
}

// --- edge: function node code ----------------------------------------------------------

/** The asset's place in the namespace, from the tab's settings (used by two function nodes). */
const assetPath = `["UNS_ENTERPRISE", "UNS_SITE", "UNS_AREA", "UNS_LINE", "UNS_ASSET"].map((name) => env.get(name)).join("/")`;

const subscribeRawCode = `
// Raw values of this asset from a sensor gateway: <asset path>/raw/<sensor>.
return { action: "subscribe", topic: ${assetPath} + "/raw/#", qos: 1 };`;

const rawTagCode = `
// The tag map names raw topics relative to the asset (raw/acc_h), so the same flow runs
// unchanged on every edge box: drop enterprise/site/area/line/asset.
msg.topic = msg.topic.split("/").slice(5).join("/");
return msg;`;

const featuresCode = `
// Retained state: the latest condition features of one sensor, with each feature's unit
// (UCUM style, "1" = dimensionless). The accelerometers deliver g.
const ACC = "g";
const p = msg.payload;
const unitOf = (name) =>
  ["mean", "rms", "std", "peak", "peak_to_peak", "dominant_amplitude"].includes(name) ? ACC
  : ["dominant_frequency", "spectral_centroid", "spectral_spread", "spectral_rolloff"].includes(name) ? "Hz"
  : name === "iso_velocity_rms" ? "mm/s"
  : name.startsWith("band_") ? ACC + "2"
  : "1";
const units = {};
for (const name of Object.keys(p.features)) units[name] = unitOf(name);
return { topic: "features/" + p.sensor, retain: true,
  payload: { asset: p.asset, sensor: p.sensor, t0: p.t0, fs: p.fs, n: p.n, features: p.features, units } };`;

const anomalyCode = `
// Output 1, retained state: the anomaly score of each sensor's latest window and whether
// its alarm is on. Output 2, events: the alarm raised or cleared (not retained).
const p = msg.payload;
const result = { asset: p.asset, sensor: p.sensor, t0: p.t0, score: p.score, threshold: p.threshold,
  anomaly: p.anomaly, severity: p.severity, contributions: p.contributions };
const state = { topic: "anomaly/" + p.sensor, retain: true, payload: result };
const on = context.get("alarmOn") || {};
if (p.anomaly === (on[p.sensor] === true)) return [state, null];
on[p.sensor] = p.anomaly;
context.set("alarmOn", on);
return [state, { topic: "alarm", retain: false, payload: { event: p.anomaly ? "raised" : "cleared", ...result } }];`;

const rulCode = `
// Retained state: the latest remaining useful life with its 5-95 % interval.
const p = msg.payload;
return { topic: "rul", retain: true,
  payload: { asset: p.asset, t0: p.t0, rul: p.rul, unit: p.unit, lower: p.lower, upper: p.upper,
    healthIndex: p.healthIndex, pFail: p.pFail, method: p.method } };`;

const newPassCode = `
// The replay starts the recording again: for the demo, a new bearing. Its health baseline
// and RUL history start afresh (its times also start again, earlier than the last ones).
if (msg.replay.index !== 0 || msg.payload.sensor !== "acc_h") return null;
return { topic: "reset", payload: { asset: msg.payload.asset } };`;

const envelopeCode = `
// Every message: under this asset's path, QoS 1, with the measurement time as ISO text,
// when this box produced it, and a sequence number per edge box (from 1 at each start),
// so that a consumer can tell lost messages (a gap) and buffered ones (producedAt is old).
const seq = (context.get("seq") || 0) + 1;
context.set("seq", seq);
msg.topic = ${assetPath} + "/condition/" + msg.topic;
msg.qos = 1;
msg.payload = { ...msg.payload, time: new Date(msg.payload.t0).toISOString(), producedAt: new Date().toISOString(), seq };
return msg;`;

// --- site overview: function node code and dashboard ----------------------------------

const subscribeSiteCode = `
// Every asset of this site: <enterprise>/<site>/<area>/<line>/<asset>/condition/...
return { action: "subscribe", topic: env.get("UNS_ENTERPRISE") + "/" + env.get("UNS_SITE") + "/+/+/+/condition/#", qos: 1 };`;

const siteStateCode = `
// The latest state of every asset of the site, from its retained state topics and alarm
// events; also kept in flow context "assets" for GET /uns/site.
const [, , area, line, asset, , kind, sensor] = msg.topic.split("/");
const p = msg.payload;
if (typeof p !== "object" || p === null) return null;
const assets = flow.get("assets") || {};
const key = area + "/" + line + "/" + asset;
const a = assets[key] || { area, line, asset, sensors: {}, rul: null, lastAlarm: null };
const s = sensor ? (a.sensors[sensor] = a.sensors[sensor] || {}) : null;
if (kind === "features" && s) s.rms = { value: p.features.rms, unit: p.units.rms, time: p.time };
else if (kind === "anomaly" && s) s.anomaly = { on: p.anomaly, severity: p.severity, score: p.score, threshold: p.threshold, time: p.time };
else if (kind === "alarm") a.lastAlarm = { event: p.event, sensor: p.sensor, severity: p.severity, time: p.time };
else if (kind === "rul") a.rul = { rul: p.rul, lower: p.lower, upper: p.upper, unit: p.unit, healthIndex: p.healthIndex, time: p.time };
else return null;
a.alarm = Object.values(a.sensors).some((x) => x.anomaly && x.anomaly.on);
a.updated = p.producedAt;
assets[key] = a;
flow.set("assets", assets);
return { payload: Object.values(assets).sort((x, y) => (x.area + x.line + x.asset).localeCompare(y.area + y.line + y.asset)) };`;

const siteJsonCode = `
msg.payload = Object.values(flow.get("assets") || {});
return msg;`;

const assetTable = `
<style>
  .uns-table { width: 100%; border-collapse: collapse; font-size: 14px; }
  .uns-table th, .uns-table td { text-align: left; padding: 6px 8px; border-bottom: 1px solid rgba(128,128,128,0.3); }
  .uns-alarm { color: #fff; background: #c62828; border-radius: 4px; padding: 2px 6px; }
  .uns-ok { color: #fff; background: #2e7d32; border-radius: 4px; padding: 2px 6px; }
</style>
<table class="uns-table">
  <tr><th>Area / line / asset</th><th>Alarm</th><th>RUL (5–95 %)</th><th>Health</th><th>RMS per sensor</th><th>Updated</th></tr>
  <tr ng-repeat="a in msg.payload">
    <td>{{a.area}} / {{a.line}} / <b>{{a.asset}}</b></td>
    <td><span ng-class="a.alarm ? 'uns-alarm' : 'uns-ok'">{{a.alarm ? 'ALARM' : 'normal'}}</span>
      <div ng-if="a.lastAlarm">{{a.lastAlarm.event}} {{a.lastAlarm.sensor}} {{a.lastAlarm.time | date:'HH:mm:ss'}}</div></td>
    <td><span ng-if="a.rul">{{a.rul.rul | number:1}} {{a.rul.unit}} ({{a.rul.lower | number:1}}–{{a.rul.upper | number:1}})</span><span ng-if="!a.rul">no estimate yet</span></td>
    <td>{{a.rul ? (a.rul.healthIndex | number:0) : ''}}</td>
    <td><div ng-repeat="(name, s) in a.sensors">{{name}}: {{s.rms.value | number:3}} {{s.rms.unit}}</div></td>
    <td>{{a.updated | date:'HH:mm:ss'}}</td>
  </tr>
</table>`;

const edgeHowTo = `
Every edge box runs this tab with its own settings. Double-click the tab (Edit flow > Environment variables):

- UNS_ENTERPRISE, UNS_SITE, UNS_AREA, UNS_LINE, UNS_ASSET: where the asset sits in the namespace;
- UNS_BROKER_HOST, UNS_BROKER_PORT: the site broker every box publishes to.

To scale past one box: import this flow on each box, give each its own area/line/asset, point all of
them at the same broker, and disable the "UNS site overview" tab on all boxes but the one that shows it.
The broker connection uses a generated client id, so boxes never take each other's session.

Try it on one machine: \`npm run demo:mqtt-broker\` (a broker on 127.0.0.1:1883), then \`npm start\` and import
this flow. Topic tree and payloads: docs/flow-mqtt-uns.md.`;

// --- the flow -------------------------------------------------------------------------

export function mqttUnifiedNamespace(): FlowNode[] {
  const rawTag = (sensor: string) => ({ tag: `raw/${sensor}`, asset: "${UNS_ASSET}", sensor, unit: "g", scale: "", offset: "", fs: "25600", valuePath: "samples", timePath: "t" });

  return [
    tab(EDGE, "UNS edge box",
      "Condition monitoring of one asset, published to an ISA-95 style Unified Namespace on a shared MQTT broker. Settings: this tab's environment variables.",
      { UNS_ENTERPRISE: "acme", UNS_SITE: "lyon", UNS_AREA: "machining", UNS_LINE: "line-1", UNS_ASSET: "spindle-1", UNS_BROKER_HOST: "127.0.0.1", UNS_BROKER_PORT: "1883" }),
    tab(SITE, "UNS site overview",
      "Every asset of one site from the Unified Namespace: the latest alarm, RUL and vibration level per asset, at /ui and GET /uns/site.",
      { UNS_ENTERPRISE: "acme", UNS_SITE: "lyon", UNS_BROKER_HOST: "127.0.0.1", UNS_BROKER_PORT: "1883" }),
    broker(EDGE, "uns-edge-broker", "site broker (edge)"),
    broker(SITE, "uns-site-broker", "site broker (overview)"),
    { id: "ui-tab-uns-site", type: "ui_tab", name: "Site overview (UNS)", icon: "fa-sitemap", order: 10, disabled: false, hidden: false },
    { id: "ui-g-uns-assets", type: "ui_group", name: "Assets of the site", tab: "ui-tab-uns-site", order: 1, disp: true, width: "24", collapse: false, className: "" },

    // Edge: data in.
    edge.comment("uns-c-howto", 0, 0, "One edge box: its place in the namespace and its broker are this tab's settings", edgeHowTo),
    edge.comment("uns-c-replay", 0, 1, "Demo data: FEMTO Bearing1_1 run to failure, 600× real time",
      "Disable this replay when a sensor gateway publishes real values (below): both would feed the same asset."),
    edge.node("uns-replay", "pdm-replay", 0, 2, { name: "FEMTO Bearing1_1", source: "femto", path: "", files: "", blockSize: 2048, blockUnit: "samples", asset: "${UNS_ASSET}", sensor: "acc", speed: 600, loop: true, autostart: true }, [["uns-features", "uns-new-pass"]]),
    edge.fn("uns-new-pass", "each pass: a new bearing", 1, 1, newPassCode, [["uns-health", "uns-rul"]]),
    edge.comment("uns-c-raw", 0, 3, "Real sensors: a gateway publishes waveforms to <asset path>/raw/<sensor>",
      "Payload JSON: { \"t\": <epoch ms of the first sample>, \"samples\": [ ... ] } at 25.6 kHz, in g. Edit the tag map of pdm-ingest for your sensors (topic relative to the asset, sample rate, unit, value and time paths)."),
    injectOnce(EDGE, "uns-raw-start", "at start", 0, 4, [["uns-raw-subscribe"]]),
    edge.fn("uns-raw-subscribe", "subscribe <asset>/raw/#", 1, 4, subscribeRawCode, [["uns-raw-in"]]),
    mqttIn(EDGE, "uns-raw-in", "raw values", "uns-edge-broker", 2, 4, [["uns-raw-tag"]]),
    edge.fn("uns-raw-tag", "topic relative to the asset", 3, 4, rawTagCode, [["uns-ingest"]]),
    edge.node("uns-ingest", "pdm-ingest", 4, 4, { name: "raw waveforms", source: "mqtt", tags: [rawTag("acc_h"), rawTag("acc_v")] }, [["uns-window"]]),
    edge.node("uns-window", "pdm-window", 5, 4, { name: "2560 samples, no overlap", size: 2560, overlap: 0, targetFs: 0, maxGapMs: 0, jitterMs: 0, align: "", maxStreams: 100 }, [["uns-features"], []]),

    // Edge: analysis.
    edge.node("uns-features", "pdm-features", 1, 2, { name: "condition features", asset: "", ...featureSettings }, [["uns-anomaly", "uns-health", "uns-to-features"]]),
    edge.node("uns-anomaly", "pdm-anomaly", 2, 2, { name: "anomaly (learns 20 windows)", asset: "", ...anomalySettings, learnWindows: 20 }, [["uns-to-anomaly"], []]),
    edge.node("uns-health", "pdm-health-index", 2, 0.5, femtoHealthIndexSettings, [["uns-rul"], []]),
    edge.node("uns-rul", "pdm-rul", 3, 0.5, degradationRulSettings, [["uns-to-rul"], []]),

    // Edge: to the namespace, through store and forward.
    edge.comment("uns-c-publish", 4, 0, "To the namespace: QoS 1, state topics retained, alarm events not; stored on disk while the broker is away",
      "pdm-buffer starts with the link down and passes messages on once the Status node reports MQTT out connected; while it reports disconnected they are stored in order (SQLite in the userDir) and replayed when the connection is back. MQTT out drops messages silently while disconnected, so pdm-buffer keeps each message until the Complete node reports it published (with QoS 1: acknowledged by the broker); what is not confirmed when the connection drops is stored again, ahead of the rest. After changing pdm-buffer, use a full deploy so that MQTT out reports its connection again."),
    edge.fn("uns-to-features", "features → condition/features/<sensor>", 3, 3, featuresCode, [["uns-envelope"]]),
    edge.fn("uns-to-anomaly", "anomaly → condition/anomaly/<sensor>, alarm events", 3, 2, anomalyCode, [["uns-envelope"], ["uns-envelope"]], 2),
    edge.fn("uns-to-rul", "RUL → condition/rul", 4, 0.5, rulCode, [["uns-envelope"]]),
    edge.fn("uns-envelope", "UNS topic, time, seq, QoS 1", 5, 2, envelopeCode, [["uns-buffer"]]),
    edge.node("uns-buffer", "pdm-buffer", 6, 2, { name: "store and forward", maxMessages: 100000, policy: "drop-oldest", startUp: false, watchFailures: false, retryS: 10, confirm: true }, [["uns-out"]]),
    edge.node("uns-out", "mqtt out", 7, 2, { name: "site broker", topic: "", qos: "1", retain: "", respTopic: "", contentType: "", userProps: "", correl: "", expiry: "", broker: "uns-edge-broker" }, []),
    edge.node("uns-out-status", "status", 6, 3, { name: "MQTT connection", scope: ["uns-out"] }, [["uns-buffer"]]),
    edge.node("uns-out-done", "complete", 6, 1, { name: "published (PUBACK)", scope: ["uns-out"], uncaught: false }, [["uns-buffer"]]),

    // Site overview.
    site.comment("uns-c-site", 0, 0, "Site overview: every asset of UNS_ENTERPRISE/UNS_SITE on the broker, at /ui and GET /uns/site",
      "Runs on one box (or a separate Node-RED) per site; disable this tab on the other edge boxes. Retained state topics give the current state of every asset as soon as it subscribes."),
    injectOnce(SITE, "uns-site-start", "at start", 0, 1, [["uns-site-subscribe"]]),
    site.fn("uns-site-subscribe", "subscribe <enterprise>/<site>/+/+/+/condition/#", 1, 1, subscribeSiteCode, [["uns-site-in"]]),
    mqttIn(SITE, "uns-site-in", "condition of the site", "uns-site-broker", 2, 1, [["uns-site-state"]]),
    site.fn("uns-site-state", "latest state per asset", 3, 1, siteStateCode, [["uns-site-table"]]),
    site.node("uns-site-table", "ui_template", 4, 1, {
      group: "ui-g-uns-assets", name: "asset table", order: 1, width: "24", height: "8", format: assetTable.trim(), storeOutMessages: true,
      fwdInMessages: false, resendOnRefresh: true, templateScope: "local", className: "",
    }, [[]]),
    site.node("uns-site-http", "http in", 0, 2, { name: "GET /uns/site", url: "/uns/site", method: "get", upload: false, swaggerDoc: "" }, [["uns-site-json"]]),
    site.fn("uns-site-json", "assets as JSON", 1, 2, siteJsonCode, [["uns-site-response"]]),
    site.node("uns-site-response", "http response", 2, 2, { name: "", statusCode: "", headers: {} }, []),
  ];
}
