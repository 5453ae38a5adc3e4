/**
 * Building blocks for a reference flow on one tab: nodes placed on a grid, function and
 * comment nodes, the MQTT link through pdm-buffer that the PLC input flows share, and the
 * tab's flow settings (environment variables shown in the tab's properties).
 */
export type FlowNode = Record<string, unknown> & { id: string; type: string };

export interface Layout {
  tabId: string;
  /** A node on the tab at grid position (column, row). */
  node(id: string, type: string, column: number, row: number, props: Record<string, unknown>, wires?: string[][]): FlowNode;
  fn(id: string, name: string, column: number, row: number, code: string, wires: string[][], outputs?: number): FlowNode;
  comment(id: string, column: number, row: number, name: string, info?: string): FlowNode;
}

export function layout(tab: string): Layout {
  const node: Layout["node"] = (id, type, column, row, props, wires = [[]]) => ({ id, type, z: tab, x: 160 + column * 230, y: 60 + row * 60, ...props, wires });
  return {
    tabId: tab,
    node,
    fn: (id, name, column, row, code, wires, outputs = 1) =>
      node(id, "function", column, row, { name, func: code.trim(), outputs, timeout: 0, noerr: 0, initialize: "", finalize: "", libs: [] }, wires),
    comment: (id, column, row, name, info = "") => node(id, "comment", column, row, { name, info: info.trim() }),
  };
}

/** A tab whose `env` entries are its flow settings: nodes read them as `${NAME}` or env.get("NAME"). */
export function tab(id: string, label: string, info: string, settings: Record<string, string>): FlowNode {
  return { id, type: "tab", label, disabled: false, info, env: Object.entries(settings).map(([name, value]) => ({ name, value, type: "str" })) };
}

/**
 * Results leave the box through store and forward: pdm-buffer → MQTT out to the broker in
 * the flow settings MQTT_HOST and MQTT_PORT, a Status node on MQTT out telling pdm-buffer
 * when the broker is reachable. Until the broker has been reached (and whenever it is
 * not) the results wait in pdm-buffer's file and come out in order when it is back.
 * Wire results into `<prefix>-buffer`; each message's topic is its MQTT topic.
 */
export function brokerLink(at: Layout, prefix: string, column: number, row: number): FlowNode[] {
  const buffer = `${prefix}-buffer`;
  const out = `${prefix}-mqtt-out`;
  const broker = `${prefix}-broker`;
  return [
    at.node(buffer, "pdm-buffer", column, row, { name: "store and forward", maxMessages: 100000, policy: "drop-oldest", startUp: false, watchFailures: false, retryS: 10 }, [[out]]),
    at.node(out, "mqtt out", column + 1, row, { name: "to the plant broker", topic: "", qos: "1", retain: "false", respTopic: "", contentType: "", userProps: "", correl: "", expiry: "", broker }, []),
    at.node(`${prefix}-broker-status`, "status", column, row + 1, { name: "broker connected?", scope: [out] }, [[buffer]]),
    {
      id: broker, type: "mqtt-broker", z: at.tabId, name: "plant broker (MQTT_HOST:MQTT_PORT)", broker: "${MQTT_HOST}", port: "${MQTT_PORT}", clientid: "", autoConnect: true, usetls: false,
      protocolVersion: 4, keepalive: 60, cleansession: true, autoUnsubscribe: true, birthTopic: "", closeTopic: "", willTopic: "",
    },
  ];
}
