/**
 * pdm-ingest: turns what OPC UA, Modbus and MQTT nodes emit into contract samples, with
 * the tag map configured in the editor. The decoding is in ./sources and ./registers.
 */
import type { NodeMessage } from "node-red";
import { NodeAPI, NodeDef, Node, errorOf, onInput, status } from "../shared/node-red";
import { IngestResult, Sample, SourceMessage, ingestMessage } from "./sources";
import { statusThrottle } from "./status-throttle";
import { TagMap, parseTagMap } from "./tagmap";

interface IngestConfig extends NodeDef {
  source: unknown;
  tags: unknown;
}

/** Connector fields that mean nothing after ingest (and can be large, e.g. a Modbus response buffer). */
const CONNECTOR_FIELDS = new Set([
  "statusCode", "sourceTimestamp", "serverTimestamp", "sourcePicoseconds", "serverPicoseconds", "datatype",
  "responseBuffer", "input", "modbusRequest", "values", "valueNames", "sendingNodeId",
]);

/** The sample as a message that keeps the other properties of the connector's message (copied, not deleted: faster). */
function sampleMessage(msg: NodeMessage, tag: unknown, sample: Sample): NodeMessage {
  const source = msg as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(source)) if (!CONNECTOR_FIELDS.has(key)) out[key] = source[key];
  out.topic = `${sample.asset}/${sample.sensor}`;
  out.payload = sample;
  out.tag = tag;
  return out as NodeMessage;
}

export default function register(RED: NodeAPI): void {
  function PdmIngestNode(this: Node, config: IngestConfig) {
    RED.nodes.createNode(this, config);
    const node = this;
    let map: TagMap | undefined;
    let configError: Error | undefined;
    try {
      map = parseTagMap(config.source, config.tags);
      const rows = [...map.byTag.values()].reduce((count, tagRows) => count + tagRows.length, 0);
      status.idle(node, `${rows} value${rows === 1 ? "" : "s"} mapped`);
    } catch (err) {
      configError = errorOf(err);
      node.error(`pdm-ingest: ${configError.message}`);
      status.error(node, configError.message);
    }

    let samples = 0;
    let withoutValue = 0;
    const counts = statusThrottle(() => {
      const text = `${samples} samples${withoutValue ? `, ${withoutValue} bad` : ""}`;
      if (withoutValue) status.warn(node, text);
      else status.ok(node, text);
    });
    node.on("close", () => counts.stop());

    onInput(node, (msg, send) => {
      if (!map) throw configError ?? new Error("no tag map");
      const result: IngestResult = ingestMessage(map, msg as SourceMessage, Date.now());
      samples += result.samples.length;
      withoutValue += result.withoutValue;
      if (result.samples.length === 1) send(sampleMessage(msg, msg.topic, result.samples[0]));
      else if (result.samples.length > 1) send([result.samples.map((sample) => sampleMessage(msg, msg.topic, sample))]);
      counts.update();
      if (result.errors.length > 0) throw new Error(result.errors.map((e) => e.message).join("; "));
    });
  }
  RED.nodes.registerType("pdm-ingest", PdmIngestNode);
}
