/**
 * The open maintenance tasks of a pdm-rules node: one per asset and cause, kept in a JSON
 * file written atomically (temporary file, then rename) so they survive a restart and a
 * crash never leaves half a file. No file path = in memory only.
 */
import * as fs from "node:fs";
import { MaintenanceTask, checkMaintenanceTask } from "../shared/contract";
import { writeJsonAtomically } from "../shared/files";
import { arrayOf } from "../shared/validate";
import type { OpenTasks } from "./rules";

export class TaskStore implements OpenTasks {
  private readonly tasks = new Map<string, MaintenanceTask>();

  constructor(private readonly file?: string) {
    if (file && fs.existsSync(file)) {
      const saved = arrayOf(checkMaintenanceTask)(JSON.parse(fs.readFileSync(file, "utf8")), file);
      for (const task of saved) this.tasks.set(task.id, task);
    }
  }

  find(asset: string, cause: string): MaintenanceTask | undefined {
    for (const task of this.tasks.values()) if (task.asset === asset && task.cause === cause) return task;
    return undefined;
  }

  add(task: MaintenanceTask): void {
    this.tasks.set(task.id, task);
    this.save();
  }

  /** Close a task by id, or the open task of an asset and cause; returns the closed task. */
  close(ref: { taskId: string } | { asset: string; cause: string }): MaintenanceTask | undefined {
    const task = "taskId" in ref ? this.tasks.get(ref.taskId) : this.find(ref.asset, ref.cause);
    if (task) {
      this.tasks.delete(task.id);
      this.save();
    }
    return task;
  }

  clear(): void {
    this.tasks.clear();
    this.save();
  }

  list(): MaintenanceTask[] {
    return [...this.tasks.values()];
  }

  private save(): void {
    if (this.file) writeJsonAtomically(this.file, this.list());
  }
}
