/**
 * Full verification of an audit log: reread every record in order and check that its
 * hash matches its content, that it links to the record before it, that no sequence
 * number is missing, that the stored Merkle nodes match the records, and that every
 * signed checkpoint (stored in the log or given from an outside copy) carries a valid
 * signature and the root of the log at its size. Names the first bad record and why.
 */
import type { KeyObject } from "node:crypto";
import type { AuditRecord } from "../shared/contract";
import { canonicalize } from "./canonical-json";
import { Checkpoint, checkpointSignatureValid, keyId, parsePublicKey } from "./checkpoint";
import { isRecord } from "../shared/validate";
import { DetailReference, checkDetail } from "./log-files";
import { GENESIS_PREV_HASH, entryLeafHash, entryText, recordHashHex } from "./entry";
import { HASH_BYTES, MerkleFrontier, verifyConsistency, verifyInclusion } from "./merkle";
import { AuditLog, STORED_LEVEL, VerificationRow } from "./store";

export type ProblemKind =
  /** A record's content no longer gives its stored hash: edited afterwards. */
  | "content-changed"
  /** A record's prevHash is not the hash of the record before it: records removed, inserted or reordered. */
  | "chain-broken"
  /** Sequence numbers jump: records deleted. */
  | "missing-records"
  /** A stored hash is not a 32-byte value. */
  | "bad-hash-field"
  /** A stored Merkle node does not match the records (or is missing). */
  | "tree-node-mismatch"
  /** The log holds fewer records than a signed checkpoint covered: truncated. */
  | "truncated"
  /** The first N records do not have the root a checkpoint signed: rewritten (even if consistently re-hashed). */
  | "checkpoint-root-mismatch"
  /** A checkpoint's signature does not verify with the trusted key. */
  | "checkpoint-signature-invalid"
  /** A checkpoint belongs to another log. */
  | "checkpoint-wrong-log"
  /** SQLite could not read the file (damaged pages). */
  | "unreadable"
  /** A record refers to off-log detail whose file is gone. */
  | "detail-missing"
  /** An off-log detail file no longer has the hash its record keeps. */
  | "detail-changed";

export interface Problem {
  kind: ProblemKind;
  /** The record concerned, where there is one. */
  seq?: number;
  message: string;
}

export interface CheckpointCheck {
  treeSize: number;
  rootHash: string;
  ts: number;
  keyId: string;
  /** "log" for checkpoints stored in the log, "given" for a copy passed in. */
  source: "log" | "given";
  signatureValid: boolean;
  rootMatches: boolean;
}

export interface VerifyResult {
  ok: boolean;
  log: string;
  /** Records read. */
  size: number;
  /** Merkle tree head of all records read, 64 hex digits. */
  rootHash: string;
  /** The first problem in log order (a record's problem before a checkpoint's), if any. */
  firstBad?: Problem;
  problems: Problem[];
  /** Problems beyond `maxProblems` that were counted but not listed. */
  moreProblems: number;
  /** The newest checkpoint checked (a given one counts as newer than the stored ones). */
  latestCheckpoint?: CheckpointCheck;
  checkpointsChecked: number;
  /** Whether checkpoint signatures were checked with a key the caller trusts, or only with the key the log file names. */
  keyTrusted: boolean;
}

export interface VerifyOptions {
  /** The log's name: checkpoints of other logs are reported. */
  log: string;
  /** The public keys checkpoints may be signed with. Without any, the keys recorded in the log file are used (keyTrusted: false). */
  trustedKeys?: KeyObject[];
  /** The keys the log file itself names, used when no trusted key is given. */
  logKeys?: KeyObject[];
  /** Checkpoint copies kept elsewhere (MQTT, ERP, file), checked beside those in the log. */
  externalCheckpoints?: Checkpoint[];
  /** List at most this many problems (the rest are counted). */
  maxProblems?: number;
  /** Also check the off-log detail files in this folder against the hashes the records keep. */
  detailDir?: string;
}

class ProblemList {
  readonly items: Problem[] = [];
  more = 0;
  constructor(private readonly max: number) {}
  add(problem: Problem): void {
    if (this.items.length < this.max) this.items.push(problem);
    else this.more++;
  }
}

