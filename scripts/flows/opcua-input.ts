/**
 * Reference flow 2, "OPC UA input": a machine's vibration waveforms and process values read
 * by node-red-contrib-opcua's client from an OPC UA server (a PLC, or the demo server
 * `npm run demo:opcua-server`, which replays the real FEMTO Bearing1_1 run to failure),
 * through pdm-ingest → pdm-window → pdm-features → pdm-anomaly and pdm-health-index →
 * pdm-rul, the results sent to an MQTT broker through pdm-buffer (store and forward).
 *
 * The endpoint, the node ids and the broker are the tab's flow settings.
 * `npm run flows` writes flows/opcua-input.json; a test runs it against the demo server.
 */
import { OPCUA_DEMO_TAGS } from "../demo-opcua-server";
import { FlowNode, brokerLink, layout, tab } from "./tab-layout";
import { anomalySettings, degradationRulSettings, featureSettings, femtoHealthIndexSettings } from "./node-settings";

const TAB = "opcua-tab";
const at = layout(TAB);

/** The flow settings (tab environment variables) and their defaults: the demo server on this machine. */
const OPCUA_FLOW_SETTINGS = {
  OPCUA_ENDPOINT: "opc.tcp://127.0.0.1:4840",
  OPCUA_ACC_H: OPCUA_DEMO_TAGS.accH,
  OPCUA_ACC_V: OPCUA_DEMO_TAGS.accV,
  OPCUA_SPEED: OPCUA_DEMO_TAGS.speed,
  OPCUA_LOAD: OPCUA_DEMO_TAGS.load,
  MQTT_HOST: "127.0.0.1",
  MQTT_PORT: "1883",
};

/**
 * One monitored-items group for all tags, created when the client reports an open
 * session (the client drops subscribe requests that come before it has a session).
 */
const subscribeCode = `
if (msg.status !== "session active") return null;
const tags = ["OPCUA_ACC_H", "OPCUA_ACC_V", "OPCUA_SPEED", "OPCUA_LOAD"].map((name) => env.get(name));
node.status({ text: "subscribed to " + tags.length + " tags" });
return { topic: "multiple", payload: tags.map((nodeId) => ({ nodeId })) };`;

/** Each result gets its MQTT topic: pdm/<asset>/<what>. */
const topicCode = `
const p = msg.payload;
const what = p.rul !== undefined ? "rul" : p.score !== undefined ? "anomaly/" + p.sensor : p.sensor;
msg.topic = "pdm/" + p.asset + "/" + what;
return msg;`;

const howTo = `Try it on one machine: in a terminal of the node-red-contrib-pdm repository run

    npm run demo:opcua-server

It serves opc.tcp://127.0.0.1:4840 (security None, anonymous) and replays the real FEMTO Bearing1_1 run to failure, one 0.1 s snapshot at 25.6 kHz a second (600x; the source timestamps are the times in the test run, so the RUL is in the bearing's own hours).

Results go to an MQTT broker (MQTT_HOST, MQTT_PORT; e.g. mosquitto on this machine). Without one they wait in pdm-buffer's file and go out in order once the broker is reachable.`;

const plcHowTo = `To read your own machine, open this tab's properties (double-click the tab) and set:
- OPCUA_ENDPOINT: your PLC's or gateway's endpoint, e.g. opc.tcp://192.168.0.10:4840 (for a secured server, edit the endpoint node: security policy, mode, user)
- OPCUA_ACC_H, OPCUA_ACC_V: node ids of Double array variables holding one waveform each
- OPCUA_SPEED, OPCUA_LOAD: node ids of scalar process values
Then set the sample rate (fs), asset, sensor and unit of each row in pdm-ingest's tag map to match. A tag the client delivers that is not in the tag map is reported as an error ("unknown tag …"), never dropped silently.`;

