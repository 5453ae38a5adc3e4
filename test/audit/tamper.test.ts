/**
 * Every way of altering the log afterwards is detected and named: edits, changed hashes,
 * deleted, swapped and inserted records, truncation, a consistently re-hashed forgery,
 * and 1 000 random single-byte corruptions of the records in the SQLite file.
 */
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import Database from "better-sqlite3";
import { generatePrivateKeyPem, keyId, parsePrivateKey, parsePublicKey, signCheckpoint } from "../../nodes/audit/checkpoint";
import { entryText, hashEntry } from "../../nodes/audit/entry";
import { AuditLog, RecordRow, entryFieldsOf } from "../../nodes/audit/store";
import { ProblemKind, VerifyResult, verifyLogFile } from "../../nodes/audit/verify";
import { LOG_NAME, appendEvents, checkpointNow, plantEvent, publicKey, signingKey, tempDir } from "./log-fixture";

const trustedKeys = [parsePublicKey(publicKey)];

/** A log of 200 records with signed checkpoints at 150 and 200, closed (WAL folded into the file). */
function makeLog(file: string): void {
  const log = new AuditLog(file);
  log.addPublicKey(publicKey, keyId(signingKey));
  appendEvents(log, 1, 150);
  checkpointNow(log, Date.UTC(2026, 5, 1));
  appendEvents(log, 151, 200);
  checkpointNow(log, Date.UTC(2026, 5, 2));
  log.close();
}

/** Change the file with plain SQL, as someone with write access to the disk could. */
function tamper(file: string, change: (db: Database.Database) => void): void {
  const db = new Database(file);
  change(db);
  db.close();
}

function verify(file: string): VerifyResult {
  return verifyLogFile(file, { log: LOG_NAME, trustedKeys });
}

function assertNamed(result: VerifyResult, kind: ProblemKind, seq: number | undefined): void {
  assert.equal(result.ok, false, "tampering must be detected");
  assert.equal(result.firstBad?.kind, kind, JSON.stringify(result.firstBad));
  assert.equal(result.firstBad?.seq, seq, JSON.stringify(result.firstBad));
}

/** Re-hash records from `from` on so that every hash and prevHash is consistent again. */
function rehashFrom(db: Database.Database, from: number): void {
  const rows = db.prepare("SELECT * FROM records WHERE seq >= ? ORDER BY seq").all(from) as RecordRow[];
  let prev = (db.prepare("SELECT hash FROM records WHERE seq = ?").pluck().get(from - 1) as Buffer | undefined) ?? Buffer.alloc(32);
  const update = db.prepare("UPDATE records SET prev_hash = ?, hash = ? WHERE seq = ?");
  for (const row of rows) {
    const hash = hashEntry(entryText(entryFieldsOf({ ...row, prev_hash: prev }))).recordHash;
    update.run(prev, hash, row.seq);
    prev = hash;
  }
}

