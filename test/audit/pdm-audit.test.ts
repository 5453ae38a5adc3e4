import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { checkAuditRecord, type AuditRecord } from "../../nodes/shared/contract";
import { checkpointSignatureValid, parsePrivateKey, parsePublicKey, publicKeyHex } from "../../nodes/audit/checkpoint";
import type { SentCheckpoint } from "../../nodes/audit/pdm-audit";
import { buildNodes, collect, errorOf, helper, nodeModule, onTab, settle, testUserDir } from "../helpers/runtime";

/** The runtime's own log and events (the instances RED.log and RED.events use). */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const runtimeUtil = require("@node-red/util") as {
  log: { audit(entry: Record<string, unknown>, req: Record<string, unknown>): void };
  events: { emit(event: string, info: unknown): void };
};
const auditNode = nodeModule(path.join(buildNodes, "audit", "pdm-audit.js"));
const verifyNode = nodeModule(path.join(buildNodes, "audit", "pdm-audit-verify.js"));
const auditDir = path.join(testUserDir, "pdm", "audit");

let logCounter = 0;
/** A log name of its own for each test: the test userDir lives for the whole run. */
function freshLog(): string {
  return `node-test-${process.pid}-${++logCounter}`;
}

function flow(log: string, options: Record<string, unknown> = {}) {
  return onTab([
    { id: "audit", type: "pdm-audit", name: "", log, eventType: "anomaly", actor: "pdm-anomaly", checkpointMinutes: 0, recordDeploys: false, wires: [["acks"], ["checkpoints"]], ...options },
    { id: "verifier", type: "pdm-audit-verify", name: "", log, trustedKeys: "", intervalMinutes: 0, checkDetails: true, maxProblems: 10, wires: [["verified"]] },
    { id: "acks", type: "helper" },
    { id: "checkpoints", type: "helper" },
    { id: "verified", type: "helper" },
    { id: "catcher", type: "catch", scope: ["audit", "verifier"], uncaught: false, wires: [["caught"]] },
    { id: "caught", type: "helper" },
  ]);
}

const anomaly = { asset: "pump-7", t0: 1767225600000, score: 4.2, threshold: 3, anomaly: true, severity: "high", contributions: [{ feature: "rms", share: 1 }] };

async function ask(payload: unknown): Promise<Record<string, unknown>> {
  const answer = collect(helper.getNode("verified"), 1);
  helper.getNode("verifier").receive({ payload });
  return (await answer)[0].payload as Record<string, unknown>;
}

