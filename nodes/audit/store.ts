/**
 * The append-only audit log in one SQLite file (better-sqlite3): the records (hash chain),
 * the complete Merkle subtree hashes from height 4 up (so proofs need no full rescan),
 * the signed checkpoints, and a little metadata. WAL journal with synchronous=FULL: when
 * `append` returns, the records are in the WAL on disk (fsync), so an acknowledged record
 * survives a killed process and a power cut.
 */
import Database from "better-sqlite3";
import type { AuditRecord } from "../shared/contract";
import { canonicalize } from "./canonical-json";
import { Checkpoint } from "./checkpoint";
import { EntryFields, GENESIS_PREV_HASH, entryText, hashEntry } from "./entry";
import { MerkleFrontier, consistencyProof, frontierLevels, inclusionProof, nodeHash, rangeHash } from "./merkle";

/** Complete subtrees of 2^STORED_LEVEL leaves and more are stored; smaller ones are recomputed from the records. */
export const STORED_LEVEL = 4;

export const SCHEMA_VERSION = "1";

/** What a caller appends; seq, prevHash and hash are the log's to give. */
export interface AuditEvent {
  ts: number;
  type: string;
  asset?: string;
  actor: string;
  payload: unknown;
}

/** A record row as SQLite returns it: hashes as 32-byte buffers. */
export interface RecordRow {
  seq: number;
  ts: number;
  type: string;
  asset: string | null;
  actor: string;
  payload: string;
  prev_hash: Buffer;
  hash: Buffer;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS records (
  seq INTEGER PRIMARY KEY,
  ts INTEGER NOT NULL,
  type TEXT NOT NULL,
  asset TEXT,
  actor TEXT NOT NULL,
  payload TEXT NOT NULL,
  prev_hash BLOB NOT NULL,
  hash BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS tree_nodes (
  level INTEGER NOT NULL,
  idx INTEGER NOT NULL,
  hash BLOB NOT NULL,
  PRIMARY KEY (level, idx)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS checkpoints (
  id INTEGER PRIMARY KEY,
  log TEXT NOT NULL,
  tree_size INTEGER NOT NULL,
  root_hash TEXT NOT NULL,
  ts INTEGER NOT NULL,
  key_id TEXT NOT NULL,
  signature TEXT NOT NULL
);`;

/** seq, ts, type, asset, actor, payload, prevHash hex, hash hex, 1 when both hashes are 32-byte blobs. */
export type VerificationRow = [number, number, string, string | null, string, string, string, string, number];

export function recordFromRow(row: RecordRow): AuditRecord {
  const record: AuditRecord = {
    seq: row.seq,
    ts: row.ts,
    type: row.type,
    actor: row.actor,
    payload: JSON.parse(row.payload) as unknown,
    prevHash: row.prev_hash.toString("hex"),
    hash: row.hash.toString("hex"),
  };
  if (row.asset !== null) record.asset = row.asset;
  return record;
}

export function entryFieldsOf(row: RecordRow): EntryFields {
  return { seq: row.seq, ts: row.ts, type: row.type, asset: row.asset, actor: row.actor, payloadJson: row.payload, prevHash: row.prev_hash.toString("hex") };
}

export interface OpenOptions {
  /** Open for reading only (verification); the file must exist. */
  readonly?: boolean;
}

export class AuditLog {
  readonly db: Database.Database;
  /** The right edge of the tree and the last hash, loaded on first use (verification never needs them). */
  private tip?: Tip;
  private readonly statements;

  constructor(readonly file: string, options: OpenOptions = {}) {
    this.db = new Database(file, { readonly: options.readonly ?? false, fileMustExist: options.readonly ?? false });
    if (!options.readonly) {
      this.db.pragma("journal_mode = WAL");
      this.db.pragma("synchronous = FULL");
      this.db.exec(SCHEMA);
      this.db.prepare("INSERT OR IGNORE INTO meta (key, value) VALUES ('schema', ?)").run(SCHEMA_VERSION);
    }
    this.statements = {
      insertRecord: this.db.prepare("INSERT INTO records (seq, ts, type, asset, actor, payload, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"),
      insertNode: this.db.prepare("INSERT INTO tree_nodes (level, idx, hash) VALUES (?, ?, ?)"),
      node: this.db.prepare("SELECT hash FROM tree_nodes WHERE level = ? AND idx = ?").pluck(),
      recordBySeq: this.db.prepare("SELECT * FROM records WHERE seq = ?"),
      recordRange: this.db.prepare("SELECT * FROM records WHERE seq >= ? AND seq <= ? ORDER BY seq"),
      last: this.db.prepare("SELECT seq, hash FROM records ORDER BY seq DESC LIMIT 1"),
      insertCheckpoint: this.db.prepare("INSERT INTO checkpoints (log, tree_size, root_hash, ts, key_id, signature) VALUES (?, ?, ?, ?, ?, ?)"),
      checkpoints: this.db.prepare("SELECT * FROM checkpoints ORDER BY id"),
      latestCheckpoint: this.db.prepare("SELECT * FROM checkpoints ORDER BY id DESC LIMIT 1"),
      setMeta: this.db.prepare("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)"),
    };
  }

  /** The tree as the file has it now (one indexed read to notice appends by other connections). */
  private get frontier(): MerkleFrontier {
    return this.currentTip().frontier;
  }

  private loadTip(): Tip {
    if (!this.tip) {
      const last = this.statements.last.get() as { seq: number; hash: Buffer } | undefined;
      this.tip = { frontier: this.loadFrontier(last?.seq ?? 0), lastHash: last ? last.hash.toString("hex") : GENESIS_PREV_HASH };
    }
    return this.tip;
  }

  /** The tip as the file has it now: reloaded when another connection appended since. */
  private currentTip(): Tip {
    const tip = this.loadTip();
    const last = this.statements.last.get() as { seq: number; hash: Buffer } | undefined;
    if ((last?.seq ?? 0) !== tip.frontier.size || (last && last.hash.toString("hex") !== tip.lastHash)) this.tip = undefined;
    return this.loadTip();
  }

  /** Number of records (= the Merkle tree size; record seq s is leaf s - 1). */
  get size(): number {
    return this.frontier.size;
  }

  /** The Merkle tree head of the whole log, 64 hex digits. */
  rootHash(): string {
    return this.head().rootHash;
  }

  /** Size and root read together, for a checkpoint. */
  head(): { treeSize: number; rootHash: string } {
    const frontier = this.frontier;
    return { treeSize: frontier.size, rootHash: frontier.root().toString("hex") };
  }

  /**
   * Append events as consecutive records in one transaction (one fsync for all): returns
   * when they are durable. Either all are appended or, on error, none.
   */
  append(events: AuditEvent[]): AuditRecord[] {
    const prepared = events.map((event, i) => ({ event, payloadJson: canonicalize(event.payload, events.length > 1 ? `events[${i}].payload` : "payload") }));
    const records: AuditRecord[] = [];
    // IMMEDIATE takes the write lock first, so the tip read below is the one we extend even
    // when another connection (a second node on the same log, another process) appended meanwhile.
    const next = this.db.transaction((): Tip => {
      const tip = this.currentTip();
      const frontier = tip.frontier.clone();
      let prevHash = tip.lastHash;
      for (const { event, payloadJson } of prepared) {
        const seq = frontier.size + 1;
        const fields: EntryFields = { seq, ts: event.ts, type: event.type, asset: event.asset, actor: event.actor, payloadJson, prevHash };
        const { recordHash, leafHash } = hashEntry(entryText(fields));
        this.statements.insertRecord.run(seq, event.ts, event.type, event.asset ?? null, event.actor, payloadJson, Buffer.from(prevHash, "hex"), recordHash);
        frontier.push(leafHash, (level, index, hash) => {
          if (level >= STORED_LEVEL) this.statements.insertNode.run(level, index, hash);
        });
        const record: AuditRecord = { seq, ts: event.ts, type: event.type, actor: event.actor, payload: event.payload, prevHash, hash: recordHash.toString("hex") };
        if (event.asset !== undefined) record.asset = event.asset;
        records.push(record);
        prevHash = record.hash;
      }
      return { frontier, lastHash: prevHash };
    }).immediate();
    // Only a committed transaction moves the in-memory tip on.
    this.tip = next;
    return records;
  }

  record(seq: number): AuditRecord | undefined {
    const row = this.statements.recordBySeq.get(seq) as RecordRow | undefined;
    return row ? recordFromRow(row) : undefined;
  }

  /** Rows seq in [from, to], in order, as stored. */
  rows(from: number, to: number): RecordRow[] {
    return this.statements.recordRange.all(from, to) as RecordRow[];
  }

  /**
   * Every record in seq order as verification reads it: hashes as lower-case hex made by
   * SQLite (far cheaper than a Buffer per blob) and whether both are 32-byte blobs.
   */
  verificationRows(): IterableIterator<VerificationRow> {
    return this.db
      .prepare(
        `SELECT seq, ts, type, asset, actor, payload, lower(hex(prev_hash)), lower(hex(hash)),
                typeof(prev_hash) = 'blob' AND length(prev_hash) = 32 AND typeof(hash) = 'blob' AND length(hash) = 32
         FROM records ORDER BY seq`,
      )
      .raw()
      .iterate() as IterableIterator<VerificationRow>;
  }

  /** MTH(D[start:end]) over leaves (0-based) of this log. */
  subtreeHash(start: number, end: number): Buffer {
    return rangeHash(start, end, (level, index) => this.completeNode(level, index));
  }

  /** Audit path of record `seq` in the tree of the first `treeSize` records. */
  inclusionProof(seq: number, treeSize = this.size): Buffer[] {
    this.checkTreeSize(treeSize);
    return inclusionProof(seq - 1, treeSize, (start, end) => this.subtreeHash(start, end));
  }

  consistencyProof(oldSize: number, newSize = this.size): Buffer[] {
    this.checkTreeSize(newSize);
    return consistencyProof(oldSize, newSize, (start, end) => this.subtreeHash(start, end));
  }

  /** The Merkle tree head of the first `treeSize` records. */
  rootAt(treeSize: number): Buffer {
    this.checkTreeSize(treeSize);
    return treeSize === this.size ? this.frontier.root() : treeSize === 0 ? new MerkleFrontier().root() : this.subtreeHash(0, treeSize);
  }

  saveCheckpoint(checkpoint: Checkpoint): void {
    this.statements.insertCheckpoint.run(checkpoint.log, checkpoint.treeSize, checkpoint.rootHash, checkpoint.ts, checkpoint.keyId, checkpoint.signature);
  }

  checkpoints(): Checkpoint[] {
    return (this.statements.checkpoints.all() as CheckpointRow[]).map(checkpointFromRow);
  }

  latestCheckpoint(): Checkpoint | undefined {
    const row = this.statements.latestCheckpoint.get() as CheckpointRow | undefined;
    return row ? checkpointFromRow(row) : undefined;
  }

  /** Remember a public key (64 hex digits) that signs this log's checkpoints. */
  addPublicKey(publicKeyHex: string, keyId: string): void {
    this.statements.setMeta.run(`publicKey:${keyId}`, publicKeyHex);
  }

  /** Every public key the log file names, as 64 hex digits. */
  publicKeys(): string[] {
    return this.db.prepare("SELECT value FROM meta WHERE key LIKE 'publicKey:%' ORDER BY key").pluck().all() as string[];
  }

  close(): void {
    if (this.db.open) this.db.close();
  }

  private checkTreeSize(treeSize: number): void {
    if (!(Number.isInteger(treeSize) && treeSize >= 0 && treeSize <= this.size)) {
      throw new RangeError(`tree size: expected an integer from 0 to ${this.size} (the log's size), got ${treeSize}`);
    }
  }

  /** The hash of complete subtree `index` at height `level`: stored, or recomputed from at most 2^STORED_LEVEL records. */
  private completeNode(level: number, index: number): Buffer {
    if (level >= STORED_LEVEL) {
      const stored = this.statements.node.get(level, index) as Buffer | undefined;
      if (!stored) throw new Error(`tree node ${level}/${index} is missing from the log file`);
      return stored;
    }
    const first = index * 2 ** level + 1;
    const rows = this.rows(first, first + 2 ** level - 1);
    if (rows.length !== 2 ** level) throw new Error(`records ${first} to ${first + 2 ** level - 1} are not all in the log file`);
    let level0 = rows.map((row) => hashEntry(entryText(entryFieldsOf(row))).leafHash);
    while (level0.length > 1) {
      const next: Buffer[] = [];
      for (let i = 0; i < level0.length; i += 2) next.push(nodeHash(level0[i], level0[i + 1]));
      level0 = next;
    }
    return level0[0];
  }

  private loadFrontier(size: number): MerkleFrontier {
    let start = 0;
    const hashes = frontierLevels(size).map((level) => {
      const hash = this.completeNode(level, start / 2 ** level);
      start += 2 ** level;
      return hash;
    });
    return new MerkleFrontier({ size, hashes });
  }
}

/** The right edge of the tree and the hash of the last record: all an append needs. */
interface Tip {
  frontier: MerkleFrontier;
  lastHash: string;
}

interface CheckpointRow {
  log: string;
  tree_size: number;
  root_hash: string;
  ts: number;
  key_id: string;
  signature: string;
}

function checkpointFromRow(row: CheckpointRow): Checkpoint {
  return { log: row.log, treeSize: row.tree_size, rootHash: row.root_hash, ts: row.ts, keyId: row.key_id, signature: row.signature };
}
