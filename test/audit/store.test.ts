import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { checkpointSignatureValid, generatePrivateKeyPem, keyId, parsePrivateKey, parsePublicKey, publicKeyHex } from "../../nodes/audit/checkpoint";
import { GENESIS_PREV_HASH } from "../../nodes/audit/entry";
import { leafHash, rootOfLeaves, verifyConsistency, verifyInclusion } from "../../nodes/audit/merkle";
import { AuditLog } from "../../nodes/audit/store";
import { checkConsistency, checkInclusion, leafHashOfRecord, recordHashValid, verifyLog } from "../../nodes/audit/verify";
import { checkAuditRecord } from "../../nodes/shared/contract";
import { LOG_NAME, fixturesDir, appendEvents, checkpointNow, plantEvent, publicKey, signingKey, tempDir } from "./log-fixture";

interface RecordVector {
  fields: { seq: number; ts: number; type: string; asset?: string; actor: string; payload: unknown; prevHash: string };
  canonical: string;
  hash: string;
  leafHash: string;
}

describe("audit: log store", () => {
  let dir: string;
  beforeEach(() => (dir = tempDir()));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("hashes records exactly as the independently derived vectors say", () => {
    const vectors = (JSON.parse(fs.readFileSync(path.join(fixturesDir, "merkle-vectors.json"), "utf8")) as { records: RecordVector[] }).records;
    const log = new AuditLog(path.join(dir, "a.sqlite"));
    const records = vectors.map(({ fields }) => log.append([{ ts: fields.ts, type: fields.type, asset: fields.asset, actor: fields.actor, payload: fields.payload }])[0]);
    records.forEach((record, i) => {
      assert.equal(record.hash, vectors[i].hash);
      assert.equal(record.prevHash, vectors[i].fields.prevHash);
      assert.equal(leafHashOfRecord(record).toString("hex"), vectors[i].leafHash);
      assert.ok(recordHashValid(record));
      checkAuditRecord(record, "record");
    });
    assert.equal(records[0].prevHash, GENESIS_PREV_HASH);
    assert.equal(log.rootHash(), rootOfLeaves(vectors.map((v) => leafHash(Buffer.from(v.canonical)))).toString("hex"));
    log.close();
  });

  it("keeps size, root and chain across reopening and continues the sequence", () => {
    const file = path.join(dir, "a.sqlite");
    let log = new AuditLog(file);
    appendEvents(log, 1, 37);
    const root = log.rootHash();
    const last = log.record(37);
    log.close();
    log = new AuditLog(file);
    assert.equal(log.size, 37);
    assert.equal(log.rootHash(), root);
    const [next] = log.append([plantEvent(38)]);
    assert.equal(next.seq, 38);
    assert.equal(next.prevHash, last?.hash);
    assert.deepEqual(log.record(38), next);
    assert.ok(verifyLog(log, { log: LOG_NAME }).ok);
    log.close();
  });

  it("keeps one chain when two connections append to the same file in turn", () => {
    const file = path.join(dir, "a.sqlite");
    const first = new AuditLog(file);
    const second = new AuditLog(file);
    for (let n = 1; n <= 40; n++) (n % 3 === 0 ? second : first).append([plantEvent(n)]);
    assert.equal(first.size, 40);
    assert.equal(first.rootHash(), second.rootHash());
    assert.ok(verifyLog(first, { log: LOG_NAME }).ok);
    first.close();
    second.close();
  });

  it("appends a batch in one transaction, and nothing when one event is not JSON", () => {
    const log = new AuditLog(path.join(dir, "a.sqlite"));
    log.append([plantEvent(1), plantEvent(2), plantEvent(3)]);
    assert.equal(log.size, 3);
    assert.throws(() => log.append([plantEvent(4), { ...plantEvent(5), payload: { value: NaN } }]), /events\[1\]\.payload\.value: NaN is not a JSON number/);
    assert.equal(log.size, 3);
    assert.equal(log.rows(1, 10).length, 3);
    log.append([plantEvent(4)]);
    assert.ok(verifyLog(log, { log: LOG_NAME }).ok);
    log.close();
  });

  it("gives inclusion proofs for every record that verify against the tree head of every size", () => {
    const log = new AuditLog(path.join(dir, "a.sqlite"));
    appendEvents(log, 1, 70);
    const leaves = log.rows(1, 70).map((row) => leafHashOfRecord(log.record(row.seq)!));
    for (const treeSize of [1, 16, 17, 33, 64, 70]) {
      const root = log.rootAt(treeSize);
      assert.ok(root.equals(rootOfLeaves(leaves.slice(0, treeSize))), `root at ${treeSize}`);
      for (let seq = 1; seq <= treeSize; seq++) {
        const proof = log.inclusionProof(seq, treeSize);
        assert.ok(verifyInclusion(seq - 1, treeSize, leaves[seq - 1], proof, root), `record ${seq} in ${treeSize}`);
      }
    }
    const record = log.record(42)!;
    const check = { seq: 42, treeSize: 70, rootHash: log.rootHash(), proof: log.inclusionProof(42).map((h) => h.toString("hex")) };
    assert.ok(checkInclusion(record, check));
    assert.ok(!checkInclusion({ ...record, payload: { ...(record.payload as object), note: "edited" } }, check));
    log.close();
  });

  it("gives consistency proofs between any two sizes that verify", () => {
    const log = new AuditLog(path.join(dir, "a.sqlite"));
    appendEvents(log, 1, 50);
    for (const oldSize of [1, 3, 16, 31, 32, 49, 50]) {
      for (const newSize of [oldSize, 33, 50].filter((n) => n >= oldSize)) {
        const proof = log.consistencyProof(oldSize, newSize);
        assert.ok(verifyConsistency(oldSize, newSize, log.rootAt(oldSize), log.rootAt(newSize), proof), `${oldSize} -> ${newSize}`);
      }
    }
    const hex = (b: Buffer) => b.toString("hex");
    assert.ok(checkConsistency({ oldSize: 20, oldRoot: hex(log.rootAt(20)), newSize: 50, newRoot: log.rootHash(), proof: log.consistencyProof(20).map(hex) }));
    assert.ok(!checkConsistency({ oldSize: 20, oldRoot: hex(log.rootAt(21)), newSize: 50, newRoot: log.rootHash(), proof: log.consistencyProof(20).map(hex) }));
    assert.throws(() => log.consistencyProof(10, 51), /tree size: expected an integer from 0 to 50/);
    log.close();
  });

  it("signs checkpoints with Ed25519 keys given as PEM, one-line PEM or a hex seed", () => {
    const pem = generatePrivateKeyPem();
    const fromPem = parsePrivateKey(pem);
    const fromOneLine = parsePrivateKey(pem.replace(/\n/g, " "));
    assert.equal(publicKeyHex(fromOneLine), publicKeyHex(fromPem));
    const seed = "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60";
    // RFC 8032 section 7.1, test 1: this secret key has this public key.
    assert.equal(publicKeyHex(parsePrivateKey(seed)), "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");
    assert.throws(() => parsePrivateKey("secret"), /private key: expected a PEM Ed25519 private key or 64 hex digits/);

    const log = new AuditLog(path.join(dir, "a.sqlite"));
    appendEvents(log, 1, 5);
    const checkpoint = checkpointNow(log);
    assert.deepEqual(log.latestCheckpoint(), checkpoint);
    assert.equal(checkpoint.keyId, keyId(signingKey));
    assert.ok(checkpointSignatureValid(checkpoint, parsePublicKey(publicKey)));
    assert.ok(!checkpointSignatureValid({ ...checkpoint, treeSize: 4 }, parsePublicKey(publicKey)));
    assert.ok(!checkpointSignatureValid(checkpoint, parsePublicKey(publicKeyHex(fromPem))));
    log.close();
  });
});
