/**
 * `npm run flows`: writes the reference flows in flows/ from their source in
 * scripts/flows/. The build copies flows/ to examples/ (Import > Examples); a test
 * checks that flows/ is what this script writes.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { repoRoot } from "./embedded-node-red";
import { completeMaintenanceSystem } from "./flows/complete-maintenance-system";
import { opcuaInput } from "./flows/opcua-input";
import { modbusInput } from "./flows/modbus-input";
import { mqttUnifiedNamespace } from "./flows/mqtt-uns";

/** Every reference flow by file name (the name is the Import > Examples menu entry). */
export const referenceFlows: Record<string, () => unknown[]> = {
  "complete-maintenance-system.json": completeMaintenanceSystem,
  "opcua-input.json": opcuaInput,
  "modbus-input.json": modbusInput,
  "mqtt-unified-namespace.json": mqttUnifiedNamespace,
};

export function flowText(make: () => unknown[]): string {
  return `${JSON.stringify(make(), null, 2)}\n`;
}

if (require.main === module) {
  for (const [file, make] of Object.entries(referenceFlows)) {
    fs.writeFileSync(path.join(repoRoot, "flows", file), flowText(make));
    console.log(`wrote flows/${file}`);
  }
}
