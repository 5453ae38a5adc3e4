/**
 * The store-and-forward queue of pdm-buffer: messages kept in order in a SQLite file
 * (better-sqlite3, WAL journal) so they survive a restart, with a bound on their number.
 * Framework-free: the node adapter decides when to store and when to replay.
 */
import Database from "better-sqlite3";
import { MAX_BLOCK_SAMPLES } from "../shared/contract";

export const FULL_POLICIES = ["drop-oldest", "reject"] as const;
export type FullPolicy = (typeof FULL_POLICIES)[number];

export interface OutboxOptions {
  file: string;
  /** The most messages kept; what happens beyond is `policy`. */
  maxMessages: number;
  /** "drop-oldest": make room by deleting the oldest message (counted); "reject": refuse the new one with an error. */
  policy: FullPolicy;
}

export interface StoredMessage {
  seq: number;
  msg: Record<string, unknown>;
}

/** The largest message stored, in characters of JSON (a 2 000 000-sample block is about 40 M). */
export const MAX_STORED_CHARS = 64 * 1024 * 1024;

/**
 * A message as the JSON text the queue stores, or an error that says why it cannot be
 * stored: too large (a block beyond the contract's bound), circular, or holding a BigInt.
 */
export function serializeMessage(msg: object): string {
  const payload = (msg as { payload?: unknown }).payload;
  const values = typeof payload === "object" && payload !== null ? (payload as { values?: unknown }).values : undefined;
  if (Array.isArray(values) && values.length > MAX_BLOCK_SAMPLES) {
    throw new Error(`msg.payload.values: expected at most ${MAX_BLOCK_SAMPLES} samples to store, got ${values.length}`);
  }
  let json: string;
  try {
    json = JSON.stringify(msg);
  } catch (err) {
    throw new Error(`msg cannot be stored as JSON: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (json.length > MAX_STORED_CHARS) throw new Error(`msg is ${json.length} characters as JSON, more than the ${MAX_STORED_CHARS} a stored message may have`);
  return json;
}

/** Messages staged before the caller is told to flush (a transaction of this size takes about a millisecond). */
const STAGE_BATCH = 500;

/** Room for the order numbers of failed messages before the head of the queue. */
const REQUEUE_SPAN = 1e9;

export class OutboxFullError extends Error {
  constructor(maxMessages: number) {
    super(`buffer full: ${maxMessages} messages are waiting for the link; message refused (policy "reject")`);
    this.name = "OutboxFullError";
  }
}

export class Outbox {
  private readonly db: Database.Database;
  private readonly insertAt: Database.Statement<[number, string]>;
  private readonly selectHead: Database.Statement<[number], { seq: number; msg: string }>;
  private readonly deleteUpTo: Database.Statement<[number]>;
  private readonly deleteOldest: Database.Statement<[number]>;
  private readonly saveDropped: Database.Statement<[number]>;
  private count: number;
  /** Messages deleted by the drop-oldest policy since the file was created. */
  private droppedCount: number;
  /** Appended messages get increasing positive numbers; requeued ones go below the head. */
  private nextSeq: number;
  /** The head of the queue when the current outage began; failed messages go before it. */
  private outageBase: number | undefined;
  /** Messages taken but not yet written. */
  private staged: string[] = [];

  constructor(private readonly options: OutboxOptions) {
    if (!Number.isInteger(options.maxMessages) || options.maxMessages < 1) {
      throw new Error(`max messages: expected an integer >= 1, got ${options.maxMessages}`);
    }
    this.db = new Database(options.file);
    // WAL with synchronous=NORMAL survives a crash of Node-RED without an fsync per message.
    this.db.pragma("journal_mode = WAL");
    this.db.pragma("synchronous = NORMAL");
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS queue (seq INTEGER PRIMARY KEY, msg TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
      INSERT OR IGNORE INTO meta (key, value) VALUES ('dropped', 0);
    `);
    this.insertAt = this.db.prepare("INSERT INTO queue (seq, msg) VALUES (?, ?)");
    this.selectHead = this.db.prepare("SELECT seq, msg FROM queue ORDER BY seq LIMIT ?");
    this.deleteUpTo = this.db.prepare("DELETE FROM queue WHERE seq <= ?");
    this.deleteOldest = this.db.prepare("DELETE FROM queue WHERE seq IN (SELECT seq FROM queue ORDER BY seq LIMIT ?)");
    this.saveDropped = this.db.prepare("UPDATE meta SET value = ? WHERE key = 'dropped'");
    this.count = (this.db.prepare("SELECT COUNT(*) AS n FROM queue").get() as { n: number }).n;
    const last = (this.db.prepare("SELECT MAX(seq) AS seq FROM queue").get() as { seq: number | null }).seq;
    this.nextSeq = Math.max((last ?? 0) + 1, 1);
    this.droppedCount = (this.db.prepare("SELECT value FROM meta WHERE key = 'dropped'").get() as { value: number }).value;
  }

  /** Messages waiting: stored, and staged for the next write. */
  get size(): number {
    return this.count + this.staged.length;
  }

  get dropped(): number {
    return this.droppedCount;
  }

  /**
   * Take a message (as serializeMessage made it) for the end of the queue. Staged messages
   * are written together by flush(), in one transaction: one write to the journal instead of
   * one per message. Reading the queue flushes first. The reject policy applies here.
   * Returns true when so many are staged that the caller should flush now.
   */
  stage(json: string): boolean {
    if (this.options.policy === "reject" && this.size >= this.options.maxMessages) throw new OutboxFullError(this.options.maxMessages);
    this.staged.push(json);
    return this.staged.length >= STAGE_BATCH;
  }

  /** Write the staged messages; with drop-oldest, the oldest make room. */
  flush(): void {
    if (this.staged.length === 0) return;
    const json = this.staged;
    this.staged = [];
    this.db.transaction(() => {
      const excess = this.count + json.length - this.options.maxMessages;
      if (excess > 0) this.dropOldest(excess);
      // More messages staged than the bound: only the newest fit, the others count as dropped.
      const skipped = Math.max(0, json.length - this.options.maxMessages);
      if (skipped > 0) this.countDropped(skipped);
      for (const text of json.slice(skipped)) {
        this.insertAt.run(this.nextSeq++, text);
        this.count++;
      }
    })();
  }

  /**
   * Store a message that failed downstream before every message waiting since the outage
   * began, ordered among the other failed ones by `order` (the counter it was passed on
   * with, < 1e9): failures reported out of order still replay in the order they were sent.
   */
  requeue(msg: object, order: number): void {
    const json = serializeMessage(msg);
    this.flush();
    if (this.count >= this.options.maxMessages) {
      if (this.options.policy === "reject") throw new OutboxFullError(this.options.maxMessages);
      this.dropOldest(1);
    }
    if (this.outageBase === undefined) {
      const head = this.db.prepare("SELECT MIN(seq) AS seq FROM queue").get() as { seq: number | null };
      this.outageBase = head.seq ?? 1;
    }
    this.insertAt.run(this.outageBase - REQUEUE_SPAN + order, json);
    this.count++;
  }

  /** The outage is over: the next failure starts a new group before the queue's head. */
  endOutage(): void {
    this.outageBase = undefined;
  }

  /** The oldest `limit` messages, in order, still stored until `remove`. */
  peek(limit: number): StoredMessage[] {
    this.flush();
    return this.selectHead.all(limit).map((row) => ({ seq: row.seq, msg: JSON.parse(row.msg) as Record<string, unknown> }));
  }

  /** Delete the messages up to and including `seq` (they have been passed on). */
  remove(upToSeq: number): void {
    this.count -= this.deleteUpTo.run(upToSeq).changes;
  }

  /** Write what is staged and close the file (closed even when the write fails). */
  close(): void {
    try {
      this.flush();
    } finally {
      this.db.close();
    }
  }

  private dropOldest(excess: number): void {
    const deleted = this.deleteOldest.run(excess).changes;
    this.count -= deleted;
    this.countDropped(deleted);
  }

  private countDropped(messages: number): void {
    this.droppedCount += messages;
    this.saveDropped.run(this.droppedCount);
  }
}
