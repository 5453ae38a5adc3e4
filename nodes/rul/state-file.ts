/**
 * A node's persisted state as one JSON file, written atomically (temp file + rename) so a
 * crash mid-write never leaves half a file, and at most once per `delayMs` while messages
 * stream in (not on every message). Framework-free.
 *
 * The default of 10 s bounds what a crash loses (the last 10 s of observations; a close
 * or a command saves at once) and keeps a box with many assets from spending its time
 * rewriting state files: at once a second, the scale bench measured over 100 ms of CPU
 * per write for a long run.
 */
import * as fs from "node:fs";
import { writeJsonAtomically } from "../shared/files";

export class StateFile<T> {
  private timer: NodeJS.Timeout | undefined;

  /** `current` gives the state to write, or undefined while there is none (a node that failed to start). */
  constructor(
    readonly file: string,
    private readonly current: () => T | undefined,
    private readonly delayMs = 10_000,
  ) {}

  /** The saved state, or undefined when there is none. A corrupt file is an error naming it. */
  load(): T | undefined {
    if (!fs.existsSync(this.file)) return undefined;
    try {
      return JSON.parse(fs.readFileSync(this.file, "utf8")) as T;
    } catch (err) {
      throw new Error(`${this.file}: cannot read saved state: ${(err as Error).message}`);
    }
  }

  /** Write the current state now (after a command, and on close), cancelling a pending write. */
  saveNow(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const state = this.current();
    if (state !== undefined) writeJsonAtomically(this.file, state);
  }

  /** Write the current state within `delayMs` (after an observation); one write for a burst of calls. */
  saveSoon(): void {
    this.timer ??= setTimeout(() => this.saveNow(), this.delayMs);
  }

  /** On the node's close: save, or when the node was removed from the flow, delete the file. */
  close(removed: boolean): void {
    if (!removed) {
      this.saveNow();
      return;
    }
    clearTimeout(this.timer);
    this.timer = undefined;
    fs.rmSync(this.file, { force: true });
  }
}
