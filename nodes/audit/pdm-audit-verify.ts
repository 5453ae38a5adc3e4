/**
 * pdm-audit-verify: checks an audit log on demand or on a schedule (whole chain, Merkle
 * nodes, signed checkpoints, optionally off-log detail), and gives and checks RFC 9162
 * inclusion and consistency proofs. Reads the log through its own read-only connection.
 */
import * as fs from "node:fs";
import type { KeyObject } from "node:crypto";
import { checkAuditRecord } from "../shared/contract";
import { Node, NodeAPI, NodeDef, NodeMessageInFlow, Send, errorOf, onInput, status, userDataDir } from "../shared/node-red";
import { Check, arrayOf, fail, finiteNumber, isRecord, nonEmptyString, object, oneOf, optional } from "../shared/validate";
import { Checkpoint, checkpointSignatureValid, keyId, parsePublicKey } from "./checkpoint";
import { checkLogName, detailDir, logFile } from "./log-files";
import { AuditLog } from "./store";
import { VerifyResult, checkConsistency, checkInclusion, logKeysOf, recordHashValid } from "./verify";
import { verifyInWorker } from "./verify-worker";

interface VerifyConfig extends NodeDef {
  log: string;
  trustedKeys: string;
  intervalMinutes: string | number;
  checkDetails: boolean;
  maxProblems: string | number;
}

const ACTIONS = ["verify", "inclusion-proof", "verify-inclusion", "consistency-proof", "verify-consistency"] as const;
type Action = (typeof ACTIONS)[number];

const hexHash: Check<string> = (value, path) =>
  typeof value === "string" && /^[0-9a-f]{64}$/.test(value) ? value : fail(path, "a SHA-256 hash as 64 hex digits", value);
const treeSize = finiteNumber({ min: 0, integer: true });
const seq = finiteNumber({ min: 1, integer: true });

const checkCheckpoint: Check<Checkpoint> = object({
  log: nonEmptyString,
  treeSize,
  rootHash: hexHash,
  ts: finiteNumber({ min: 0 }),
  keyId: nonEmptyString,
  signature: nonEmptyString,
});
const checkpoints: Check<Checkpoint[]> = (value, path) => (Array.isArray(value) ? arrayOf(checkCheckpoint)(value, path) : [checkCheckpoint(value, path)]);

const checkVerify = object({ checkpoint: optional(checkpoints) });
const checkInclusionRequest = object({ seq, treeSize: optional(treeSize) });
const checkInclusionProof = object({
  seq: optional(seq),
  record: optional(checkAuditRecord),
  treeSize: optional(treeSize),
  rootHash: optional(hexHash),
  proof: arrayOf(hexHash),
  checkpoint: optional(checkCheckpoint),
});
const checkConsistencyRequest = object({ oldSize: optional(treeSize), newSize: optional(treeSize), from: optional(checkCheckpoint), to: optional(checkCheckpoint) });
const checkConsistencyProof = object({
  oldSize: optional(treeSize),
  oldRoot: optional(hexHash),
  newSize: optional(treeSize),
  newRoot: optional(hexHash),
  proof: optional(arrayOf(hexHash)),
  from: optional(checkCheckpoint),
  to: optional(checkCheckpoint),
});

/** What to do: a string action, an object with `action`, or anything else (an inject's timestamp) = verify. */
function requestOf(payload: unknown): { action: Action; body: Record<string, unknown> } {
  if (typeof payload === "string") return { action: oneOf(ACTIONS)(payload, "msg.payload"), body: {} };
  if (isRecord(payload)) return { action: payload.action === undefined ? "verify" : oneOf(ACTIONS)(payload.action, "msg.payload.action"), body: payload };
  return { action: "verify", body: {} };
}

