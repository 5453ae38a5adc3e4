/**
 * A node's persisted state as one JSON file, written atomically (temp file + rename) so a
 * crash mid-write never leaves half a file. Framework-free.
 */
import * as fs from "node:fs";
import { writeJsonAtomically } from "../shared/files";

export class StateFile<T> {
  constructor(readonly file: string) {}

  /** The saved state, or undefined when there is none. A corrupt file is an error naming it. */
  load(): T | undefined {
    if (!fs.existsSync(this.file)) return undefined;
    try {
      return JSON.parse(fs.readFileSync(this.file, "utf8")) as T;
    } catch (err) {
      throw new Error(`${this.file}: cannot read saved state: ${(err as Error).message}`);
    }
  }

  save(state: T): void {
    writeJsonAtomically(this.file, state);
  }

  remove(): void {
    fs.rmSync(this.file, { force: true });
  }
}
