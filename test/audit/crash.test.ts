/**
 * Crash safety: a child process appends as fast as it can and is killed with SIGKILL in
 * the middle; the log must reopen, verify, and hold every record it acknowledged.
 */
import { strict as assert } from "node:assert";
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { canonicalize } from "../../nodes/audit/canonical-json";
import { AuditLog } from "../../nodes/audit/store";
import { verifyLogFile } from "../../nodes/audit/verify";
import { LOG_NAME, plantEvent } from "./log-fixture";

/** Run the appending child until it has acknowledged `acks` appends, kill -9 it, and return the last acknowledged seq. */
function appendAndKill(file: string, batch: number, acks: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(__dirname, "append-child.js"), file, String(batch)], { stdio: ["ignore", "pipe", "pipe"] });
    let lastAcked = 0;
    let seen = 0;
    let pending = "";
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout.on("data", (chunk: Buffer) => {
      pending += chunk.toString();
      const lines = pending.split("\n");
      pending = lines.pop() ?? "";
      for (const line of lines) {
        lastAcked = Number(line.slice(4));
        if (++seen === acks) child.kill("SIGKILL");
      }
    });
    child.on("exit", (code, signal) => {
      if (signal === "SIGKILL") resolve(lastAcked);
      else reject(new Error(`append child ended by itself (code ${code}): ${stderr}`));
    });
  });
}

describe("audit: crash safety", function () {
  this.timeout(60_000);

  it("after kill -9 during appends the log reopens, verifies and holds every acknowledged record", async () => {
    // A real disk, not memory: this is about the file on disk.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pdm-audit-crash-"));
    const file = path.join(dir, "plant.sqlite");
    try {
      for (const [round, batch] of [[1, 1], [2, 3], [3, 1]]) {
        const lastAcked = await appendAndKill(file, batch, 150);
        const result = verifyLogFile(file, { log: LOG_NAME });
        assert.ok(result.ok, `round ${round}: ${JSON.stringify(result.problems)}`);
        assert.ok(result.size >= lastAcked, `round ${round}: ${result.size} records on disk, ${lastAcked} acknowledged`);
        const log = new AuditLog(file);
        const acknowledged = log.rows(1, lastAcked);
        assert.equal(acknowledged.length, lastAcked);
        for (const row of acknowledged) assert.equal(row.payload, canonicalize(plantEvent(row.seq).payload), `round ${round}: record ${row.seq}`);
        // Appending goes on where the killed process stopped.
        assert.equal(log.append([plantEvent(log.size + 1)])[0].seq, result.size + 1);
        log.close();
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