export default function register(RED: NodeAPI): void {
  function PdmAuditVerifyNode(this: Node, config: VerifyConfig) {
    RED.nodes.createNode(this, config);
    const node = this;
    const intervalMinutes = Number(config.intervalMinutes || 0);
    const maxProblems = Number(config.maxProblems || 100);
    let logName = "";
    let file = "";
    let details = "";
    let trustedKeys: KeyObject[] = [];
    let trustedKeyTexts: string[] = [];
    let configError: Error | undefined;
    try {
      logName = checkLogName(config.log?.trim() || "plant");
      const dir = userDataDir(RED, "audit");
      file = logFile(dir, logName);
      details = detailDir(dir, logName);
      trustedKeyTexts = (config.trustedKeys ?? "").split(/[\s,]+/).filter(Boolean);
      trustedKeys = trustedKeyTexts.map((text) => parsePublicKey(text));
      if (!(intervalMinutes >= 0)) throw new Error(`schedule: expected minutes >= 0, got ${config.intervalMinutes}`);
      status.idle(node, trustedKeys.length ? "ready" : "ready (log's own key)");
    } catch (err) {
      configError = errorOf(err);
      node.error(`pdm-audit-verify: ${configError.message}`);
      status.error(node, configError.message);
    }

    const checkReady = () => {
      if (configError) throw configError;
      if (!fs.existsSync(file)) throw new Error(`no audit log "${logName}" yet (${file}): deploy a pdm-audit node with this log name first`);
    };

    /** Use the log through a read-only connection of its own, closed afterwards. */
    const withLog = <T>(use: (log: AuditLog) => T): T => {
      checkReady();
      const log = new AuditLog(file, { readonly: true });
      try {
        return use(log);
      } finally {
        log.close();
      }
    };

    /** The keys to check signatures with: the configured ones, else those the log file names. */
    const keysFor = (log: AuditLog) => (trustedKeys.length > 0 ? trustedKeys : logKeysOf(log));
    const signatureValid = (log: AuditLog, checkpoint: Checkpoint) => {
      const key = keysFor(log).find((candidate) => keyId(candidate) === checkpoint.keyId);
      return key !== undefined && checkpointSignatureValid(checkpoint, key);
    };

    /** The whole log, in a worker thread so the flows keep running meanwhile. */
    const verifyAll = async (externalCheckpoints: Checkpoint[] = []): Promise<VerifyResult> => {
      checkReady();
      status.busy(node, "verifying…");
      const result = await verifyInWorker({
        file,
        log: logName,
        trustedKeys: trustedKeyTexts,
        externalCheckpoints,
        maxProblems,
        detailDir: config.checkDetails ? details : undefined,
      });
      if (result.ok) status.ok(node, `ok: ${result.size} records`);
      else status.error(node, result.firstBad?.message ?? "verification failed");
      return result;
    };

    const handle = async (action: Action, body: Record<string, unknown>): Promise<Record<string, unknown>> => {
      switch (action) {
        case "verify":
          return { action, ...(await verifyAll(checkVerify(body, "msg.payload").checkpoint)) };
        case "inclusion-proof":
          return withLog((log) => {
            const request = checkInclusionRequest(body, "msg.payload");
            const latest = log.latestCheckpoint();
            const size = request.treeSize ?? (latest && request.seq <= latest.treeSize ? latest.treeSize : log.size);
            const record = log.record(request.seq);
            if (!record || request.seq > size) throw new Error(`msg.payload.seq: record ${request.seq} is not in a log of ${size} records`);
            const proof = log.inclusionProof(request.seq, size).map((hash) => hash.toString("hex"));
            const checkpoint = latest?.treeSize === size ? latest : undefined;
            return { action, seq: request.seq, treeSize: size, rootHash: log.rootAt(size).toString("hex"), proof, record, checkpoint };
          });
        case "verify-inclusion":
          return withLog((log) => {
            const given = checkInclusionProof(body, "msg.payload");
            const record = given.record ?? (given.seq !== undefined ? log.record(given.seq) : undefined);
            if (!record) throw new Error("msg.payload.record: expected the record to check (or the seq of one in the log)");
            const size = given.checkpoint?.treeSize ?? given.treeSize;
            const root = given.checkpoint?.rootHash ?? given.rootHash;
            if (size === undefined || root === undefined) throw new Error("msg.payload: expected treeSize and rootHash, or a checkpoint");
            const reasons: string[] = [];
            if (!recordHashValid(record)) reasons.push(`record ${record.seq}: its content does not match its hash`);
            if (given.checkpoint && !signatureValid(log, given.checkpoint)) reasons.push("the checkpoint's signature does not verify with a trusted key");
            if (!checkInclusion(record, { seq: record.seq, treeSize: size, rootHash: root, proof: given.proof })) {
              reasons.push(`record ${record.seq} is not included in the tree of ${size} records with root ${root.slice(0, 12)}…`);
            }
            return { action, ok: reasons.length === 0, seq: record.seq, treeSize: size, rootHash: root, problems: reasons };
          });
        case "consistency-proof":
          return withLog((log) => {
            const request = checkConsistencyRequest(body, "msg.payload");
            const oldSize = request.from?.treeSize ?? request.oldSize;
            if (oldSize === undefined) throw new Error("msg.payload.oldSize: expected the older tree size (or a checkpoint as from)");
            const newSize = request.to?.treeSize ?? request.newSize ?? log.size;
            const proof = log.consistencyProof(oldSize, newSize).map((hash) => hash.toString("hex"));
            return { action, oldSize, oldRoot: log.rootAt(oldSize).toString("hex"), newSize, newRoot: log.rootAt(newSize).toString("hex"), proof };
          });
        case "verify-consistency":
          return withLog((log) => {
            const given = checkConsistencyProof(body, "msg.payload");
            const oldSize = given.from?.treeSize ?? given.oldSize;
            const oldRoot = given.from?.rootHash ?? given.oldRoot;
            if (oldSize === undefined || oldRoot === undefined) throw new Error("msg.payload: expected oldSize and oldRoot, or a checkpoint as from");
            const newSize = given.to?.treeSize ?? given.newSize ?? log.size;
            const reasons: string[] = [];
            for (const [label, checkpoint] of [["from", given.from], ["to", given.to]] as const) {
              if (checkpoint && !signatureValid(log, checkpoint)) reasons.push(`the ${label} checkpoint's signature does not verify with a trusted key`);
            }
            let newRoot = given.to?.rootHash ?? given.newRoot;
            if (oldSize > newSize) reasons.push(`the older tree (${oldSize} records) is larger than the newer one (${newSize})`);
            else if (newSize > log.size) reasons.push(`the log has only ${log.size} records, fewer than the newer tree (${newSize}): truncated`);
            else {
              newRoot ??= log.rootAt(newSize).toString("hex");
              const proof = given.proof ?? log.consistencyProof(oldSize, newSize).map((hash) => hash.toString("hex"));
              if (!checkConsistency({ oldSize, oldRoot, newSize, newRoot, proof })) {
                reasons.push(`the tree of ${newSize} records is not the tree of ${oldSize} records with records appended: records were removed or rewritten`);
              }
            }
            return { action, ok: reasons.length === 0, oldSize, oldRoot, newSize, newRoot, problems: reasons };
          });
      }
    };

    onInput(node, async (msg: NodeMessageInFlow, send: Send) => {
      const { action, body } = requestOf(msg.payload);
      const result = await handle(action, body);
      if (action === "verify-inclusion" || action === "verify-consistency") {
        if (result.ok) status.ok(node, `${action}: ok`);
        else status.error(node, String((result.problems as string[])[0]));
      } else if (action !== "verify") status.ok(node, `${action} given`);
      msg.payload = result;
      send(msg);
    });

    const timer =
      intervalMinutes > 0 && !configError
        ? setInterval(() => {
            verifyAll().then(
              (result) => node.send({ topic: `pdm/audit/${logName}/verify`, payload: { action: "verify", ...result } }),
              (err: unknown) => {
                node.error(`pdm-audit-verify: ${errorOf(err).message}`);
                status.error(node, errorOf(err).message);
              },
            );
          }, intervalMinutes * 60_000)
        : undefined;

    node.on("close", (_removed: boolean, done: () => void) => {
      clearInterval(timer);
      done();
    });
  }

  RED.nodes.registerType("pdm-audit-verify", PdmAuditVerifyNode);
}