describe("pdm-audit and pdm-audit-verify nodes", () => {
  afterEach(() => helper.unload());

  it("records a plain anomaly message under the configured type and acknowledges it with the record", async () => {
    const log = freshLog();
    await helper.load([auditNode, verifyNode], flow(log));
    const acks = collect(helper.getNode("acks"), 2);
    helper.getNode("audit").receive({ payload: anomaly, topic: "pump-7/anomaly" });
    helper.getNode("audit").receive({ payload: { type: "work-order-acknowledged", actor: "operator.lee", asset: "pump-7", payload: { workOrder: "WO-17" } } });
    const [first, second] = await acks;
    const record = checkAuditRecord(first.payload, "payload");
    assert.deepEqual([record.seq, record.type, record.actor, record.asset], [1, "anomaly", "pdm-anomaly", "pump-7"]);
    assert.deepEqual(record.payload, anomaly);
    assert.equal(first.topic, "pump-7/anomaly", "other message properties pass through");
    const explicit = second.payload as AuditRecord;
    assert.deepEqual([explicit.seq, explicit.type, explicit.actor, explicit.prevHash], [2, "work-order-acknowledged", "operator.lee", record.hash]);
    assert.deepEqual(explicit.payload, { workOrder: "WO-17" });
    assert.ok(fs.existsSync(path.join(auditDir, `${log}.sqlite`)));
  });

  it("acknowledges a burst in order, and the verifier finds the log intact", async () => {
    await helper.load([auditNode, verifyNode], flow(freshLog()));
    const acks = collect(helper.getNode("acks"), 25);
    for (let i = 0; i < 25; i++) helper.getNode("audit").receive({ payload: { ...anomaly, score: i } });
    const records = (await acks).map((msg) => msg.payload as AuditRecord);
    assert.deepEqual(records.map((r) => r.seq), Array.from({ length: 25 }, (_, i) => i + 1));
    assert.deepEqual(records.map((r) => (r.payload as { score: number }).score), Array.from({ length: 25 }, (_, i) => i));
    const result = await ask("verify");
    assert.equal(result.ok, true, JSON.stringify(result.problems));
    assert.equal(result.size, 25);
  });

  it("signs a checkpoint on command with a generated key kept in a 0600 key file", async () => {
    const log = freshLog();
    await helper.load([auditNode, verifyNode], flow(log));
    const ack = collect(helper.getNode("acks"), 1);
    helper.getNode("audit").receive({ payload: anomaly });
    await ack;
    const sent = collect(helper.getNode("checkpoints"), 1);
    helper.getNode("audit").receive({ payload: "checkpoint" });
    const [msg] = await sent;
    const checkpoint = msg.payload as SentCheckpoint;
    assert.equal(msg.topic, `pdm/audit/${log}/checkpoint`);
    assert.deepEqual([checkpoint.log, checkpoint.treeSize], [log, 1]);
    assert.ok(checkpointSignatureValid(checkpoint, parsePublicKey(checkpoint.publicKey)));
    const keyFile = path.join(auditDir, `${log}.key`);
    assert.equal(fs.statSync(keyFile).mode & 0o777, 0o600);
    assert.equal(publicKeyHex(parsePrivateKey(fs.readFileSync(keyFile, "utf8"))), checkpoint.publicKey);
  });

  it("uses the signing key credential when one is given, and writes no key file", async () => {
    const log = freshLog();
    const seed = "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60";
    await helper.load([auditNode, verifyNode], flow(log), { audit: { privateKey: seed } });
    const sent = collect(helper.getNode("checkpoints"), 1);
    helper.getNode("audit").receive({ payload: "checkpoint" });
    const checkpoint = (await sent)[0].payload as SentCheckpoint;
    assert.equal(checkpoint.publicKey, "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");
    assert.equal(fs.existsSync(path.join(auditDir, `${log}.key`)), false);
  });

  it("reports a bad signing key credential to a Catch node for every message, and records nothing", async () => {
    const log = freshLog();
    await helper.load([auditNode, verifyNode], flow(log), { audit: { privateKey: "not a key" } });
    const caught = collect(helper.getNode("caught"), 1);
    helper.getNode("audit").receive({ payload: anomaly });
    assert.equal(errorOf((await caught)[0]).message, "Error: private key: expected a PEM Ed25519 private key or 64 hex digits");
    assert.equal(fs.existsSync(path.join(auditDir, `${log}.sqlite`)), false);
  });

  it("checks checkpoint signatures with the configured trusted key only", async () => {
    const seed = "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60";
    const otherKey = publicKeyHex(parsePrivateKey("4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb"));
    const flowNodes = flow(freshLog()).map((node) => (node.id === "verifier" ? { ...node, trustedKeys: otherKey } : node));
    await helper.load([auditNode, verifyNode], flowNodes, { audit: { privateKey: seed } });
    const sent = collect(helper.getNode("checkpoints"), 1);
    helper.getNode("audit").receive({ payload: "checkpoint" });
    const checkpoint = (await sent)[0].payload as SentCheckpoint;
    const result = await ask("verify");
    assert.equal(result.keyTrusted, true);
    assert.equal((result.firstBad as { kind: string }).kind, "checkpoint-signature-invalid");
    assert.match((result.firstBad as { message: string }).message, new RegExp(`signed with key ${checkpoint.keyId}, which is not a key to trust`));
  });

  it("tells the verifier's Catch node when there is no log of that name yet", async () => {
    const log = freshLog();
    await helper.load([auditNode, verifyNode], flow(log).filter((node) => node.id !== "audit"));
    const caught = collect(helper.getNode("caught"), 1);
    helper.getNode("verifier").receive({ payload: "verify" });
    assert.match(errorOf((await caught)[0]).message, new RegExp(`^Error: no audit log "${log}" yet .*: deploy a pdm-audit node with this log name first$`));
  });

  it("keeps large detail off-log with its hash in the record, and notices when the file goes", async () => {
    const log = freshLog();
    await helper.load([auditNode, verifyNode], flow(log));
    const report = Buffer.from("%PDF-1.7 calibration certificate PT-101 ...");
    const ack = collect(helper.getNode("acks"), 1);
    helper.getNode("audit").receive({ payload: { type: "calibration", asset: "PT-101", payload: { passed: true }, detail: report, detailType: "application/pdf" } });
    const record = (await ack)[0].payload as AuditRecord & { payload: { detail: { sha256: string; bytes: number; mediaType: string } } };
    assert.equal(record.payload.detail.bytes, report.length);
    assert.equal(record.payload.detail.mediaType, "application/pdf");
    const detailFile = path.join(auditDir, `${log}-detail`, record.payload.detail.sha256);
    assert.deepEqual(fs.readFileSync(detailFile), report);
    assert.equal((await ask("verify")).ok, true);
    fs.rmSync(detailFile);
    const result = await ask({ action: "verify" });
    assert.deepEqual(result.firstBad, { kind: "detail-missing", seq: 1, message: `record 1: its off-log detail ${record.payload.detail.sha256} is missing` });
  });

  it("reports a payload that is not JSON to a Catch node and records nothing", async () => {
    await helper.load([auditNode, verifyNode], flow(freshLog()));
    const caught = collect(helper.getNode("caught"), 1);
    const acks = settle(helper.getNode("acks"), 300);
    helper.getNode("audit").receive({ payload: { ...anomaly, score: NaN } });
    assert.equal(errorOf((await caught)[0]).message, "CanonicalJsonError: msg.payload.score: NaN is not a JSON number");
    assert.equal((await acks).length, 0);
    assert.equal((await ask("verify")).size, 0);
  });

  it("gives inclusion and consistency proofs that check, and names a record edited on disk", async () => {
    const log = freshLog();
    await helper.load([auditNode, verifyNode], flow(log));
    const acks = collect(helper.getNode("acks"), 40);
    for (let i = 0; i < 40; i++) helper.getNode("audit").receive({ payload: { ...anomaly, score: i } });
    await acks;
    const sent = collect(helper.getNode("checkpoints"), 1);
    helper.getNode("audit").receive({ payload: "checkpoint" });
    const checkpoint = (await sent)[0].payload as SentCheckpoint;

    const proof = await ask({ action: "inclusion-proof", seq: 23 });
    assert.deepEqual([proof.seq, proof.treeSize], [23, 40]);
    assert.equal((proof.checkpoint as SentCheckpoint).rootHash, checkpoint.rootHash, "the proof is against the latest signed checkpoint");
    const included = await ask({ ...proof, action: "verify-inclusion" });
    assert.equal(included.ok, true, JSON.stringify(included.problems));
    const forged = { ...(proof.record as AuditRecord), payload: { ...anomaly, score: 99 } };
    const notIncluded = await ask({ ...proof, record: forged, action: "verify-inclusion" });
    assert.equal(notIncluded.ok, false);

    const more = collect(helper.getNode("acks"), 5);
    for (let i = 0; i < 5; i++) helper.getNode("audit").receive({ payload: { ...anomaly, score: 100 + i } });
    await more;
    const consistency = await ask({ action: "consistency-proof", from: checkpoint });
    assert.deepEqual([consistency.oldSize, consistency.newSize], [40, 45]);
    assert.equal((await ask({ ...consistency, action: "verify-consistency" })).ok, true);
    assert.equal((await ask({ action: "verify-consistency", from: checkpoint })).ok, true);
    const altered = await ask({ action: "verify-consistency", from: { ...checkpoint, rootHash: consistency.newRoot } });
    assert.equal(altered.ok, false);
    assert.deepEqual(altered.problems, [
      "the from checkpoint's signature does not verify with a trusted key",
      "the tree of 45 records is not the tree of 40 records with records appended: records were removed or rewritten",
    ]);

    // Someone edits record 12 in the file.
    const Database = (await import("better-sqlite3")).default;
    const db = new Database(path.join(auditDir, `${log}.sqlite`));
    db.prepare("UPDATE records SET payload = replace(payload, '\"score\":11', '\"score\":1') WHERE seq = 12").run();
    db.close();
    const result = await ask("verify");
    assert.equal(result.ok, false);
    assert.deepEqual(result.firstBad, { kind: "content-changed", seq: 12, message: "record 12: its content does not match its hash (changed after it was written)" });
  });

  it("records the start of the flows as a configuration change when asked to", async () => {
    const log = freshLog();
    // The runtime emits 'flows:started' once the flows of the load have started, before load resolves.
    await helper.load([auditNode, verifyNode], flow(log, { recordDeploys: true }));
    const result = await ask("verify");
    assert.equal(result.ok, true);
    const proof = await ask({ action: "inclusion-proof", seq: 1 });
    const record = proof.record as AuditRecord & { payload: { deployType: string; flowsSha256: string; nodeCount: number } };
    assert.equal(record.type, "configuration-change");
    assert.equal(record.actor, "node-red runtime");
    assert.equal(record.payload.deployType, "start");
    assert.match(record.payload.flowsSha256, /^[0-9a-f]{64}$/);
    assert.ok(record.payload.nodeCount >= 7);
  });

  it("records a deploy with the user the runtime reports and the nodes that changed", async () => {
    await helper.load([auditNode, verifyNode], flow(freshLog(), { recordDeploys: true }));
    await settle(helper.getNode("acks"), 300); // the record of the start itself
    const acks = collect(helper.getNode("acks"), 1);
    // What the runtime does on a "modified nodes" deploy by user alice (editor-api -> runtime api/flows.js -> flows/index.js).
    runtimeUtil.log.audit({ event: "flows.set", type: "nodes" }, { user: { username: "alice" }, path: "/flows", ip: "10.0.0.5" });
    runtimeUtil.events.emit("flows:started", {
      type: "nodes",
      config: { rev: "r2", flows: [{ id: "n1", type: "pdm-audit", name: "plant log", z: "tab" }, { id: "n3", type: "debug", z: "tab" }] },
      diff: { added: [], changed: ["n1"], removed: ["n2"], rewired: ["n3"] },
    });
    const record = (await acks)[0].payload as AuditRecord;
    assert.equal(record.type, "configuration-change");
    assert.equal(record.actor, "alice");
    const payload = record.payload as Record<string, unknown>;
    assert.deepEqual(
      { ...payload, flowsSha256: undefined },
      {
        deployType: "nodes",
        revision: "r2",
        flowsSha256: undefined,
        nodeCount: 2,
        added: [],
        changed: [{ id: "n1", type: "pdm-audit", name: "plant log" }],
        removed: [{ id: "n2" }],
        rewired: [{ id: "n3", type: "debug" }],
        ip: "10.0.0.5",
      },
    );
  });

  it("signs checkpoints at the interval only when the log grew, and verifies on its schedule", async () => {
    const log = freshLog();
    const flowNodes = flow(log, { checkpointMinutes: 0.002 }).map((node) => (node.id === "verifier" ? { ...node, intervalMinutes: 0.002 } : node));
    await helper.load([auditNode, verifyNode], flowNodes);
    const scheduled = collect(helper.getNode("verified"), 1);
    const checkpoint = collect(helper.getNode("checkpoints"), 1);
    helper.getNode("audit").receive({ payload: anomaly });
    const sent = (await checkpoint)[0].payload as SentCheckpoint;
    assert.equal(sent.treeSize, 1);
    // Nothing new: no further checkpoint over several intervals.
    assert.equal((await settle(helper.getNode("checkpoints"), 500)).length, 0);
    const [report] = await scheduled;
    assert.equal(report.topic, `pdm/audit/${log}/verify`);
    assert.equal((report.payload as { action: string; ok: boolean }).action, "verify");
    assert.equal((report.payload as { ok: boolean }).ok, true);
  });
});
