/**
 * Writing state files so that a crash in the middle never leaves half a file: write a
 * temporary file beside the target, then rename it over the target (atomic on one file
 * system). Framework-free.
 */
import * as fs from "node:fs";
import * as path from "node:path";

/** Write `value` as JSON to `file` atomically, creating the folder if needed. */
export function writeJsonAtomically(file: string, value: unknown): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(temporary, JSON.stringify(value));
  fs.renameSync(temporary, file);
}
