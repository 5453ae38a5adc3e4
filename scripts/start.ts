/**
 * `npm start`: Node-RED with this suite and the reference flow, on recorded real data,
 * editor at http://127.0.0.1:1880 and the dashboard at /ui. Loopback only unless
 * PDM_HOST is set; PDM_PORT picks another port; `npm start -- --reset` puts the
 * reference flow back over your edits.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { runUntilStopped } from "./command-line";
import { repoRoot, startNodeRed } from "./embedded-node-red";

const referenceFlow = path.join(repoRoot, "flows", "complete-maintenance-system.json");

/**
 * The reference flow, with its demo ERP connection pointed at this Node-RED: the demo ERP
 * is an http-in endpoint of the flow itself, so on another port than 1880 the flow would
 * otherwise post its work orders (and pull its production orders) into nothing.
 */
function referenceFlowFor(port: number): unknown[] {
  const flows = JSON.parse(fs.readFileSync(referenceFlow, "utf8")) as Array<Record<string, unknown>>;
  if (port === 0) return flows; // an ephemeral port is known only after the start
  return flows.map((node) => (node.type === "pdm-erp-connection" && node.id === "erp-demo" ? { ...node, baseUrl: `http://127.0.0.1:${port}` } : node));
}

const port = Number(process.env.PDM_PORT ?? 1880);
runUntilStopped(
  () =>
    startNodeRed({
      userDir: process.env.PDM_USERDIR ?? path.join(repoRoot, ".node-red"),
      seedFlows: referenceFlowFor(port),
      resetFlows: process.argv.includes("--reset"),
      host: process.env.PDM_HOST ?? "127.0.0.1",
      port,
    }),
  (node) => console.log(`\nnode-red-contrib-pdm demo running\n  editor:    ${node.url}/\n  dashboard: ${node.url}/ui\n  (Ctrl+C to stop)\n`),
);