/** Stands in for the leaf of a record that cannot be read, so the tree still has the right size (its root then cannot match). */
const UNREADABLE_LEAF = Buffer.alloc(HASH_BYTES);

export function verifyLog(log: AuditLog, options: VerifyOptions): VerifyResult {
  const problems = new ProblemList(options.maxProblems ?? 100);
  const given = (options.externalCheckpoints ?? []).map((checkpoint) => ({ checkpoint, source: "given" as const }));
  let stored: Array<{ checkpoint: Checkpoint; source: "log" | "given" }> = [];
  try {
    stored = log.checkpoints().map((checkpoint) => ({ checkpoint, source: "log" as const }));
  } catch (err) {
    problems.add({ kind: "unreadable", message: `the checkpoints table cannot be read: ${(err as Error).message}` });
  }
  const checkpoints = [...stored, ...given];
  const rootsWanted = new Set(checkpoints.map(({ checkpoint }) => checkpoint.treeSize));
  const rootsAt = new Map<number, string>();
  const frontier = new MerkleFrontier();
  if (rootsWanted.has(0)) rootsAt.set(0, frontier.root().toString("hex"));

  const storedNodes = readStoredNodes(log, problems);
  let expectedSeq = 1;
  let prevHash = GENESIS_PREV_HASH;
  try {
    for (const row of log.verificationRows()) {
      const seq = row[0];
      const afterGap = seq !== expectedSeq;
      if (afterGap) {
        problems.add({
          kind: "missing-records",
          seq: expectedSeq,
          message: seq === expectedSeq + 1 ? `record ${expectedSeq} is missing (deleted)` : `records ${expectedSeq} to ${seq - 1} are missing (deleted)`,
        });
      }
      const leaf = checkRow(row, afterGap ? undefined : prevHash, problems);
      const payload = row[5];
      if (options.detailDir && typeof payload === "string" && payload.includes(DETAIL_MARK)) checkRowDetail(seq, payload, options.detailDir, problems);
      frontier.push(leaf, (level, index, hash) => {
        if (level < STORED_LEVEL || !storedNodes) return;
        const storedHash = storedNodes.get(level)?.get(index);
        if (!storedHash || !storedHash.equals(hash)) {
          const first = index * 2 ** level + 1;
          problems.add({
            kind: "tree-node-mismatch",
            seq: first,
            message: `the stored Merkle node over records ${first} to ${first + 2 ** level - 1} ${storedHash ? "does not match them" : "is missing"}`,
          });
        }
      });
      if (rootsWanted.has(frontier.size)) rootsAt.set(frontier.size, frontier.root().toString("hex"));
      prevHash = row[7];
      expectedSeq = seq + 1;
    }
  } catch (err) {
    problems.add({ kind: "unreadable", seq: expectedSeq, message: `the log file cannot be read from record ${expectedSeq} on: ${(err as Error).message}` });
  }

  const trusted = options.trustedKeys ?? [];
  const keys = trusted.length > 0 ? trusted : (options.logKeys ?? []);
  let latest: CheckpointCheck | undefined;
  for (const { checkpoint, source } of checkpoints) {
    latest = checkCheckpoint(checkpoint, source, { log: options.log, keys, size: frontier.size, rootsAt }, problems);
  }

  return {
    ok: problems.items.length === 0 && problems.more === 0,
    log: options.log,
    size: frontier.size,
    rootHash: frontier.root().toString("hex"),
    firstBad: firstBad(problems.items),
    problems: problems.items,
    moreProblems: problems.more,
    latestCheckpoint: latest,
    checkpointsChecked: checkpoints.length,
    keyTrusted: trusted.length > 0,
  };
}

/** How a detail reference starts in canonical JSON (members sorted: bytes, mediaType, sha256). */
const DETAIL_MARK = '"detail":{"bytes":';

