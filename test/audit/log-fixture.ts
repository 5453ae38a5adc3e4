/** Small helpers for the audit tests: a fresh log file, plausible events, a signing key. */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parsePrivateKey, generatePrivateKeyPem, publicKeyHex, signCheckpoint } from "../../nodes/audit/checkpoint";
import { AuditEvent, AuditLog } from "../../nodes/audit/store";

export const LOG_NAME = "plant";

/** The committed fixtures (source tree, not build/): vectors and the script that derived them. */
export const fixturesDir = path.resolve(__dirname, "..", "..", "..", "test", "audit", "fixtures");

/** A fresh folder; in memory (/dev/shm) where there is one, as the corruption test writes hundreds of file copies. */
export function tempDir(): string {
  const base = fs.existsSync("/dev/shm") ? "/dev/shm" : os.tmpdir();
  return fs.mkdtempSync(path.join(base, "pdm-audit-test-"));
}

const TYPES = ["maintenance-completed", "calibration", "quality-inspection", "configuration-change", "production-batch"];

/** The n-th event of a plausible plant history; the payload names its number so it is unique in the file. */
export function plantEvent(n: number): AuditEvent {
  return {
    ts: Date.UTC(2026, 0, 1) + n * 60_000,
    type: TYPES[n % TYPES.length],
    asset: n % 3 === 0 ? undefined : `pump-${n % 7}`,
    actor: n % 2 === 0 ? "j.smith" : "qa",
    payload: { n, workOrder: `WO-${1000 + n}`, note: `event number ${n}`, values: [n % 10, 0.5, -n] },
  };
}

export function appendEvents(log: AuditLog, from: number, to: number): void {
  for (let n = from; n <= to; n++) log.append([plantEvent(n)]);
}

export const signingKey = parsePrivateKey(generatePrivateKeyPem());
export const publicKey = publicKeyHex(signingKey);

/** Sign and store a checkpoint of the log as it is now. */
export function checkpointNow(log: AuditLog, ts = Date.UTC(2026, 5, 1)) {
  const checkpoint = signCheckpoint({ log: LOG_NAME, treeSize: log.size, rootHash: log.rootHash(), ts }, signingKey);
  log.saveCheckpoint(checkpoint);
  return checkpoint;
}