export function opcuaInput(): FlowNode[] {
  return [
    tab(TAB, "OPC UA input", "Vibration waveforms and process values from an OPC UA server through the pdm chain; results to MQTT through store and forward. Flow settings: this tab's environment variables.", OPCUA_FLOW_SETTINGS),
    at.comment("opcua-c-demo", 0, 0, "Demo: npm run demo:opcua-server (FEMTO Bearing1_1 replay on opc.tcp://127.0.0.1:4840)", howTo),
    at.comment("opcua-c-plc", 2, 0, "Your PLC: set OPCUA_ENDPOINT and the node ids in this tab's properties", plcHowTo),
    {
      id: "opcua-endpoint", type: "OpcUa-Endpoint", z: TAB, name: "PLC (OPCUA_ENDPOINT)", endpoint: "${OPCUA_ENDPOINT}", secpol: "None", secmode: "None",
      none: true, login: false, usercert: false, userCertificate: "", userPrivatekey: "",
    },
    at.node("opcua-client", "OpcUa-Client", 0, 2, {
      name: "subscribe", endpoint: "opcua-endpoint", action: "subscribe", time: 100, timeUnit: "ms", deadbandtype: "a", deadbandvalue: 0,
      certificate: "n", localfile: "", localkeyfile: "", securitymode: "None", securitypolicy: "None", useTransport: false, maxChunkCount: 1, maxMessageSize: 8192,
      receiveBufferSize: 8192, sendBufferSize: 8192, setstatusandtime: false, keepsessionalive: false,
    }, [["opcua-ingest"], ["opcua-subscribe"], []]),
    at.fn("opcua-subscribe", "subscribe the tags when the session opens", 0, 3.5, subscribeCode, [["opcua-client"]]),
    at.node("opcua-ingest", "pdm-ingest", 1, 2, {
      name: "tag map", source: "opcua",
      tags: [
        { tag: "${OPCUA_ACC_H}", asset: "bearing1_1", sensor: "acc_h", unit: "g", fs: "25600", scale: "", offset: "" },
        { tag: "${OPCUA_ACC_V}", asset: "bearing1_1", sensor: "acc_v", unit: "g", fs: "25600", scale: "", offset: "" },
        { tag: "${OPCUA_SPEED}", asset: "bearing1_1", sensor: "speed", unit: "rpm", fs: "", scale: "", offset: "" },
        { tag: "${OPCUA_LOAD}", asset: "bearing1_1", sensor: "radial-load", unit: "N", fs: "", scale: "", offset: "" },
      ],
    }, [["opcua-by-kind"]]),
    at.node("opcua-by-kind", "switch", 2, 2, {
      name: "waveforms / process values", property: "payload.values", propertyType: "msg", rules: [{ t: "istype", v: "array", vt: "array" }, { t: "else" }],
      checkall: "false", repair: false, outputs: 2,
    }, [["opcua-window"], ["opcua-topic"]]),
    // FEMTO snapshots are 2560 samples with 10 s pauses: each pause breaks the window, so
    // each snapshot gives one window of 2048 (the other 512 samples are reported on output 2).
    at.node("opcua-window", "pdm-window", 3, 1.5, { name: "2048 samples", size: 2048, overlap: 0, targetFs: 0, maxGapMs: 0, jitterMs: 0, align: "", maxStreams: 100 }, [["opcua-features"], ["opcua-gaps"]]),
    at.node("opcua-gaps", "debug", 4, 2.5, { name: "gaps between snapshots", active: false, tosidebar: true, console: false, tostatus: true, complete: "payload.detail", targetType: "msg", statusVal: "payload.event", statusType: "msg" }, []),
    at.node("opcua-features", "pdm-features", 4, 1.5, { name: "condition features", asset: "", ...featureSettings }, [["opcua-anomaly", "opcua-health"]]),
    at.node("opcua-anomaly", "pdm-anomaly", 5, 1.5, { name: "anomaly (learns the first 20 snapshots of each axis)", asset: "", ...anomalySettings, learnWindows: 20 }, [["opcua-topic"], []]),
    at.node("opcua-health", "pdm-health-index", 5, 0.5, femtoHealthIndexSettings, [["opcua-rul"], []]),
    at.node("opcua-rul", "pdm-rul", 6, 0.5, degradationRulSettings, [["opcua-topic"], []]),
    at.fn("opcua-topic", "topic pdm/<asset>/<what>", 6, 2.5, topicCode, [["opcua-buffer", "opcua-results"]]),
    at.node("opcua-results", "debug", 6, 3.5, { name: "results", active: true, tosidebar: true, console: false, tostatus: false, complete: "payload", targetType: "msg" }, []),
    ...brokerLink(at, "opcua", 7, 2.5),
    at.node("opcua-catch", "catch", 0, 5, { name: "errors of this tab", scope: null, uncaught: false }, [["opcua-errors"]]),
    at.node("opcua-errors", "debug", 1, 5, { name: "errors", active: true, tosidebar: true, console: true, tostatus: false, complete: "error", targetType: "msg" }, []),
  ];
}