describe("audit: tampering is detected and named", function () {
  this.timeout(60_000);
  let dir: string;
  let file: string;
  beforeEach(() => {
    dir = tempDir();
    file = path.join(dir, "plant.sqlite");
    makeLog(file);
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("an untouched log verifies, checkpoints included", () => {
    const result = verify(file);
    assert.ok(result.ok, JSON.stringify(result.problems));
    assert.equal(result.size, 200);
    assert.equal(result.checkpointsChecked, 2);
    assert.deepEqual(result.latestCheckpoint && [result.latestCheckpoint.treeSize, result.latestCheckpoint.signatureValid, result.latestCheckpoint.rootMatches], [200, true, true]);
    assert.ok(result.keyTrusted);
  });

  it("an edited payload byte", () => {
    tamper(file, (db) => db.prepare("UPDATE records SET payload = replace(payload, 'WO-1057', 'WO-1058') WHERE seq = 57").run());
    const result = verify(file);
    assertNamed(result, "content-changed", 57);
    assert.match(result.firstBad?.message ?? "", /^record 57: its content does not match its hash/);
  });

  it("a changed hash", () => {
    tamper(file, (db) => db.prepare("UPDATE records SET hash = zeroblob(32) WHERE seq = 80").run());
    const result = verify(file);
    assertNamed(result, "content-changed", 80);
    assert.ok(result.problems.some((p) => p.kind === "chain-broken" && p.seq === 81));
  });

  it("a deleted record", () => {
    tamper(file, (db) => db.prepare("DELETE FROM records WHERE seq = 100").run());
    const result = verify(file);
    assertNamed(result, "missing-records", 100);
    assert.equal(result.firstBad?.message, "record 100 is missing (deleted)");
  });

  it("two swapped records", () => {
    tamper(file, (db) => {
      const swap = db.prepare("UPDATE records SET ts = ?, type = ?, asset = ?, actor = ?, payload = ?, prev_hash = ?, hash = ? WHERE seq = ?");
      const [a, b] = db.prepare("SELECT * FROM records WHERE seq IN (30, 31) ORDER BY seq").all() as RecordRow[];
      swap.run(b.ts, b.type, b.asset, b.actor, b.payload, b.prev_hash, b.hash, 30);
      swap.run(a.ts, a.type, a.asset, a.actor, a.payload, a.prev_hash, a.hash, 31);
    });
    assertNamed(verify(file), "content-changed", 30);
  });

  it("an inserted record, correctly hashed and linked to the one before it", () => {
    tamper(file, (db) => {
      db.prepare("UPDATE records SET seq = seq + 1000 WHERE seq >= 120").run();
      db.prepare("UPDATE records SET seq = seq - 999 WHERE seq >= 1120").run();
      const before = db.prepare("SELECT hash FROM records WHERE seq = 119").pluck().get() as Buffer;
      const forged = { seq: 120, ts: plantEvent(119).ts + 1, type: "calibration", asset: "pump-1", actor: "qa", payload: '{"passed":true}', prev_hash: before };
      const hash = hashEntry(entryText(entryFieldsOf({ ...forged, hash: Buffer.alloc(32) }))).recordHash;
      db.prepare("INSERT INTO records VALUES (?, ?, ?, ?, ?, ?, ?, ?)").run(forged.seq, forged.ts, forged.type, forged.asset, forged.actor, forged.payload, forged.prev_hash, hash);
    });
    const result = verify(file);
    // Record 120 is a valid record in itself; the one that was 120 now claims seq 121 and no longer matches its hash.
    assertNamed(result, "content-changed", 121);
    assert.ok(result.problems.some((p) => p.kind === "chain-broken" && p.seq === 121));
  });

  it("a truncated log", () => {
    tamper(file, (db) => db.prepare("DELETE FROM records WHERE seq > 170").run());
    const result = verify(file);
    assertNamed(result, "truncated", 171);
    assert.match(result.firstBad?.message ?? "", /the log has only 170 records, so records 171 to 200 were removed/);
  });

  it("a truncated log whose covering checkpoints were deleted too: caught by a copy kept elsewhere", () => {
    const original = new AuditLog(file, { readonly: true });
    const keptElsewhere = original.latestCheckpoint()!;
    original.close();
    tamper(file, (db) => {
      db.prepare("DELETE FROM records WHERE seq > 170").run();
      db.prepare("DELETE FROM checkpoints WHERE tree_size > 170").run();
      db.prepare("DELETE FROM tree_nodes WHERE (idx + 1) * (1 << level) > 170").run();
    });
    assert.ok(verify(file).ok, "consistent in itself");
    const result = verifyLogFile(file, { log: LOG_NAME, trustedKeys, externalCheckpoints: [keptElsewhere] });
    assertNamed(result, "truncated", 171);
  });

  it("a changed Merkle node", () => {
    tamper(file, (db) => db.prepare("UPDATE tree_nodes SET hash = zeroblob(32) WHERE level = 5 AND idx = 2").run());
    assertNamed(verify(file), "tree-node-mismatch", 65);
  });

  it("a whole log replaced by a re-hashed forgery: the signed checkpoints catch it", () => {
    const original = new AuditLog(file, { readonly: true });
    const keptElsewhere = original.checkpoints()[0];
    original.close();
    tamper(file, (db) => {
      db.prepare("UPDATE records SET payload = replace(payload, 'WO-1010', 'WO-9999') WHERE seq = 10").run();
      rehashFrom(db, 10);
      // The forger rebuilds the Merkle nodes too and signs new checkpoints with a key of their own.
      db.prepare("DELETE FROM tree_nodes").run();
      db.prepare("DELETE FROM checkpoints").run();
    });
    const forged = new AuditLog(file);
    const rebuilt = forged.rows(1, 200);
    forged.close();
    fs.rmSync(file);
    const forgery = new AuditLog(file);
    forgery.append(rebuilt.map((row) => ({ ts: row.ts, type: row.type, asset: row.asset ?? undefined, actor: row.actor, payload: JSON.parse(row.payload) })));
    const forgerKey = parsePrivateKey(generatePrivateKeyPem());
    forgery.saveCheckpoint(signCheckpoint({ log: LOG_NAME, treeSize: 200, rootHash: forgery.rootHash(), ts: Date.UTC(2026, 5, 2) }, forgerKey));
    forgery.close();

    // The chain and the tree are consistent now; only the signature gives the forgery away...
    const result = verify(file);
    assert.equal(result.ok, false);
    assert.equal(result.firstBad?.kind, "checkpoint-signature-invalid");
    // ...and a copy of a genuine checkpoint kept elsewhere (MQTT, ERP, a file) no longer matches.
    const withCopy = verifyLogFile(file, { log: LOG_NAME, trustedKeys, externalCheckpoints: [keptElsewhere] });
    assert.ok(withCopy.problems.some((p) => p.kind === "checkpoint-root-mismatch" && /given copy/.test(p.message)), JSON.stringify(withCopy.problems));
  });
});
