/**
 * `npm start`: Node-RED with this suite and the reference flow, on recorded real data,
 * editor at http://127.0.0.1:1880 and the dashboard at /ui. Loopback only unless
 * PDM_HOST is set; PDM_PORT picks another port; `npm start -- --reset` puts the
 * reference flow back over your edits.
 */
import * as path from "node:path";
import { repoRoot, startNodeRed } from "./embedded-node-red";

export const referenceFlow = path.join(repoRoot, "flows", "complete-maintenance-system.json");

async function main(): Promise<void> {
  const node = await startNodeRed({
    userDir: process.env.PDM_USERDIR ?? path.join(repoRoot, ".node-red"),
    seedFlowFile: referenceFlow,
    resetFlows: process.argv.includes("--reset"),
    host: process.env.PDM_HOST ?? "127.0.0.1",
    port: Number(process.env.PDM_PORT ?? 1880),
  });
  console.log(`\nnode-red-contrib-pdm demo running\n  editor:    ${node.url}/\n  dashboard: ${node.url}/ui\n  (Ctrl+C to stop)\n`);
  const shutdown = () => node.stop().then(() => process.exit(0));
  process.once("SIGINT", shutdown);
  process.once("SIGTERM", shutdown);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
