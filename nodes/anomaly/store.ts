/**
 * Detector states on disk: one JSON file per asset and sensor in a folder of the node
 * (under the Node-RED userDir). Written to a temporary file and renamed, so a crash in
 * the middle never leaves half a file; a file that cannot be read back is moved aside
 * as `<name>.corrupt` and reported, and the other assets load as usual.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { writeJsonAtomically } from "../shared/files";

export function stateFile(dir: string, asset: string, sensor: string): string {
  return path.join(dir, `${encodeURIComponent(asset)}~${encodeURIComponent(sensor)}.json`);
}

export function saveState(file: string, state: unknown): void {
  writeJsonAtomically(file, state);
}

export function deleteState(file: string): void {
  fs.rmSync(file, { force: true });
}

/** A file that could not be read back (moved aside), with the reason. */
export interface LoadFailure {
  file: string;
  error: string;
}

/**
 * Read every state file of a folder. `restore` turns the parsed JSON into a detector and
 * throws on invalid content; those files are moved aside like unparsable ones.
 */
export function loadStates<T>(dir: string, restore: (state: unknown) => T): { restored: T[]; failures: LoadFailure[] } {
  const restored: T[] = [];
  const failures: LoadFailure[] = [];
  if (!fs.existsSync(dir)) return { restored, failures };
  for (const name of fs.readdirSync(dir).filter((entry) => entry.endsWith(".json")).sort()) {
    const file = path.join(dir, name);
    try {
      restored.push(restore(JSON.parse(fs.readFileSync(file, "utf8"))));
    } catch (err) {
      failures.push({ file, error: err instanceof Error ? err.message : String(err) });
      fs.renameSync(file, `${file}.corrupt`);
    }
  }
  return { restored, failures };
}
