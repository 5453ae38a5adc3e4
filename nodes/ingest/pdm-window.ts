/**
 * pdm-window: collects scalar samples or sample blocks per (asset, sensor) into windows of
 * N samples with overlap; the windowing itself is in ./window.
 */
import { checkSampleBlock, checkScalarSample } from "../shared/contract";
import { NodeAPI, NodeDef, Node, Send, errorOf, onInput, status } from "../shared/node-red";
import { isRecord } from "../shared/validate";
import { statusThrottle } from "./status-throttle";
import { WindowOptions, Windower } from "./window";

interface WindowConfig extends NodeDef {
  size: string | number;
  overlap: string | number;
  targetFs: string | number;
  maxGapMs: string | number;
  jitterMs: string | number;
  align: string;
  maxStreams: string | number;
}

/** The editor's fields as window options; errors name the field. */
function windowOptions(config: WindowConfig): WindowOptions {
  const number = (value: unknown, fallback: number) => (value === undefined || value === "" ? fallback : Number(value));
  const options: WindowOptions = {
    size: number(config.size, 1024),
    overlap: number(config.overlap, 50) / 100,
    targetFs: number(config.targetFs, 0),
    maxGapMs: number(config.maxGapMs, 0),
    jitterMs: number(config.jitterMs, 0),
    align: (config.align ?? "").split(",").map((s) => s.trim()).filter(Boolean),
    maxStreams: number(config.maxStreams, 1000),
  };
  if (!Number.isInteger(options.maxStreams) || options.maxStreams < 1) throw new Error(`max streams: expected an integer >= 1, got ${config.maxStreams}`);
  return options;
}

export default function register(RED: NodeAPI): void {
  function PdmWindowNode(this: Node, config: WindowConfig) {
    RED.nodes.createNode(this, config);
    const node = this;
    /** The send function of the message being processed: windows go out as they fill. */
    let send: Send | undefined;
    let windower: Windower | undefined;
    let configError: Error | undefined;
    try {
      windower = new Windower(windowOptions(config), {
        window: (block) => send?.([{ topic: `${block.asset}/${block.sensor}`, payload: block }, null]),
        aligned: (window) => send?.([{ topic: window.asset, payload: window }, null]),
        event: (event) => send?.([null, { topic: `${event.asset}/${event.sensor}`, payload: event }]),
      });
      status.idle(node, "waiting for samples");
    } catch (err) {
      configError = errorOf(err);
      node.error(`pdm-window: ${configError.message}`);
      status.error(node, configError.message);
    }

    const counts = statusThrottle(() => {
      if (!windower) return;
      const { windows, events } = windower.stats;
      const text = `${windows} windows, ${windower.streamCount} streams${events ? `, ${events} breaks` : ""}`;
      if (events) status.warn(node, text);
      else status.ok(node, text);
    });
    node.on("close", () => counts.stop());

    onInput(node, (msg, sendThis) => {
      if (!windower) throw configError ?? new Error("not configured");
      const reset = (msg as { reset?: unknown }).reset;
      if (reset !== undefined) {
        windower.reset(typeof reset === "string" ? reset : undefined);
        status.idle(node, typeof reset === "string" ? `reset ${reset}` : "reset");
        return;
      }
      send = sendThis;
      if (isRecord(msg.payload) && "values" in msg.payload) windower.addBlock(checkSampleBlock(msg.payload, "msg.payload"));
      else windower.addScalar(checkScalarSample(msg.payload, "msg.payload"));
      counts.update();
    });
  }
  RED.nodes.registerType("pdm-window", PdmWindowNode);
}