function checkRowDetail(seq: number, payload: string, dir: string, problems: ProblemList): void {
  let reference: unknown;
  try {
    reference = (JSON.parse(payload) as { detail?: unknown }).detail;
  } catch {
    return; // a payload that is not JSON any more is reported as changed content already
  }
  if (!isRecord(reference) || typeof reference.sha256 !== "string") return;
  const state = checkDetail(dir, reference as unknown as DetailReference);
  if (state === "missing") problems.add({ kind: "detail-missing", seq, message: `record ${seq}: its off-log detail ${reference.sha256} is missing` });
  if (state === "changed") problems.add({ kind: "detail-changed", seq, message: `record ${seq}: its off-log detail ${reference.sha256} was changed` });
}

/** Kinds that point at a record itself; a Merkle node or checkpoint that disagrees is usually their consequence. */
const RECORD_KINDS: ReadonlySet<ProblemKind> = new Set([
  "content-changed",
  "chain-broken",
  "missing-records",
  "bad-hash-field",
  "unreadable",
  "truncated",
  "detail-missing",
  "detail-changed",
]);

/** The first bad record in log order if a record is bad; else the first stored-node problem; else the first checkpoint problem. */
function firstBad(problems: Problem[]): Problem | undefined {
  const bySeq = (a: Problem, b: Problem) => (a.seq ?? Infinity) - (b.seq ?? Infinity);
  const records = problems.filter((p) => RECORD_KINDS.has(p.kind)).sort(bySeq);
  const nodes = problems.filter((p) => p.kind === "tree-node-mismatch").sort(bySeq);
  return records[0] ?? nodes[0] ?? problems[0];
}

/** Check one record against its own hash and the previous record's; returns its Merkle leaf hash. */
function checkRow(row: VerificationRow, prevHash: string | undefined, problems: ProblemList): Buffer {
  const [seq, ts, type, asset, actor, payloadJson, storedPrevHash, storedHash, hashesAreBlobs] = row;
  try {
    if (hashesAreBlobs !== 1) {
      problems.add({ kind: "bad-hash-field", seq, message: `record ${seq}: a stored hash is not a 32-byte SHA-256 value` });
      return UNREADABLE_LEAF;
    }
    const text = entryText({ seq, ts, type, asset, actor, payloadJson, prevHash: storedPrevHash });
    if (recordHashHex(text) !== storedHash) {
      problems.add({ kind: "content-changed", seq, message: `record ${seq}: its content does not match its hash (changed after it was written)` });
    }
    if (prevHash !== undefined && prevHash !== storedPrevHash) {
      problems.add({
        kind: "chain-broken",
        seq,
        message: `record ${seq}: prevHash is not the hash of record ${seq - 1} (records inserted, removed or reordered before it)`,
      });
    }
    return entryLeafHash(text);
  } catch (err) {
    problems.add({ kind: "content-changed", seq, message: `record ${seq}: its content cannot be read as a record (${(err as Error).message})` });
    return UNREADABLE_LEAF;
  }
}

function readStoredNodes(log: AuditLog, problems: ProblemList): Map<number, Map<number, Buffer>> | undefined {
  try {
    const byLevel = new Map<number, Map<number, Buffer>>();
    for (const row of log.db.prepare("SELECT level, idx, hash FROM tree_nodes").iterate() as Iterable<{ level: number; idx: number; hash: Buffer }>) {
      let level = byLevel.get(row.level);
      if (!level) byLevel.set(row.level, (level = new Map()));
      level.set(row.idx, row.hash);
    }
    return byLevel;
  } catch (err) {
    problems.add({ kind: "unreadable", message: `the Merkle node table cannot be read: ${(err as Error).message}` });
    return undefined;
  }
}

