/**
 * The node modules a reference flow needs in node-red-node-test-helper's runtime, found
 * from the node types in the flow: this package's nodes (from package.json), Node-RED's
 * core nodes, node-red-contrib-opcua and node-red-contrib-modbus. A type with no module
 * fails here by name, before anything is deployed.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { FlowNode, NodeModule, buildNodes, nodeModule, repoRoot } from "./runtime";

const core = path.dirname(require.resolve("@node-red/nodes/package.json"));

/** Module file by node type, for every type a reference flow may use besides ours. */
const OTHER_MODULES: Record<string, string> = {
  function: path.join(core, "core/function/10-function.js"),
  switch: path.join(core, "core/function/10-switch.js"),
  change: path.join(core, "core/function/15-change.js"),
  delay: path.join(core, "core/function/89-delay.js"),
  inject: path.join(core, "core/common/20-inject.js"),
  debug: path.join(core, "core/common/21-debug.js"),
  comment: path.join(core, "core/common/90-comment.js"),
  "mqtt in": path.join(core, "core/network/10-mqtt.js"),
  "mqtt out": path.join(core, "core/network/10-mqtt.js"),
  "mqtt-broker": path.join(core, "core/network/10-mqtt.js"),
  "OpcUa-Client": require.resolve("node-red-contrib-opcua/opcua/102-opcuaclient.js"),
  "OpcUa-Endpoint": require.resolve("node-red-contrib-opcua/opcua/105-opcuaendpoint.js"),
  "modbus-client": require.resolve("node-red-contrib-modbus/modbus/modbus-client.js"),
  "modbus-read": require.resolve("node-red-contrib-modbus/modbus/modbus-read.js"),
};

/** The helper runtime loads these itself. */
const BUILT_IN = new Set(["tab", "helper", "catch", "status", "complete"]);

export function modulesFor(flow: FlowNode[]): NodeModule[] {
  const ours = (JSON.parse(fs.readFileSync(path.join(repoRoot, "package.json"), "utf8")) as { "node-red": { nodes: Record<string, string> } })["node-red"].nodes;
  const files = new Set<string>();
  for (const { type } of flow) {
    if (BUILT_IN.has(type)) continue;
    if (ours[type]) files.add(path.join(repoRoot, ours[type]));
    else if (OTHER_MODULES[type]) files.add(OTHER_MODULES[type]);
    else throw new Error(`no module known for node type "${type}"`);
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return [...files].map((file) => (file.startsWith(buildNodes) ? nodeModule(file) : (require(file) as NodeModule)));
}
