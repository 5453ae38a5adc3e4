/**
 * Watching a reference flow in the test runtime: the flow with its settings pointed at the
 * test's servers and helper nodes wired to the outputs to watch, the messages arriving
 * there, waits for one that matches (failing loudly with what did come), and the errors the
 * runtime logged.
 */
import type { Node, NodeMessage } from "node-red";
import { FlowNode, helper } from "./runtime";

/**
 * A copy of a one-tab reference flow with the tab's flow settings (its env) replaced by
 * `settings`, a helper node per entry of `probes` (helper id → the node whose first output
 * it listens to), and an MQTT in node on the flow's broker config `broker` that reads back
 * everything under `pdm/` into the helper "t-broker".
 */
export function probedFlow(flow: FlowNode[], settings: Record<string, string>, probes: Record<string, string>, broker: string): FlowNode[] {
  const copy = flow.map((n) => ({ ...n }));
  const tab = copy.find((n) => n.type === "tab") as FlowNode & { env: Array<{ name: string; value: string }> };
  tab.env = tab.env.map((e) => ({ ...e, value: settings[e.name] ?? e.value }));
  for (const [probe, source] of Object.entries(probes)) {
    const n = copy.find((x) => x.id === source) as FlowNode & { wires: string[][] };
    n.wires = n.wires.map((targets, output) => (output === 0 ? [...targets, probe] : targets));
  }
  return [
    ...copy,
    ...Object.keys(probes).map((id) => ({ id, type: "helper", z: tab.id })),
    { id: "t-mqtt-in", type: "mqtt in", z: tab.id, name: "", topic: "pdm/#", qos: "1", datatype: "json", broker, nl: false, rap: true, rh: 0, inputs: 0, wires: [["t-broker"]] },
    { id: "t-broker", type: "helper", z: tab.id },
  ];
}

export interface Collected {
  node: Node;
  /** Every message that arrived since messagesAt() was called, oldest first. */
  messages: NodeMessage[];
}

export function messagesAt(id: string): Collected {
  const node = helper.getNode(id);
  const messages: NodeMessage[] = [];
  node.on("input", (msg: NodeMessage) => messages.push(msg));
  return { node, messages };
}

/** The first message, already received or yet to come, for which `test` holds. */
export function waitFor(at: Collected, test: (msg: NodeMessage) => boolean, timeoutMs: number): Promise<NodeMessage> {
  const found = at.messages.find(test);
  if (found) return Promise.resolve(found);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no matching message at ${at.node.id} in ${timeoutMs} ms (${at.messages.length} others)`)), timeoutMs);
    at.node.on("input", (msg: NodeMessage) => {
      if (test(msg)) {
        clearTimeout(timer);
        resolve(msg);
      }
    });
  });
}

/** Resolves when `count` messages have arrived in all. */
export async function waitForCount(at: Collected, count: number, timeoutMs: number): Promise<NodeMessage[]> {
  if (at.messages.length < count) await waitFor(at, () => at.messages.length >= count, timeoutMs);
  return at.messages.slice(0, count);
}

/** Errors the runtime logged (level ERROR or FATAL) since the flow was loaded. */
export function errorLogs(): string[] {
  const spy = (helper as unknown as { log(): { args: Array<[{ level: number; msg: unknown }]> } }).log();
  return spy.args.filter(([entry]) => entry.level <= 20).map(([entry]) => String(entry.msg));
}

/**
 * Errors logged while the flow started. Some nodes report theirs a moment after the load
 * (a function node compiles its code after its constructor), hence the wait.
 */
export async function deployErrors(settleMs = 1000): Promise<string[]> {
  await new Promise((resolve) => setTimeout(resolve, settleMs));
  return errorLogs();
}