function checkCheckpoint(
  checkpoint: Checkpoint,
  source: "log" | "given",
  context: { log: string; keys: KeyObject[]; size: number; rootsAt: Map<number, string> },
  problems: ProblemList,
): CheckpointCheck {
  const when = new Date(checkpoint.ts).toISOString();
  const label = `checkpoint of ${when} (${checkpoint.treeSize} records${source === "given" ? ", given copy" : ""})`;
  const key = context.keys.find((candidate) => keyId(candidate) === checkpoint.keyId);
  const signatureValid = key !== undefined && checkpointSignatureValid(checkpoint, key);
  if (checkpoint.log !== context.log) {
    problems.add({ kind: "checkpoint-wrong-log", message: `${label} is for log "${checkpoint.log}", not "${context.log}"` });
  }
  if (!signatureValid) {
    problems.add({
      kind: "checkpoint-signature-invalid",
      message: key ? `${label}: the signature does not verify with key ${checkpoint.keyId}` : `${label}: signed with key ${checkpoint.keyId}, which is not a key to trust`,
    });
  }
  let rootMatches = false;
  if (checkpoint.treeSize > context.size) {
    problems.add({ kind: "truncated", seq: context.size + 1, message: `${label}: the log has only ${context.size} records, so records ${context.size + 1} to ${checkpoint.treeSize} were removed` });
  } else {
    rootMatches = context.rootsAt.get(checkpoint.treeSize) === checkpoint.rootHash;
    if (!rootMatches) {
      problems.add({
        kind: "checkpoint-root-mismatch",
        message: `${label}: the first ${checkpoint.treeSize} records do not have the signed root hash (the log was rewritten, even if re-hashed)`,
      });
    }
  }
  return { treeSize: checkpoint.treeSize, rootHash: checkpoint.rootHash, ts: checkpoint.ts, keyId: checkpoint.keyId, source, signatureValid, rootMatches };
}

/**
 * Open a log file read-only and verify it; a file that cannot be opened is a result
 * (kind "unreadable"), not an exception. Keys the file names are used only when no
 * trusted key is given.
 */
export function verifyLogFile(file: string, options: Omit<VerifyOptions, "logKeys">): VerifyResult {
  let log: AuditLog;
  try {
    log = new AuditLog(file, { readonly: true });
  } catch (err) {
    const problem: Problem = { kind: "unreadable", message: `the log file ${file} cannot be opened: ${(err as Error).message}` };
    return { ok: false, log: options.log, size: 0, rootHash: "", firstBad: problem, problems: [problem], moreProblems: 0, checkpointsChecked: 0, keyTrusted: false };
  }
  try {
    return verifyLog(log, { ...options, logKeys: logKeysOf(log) });
  } finally {
    log.close();
  }
}

/** The public keys the log file names (written by the pdm-audit node); a damaged entry is skipped. */
export function logKeysOf(log: AuditLog): KeyObject[] {
  const keys: KeyObject[] = [];
  try {
    for (const hex of log.publicKeys()) {
      try {
        keys.push(parsePublicKey(hex));
      } catch {
        // A damaged key cannot verify anything; the checkpoints it signed are then reported.
      }
    }
  } catch {
    // An unreadable meta table: the same.
  }
  return keys;
}

/** The canonical entry of a record given as an object (e.g. from a message), from its fields. */
function entryTextOfRecord(record: AuditRecord): string {
  const payloadJson = canonicalize(record.payload, "payload");
  return entryText({ seq: record.seq, ts: record.ts, type: record.type, asset: record.asset, actor: record.actor, payloadJson, prevHash: record.prevHash });
}

/** The Merkle leaf hash of a record given as an object, recomputed from its fields. */
export function leafHashOfRecord(record: AuditRecord): Buffer {
  return entryLeafHash(entryTextOfRecord(record));
}

/** Whether a record given as an object still has the hash it claims. */
export function recordHashValid(record: AuditRecord): boolean {
  return recordHashHex(entryTextOfRecord(record)) === record.hash;
}

export interface InclusionCheck {
  seq: number;
  treeSize: number;
  rootHash: string;
  proof: string[];
}

/** RFC 9162 inclusion check of a record in a tree head, everything as hex. */
export function checkInclusion(record: AuditRecord, check: InclusionCheck): boolean {
  return verifyInclusion(check.seq - 1, check.treeSize, leafHashOfRecord(record), check.proof.map(fromHex), fromHex(check.rootHash));
}

export interface ConsistencyCheck {
  oldSize: number;
  oldRoot: string;
  newSize: number;
  newRoot: string;
  proof: string[];
}

/** RFC 9162 consistency check between two tree heads, everything as hex. */
export function checkConsistency(check: ConsistencyCheck): boolean {
  return verifyConsistency(check.oldSize, check.newSize, fromHex(check.oldRoot), fromHex(check.newRoot), check.proof.map(fromHex));
}

function fromHex(hex: string): Buffer {
  return Buffer.from(hex, "hex");
}
