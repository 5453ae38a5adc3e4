/**
 * The durable outbox: every ERP record is written here before it is sent, and leaves only
 * when the ERP confirmed it (table `sent`, kept for duplicate detection) or rejected it
 * (table `dead_letter`, with the ERP's message). Records of one asset go out in the order
 * they came in; the head of each asset's queue is cached in memory so picking the next
 * records costs no query.
 */
import Database from "better-sqlite3";

/** What the outbox needs to know to send a record; the body is the mapped ERP payload. */
export interface NewRecord {
  /** Idempotency key: the same key is never sent twice. */
  key: string;
  asset: string;
  /** Record kind, e.g. "notification" or "workOrder". */
  kind: string;
  /** Path below the connection's base URL, e.g. "/sap/opu/odata/sap/API_MAINTNOTIFICATION/MaintenanceNotification". */
  path: string;
  body: unknown;
}

export interface OutboxRecord extends NewRecord {
  seq: number;
  /** Attempts started so far. */
  attempts: number;
  /**
   * An attempt may have reached the ERP without us hearing the answer: look it up before posting
   * again. Kept in memory only: after a restart every asset's oldest record counts as uncertain,
   * because only those can have been in flight (one request per asset at a time).
   */
  uncertain: boolean;
  nextAt: number;
  lastError?: string;
  createdAt: number;
}

export interface DeadLetter {
  key: string;
  asset: string;
  kind: string;
  path: string;
  body: unknown;
  status: number;
  error: string;
  at: number;
}

export interface OutboxCounts {
  pending: number;
  sent: number;
  dead: number;
}

/**
 * "power-loss": a queued record is synced to disk before `add` returns (SQLite synchronous=FULL
 * for that transaction). "process": queued records survive a crash or restart of Node-RED but
 * the last ones may be lost if the machine loses power (synchronous=NORMAL in WAL mode).
 */
export type Durability = "power-loss" | "process";

interface Row {
  seq: number;
  key: string;
  asset: string;
  kind: string;
  path: string;
  body: string;
  attempts: number;
  next_at: number;
  last_error: string | null;
  created_at: number;
}

function toRecord(row: Row): OutboxRecord {
  return {
    seq: row.seq,
    key: row.key,
    asset: row.asset,
    kind: row.kind,
    path: row.path,
    body: JSON.parse(row.body) as unknown,
    attempts: row.attempts,
    uncertain: false,
    nextAt: row.next_at,
    ...(row.last_error === null ? {} : { lastError: row.last_error }),
    createdAt: row.created_at,
  };
}

export class Outbox {
  private readonly db: Database.Database;
  /** The oldest pending record of each asset that has one. */
  private readonly heads = new Map<string, OutboxRecord>();
  private readonly statements;
  private readonly syncOnAdd: boolean;

  constructor(file: string, durability: Durability = "power-loss") {
    this.db = new Database(file);
    this.db.pragma("journal_mode = WAL");
    // Only queuing must reach the disk before it returns: a lost "sent" or "retry" mark after a
    // power cut brings the record back as uncertain, and the look-up finds it in the ERP.
    this.db.pragma("synchronous = NORMAL");
    this.syncOnAdd = durability === "power-loss";
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS outbox (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        key TEXT NOT NULL UNIQUE,
        asset TEXT NOT NULL,
        kind TEXT NOT NULL,
        path TEXT NOT NULL,
        body TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        next_at INTEGER NOT NULL,
        last_error TEXT,
        created_at INTEGER NOT NULL
      );
      CREATE INDEX IF NOT EXISTS outbox_asset ON outbox (asset, seq);
      CREATE TABLE IF NOT EXISTS sent (
        key TEXT PRIMARY KEY,
        asset TEXT NOT NULL,
        kind TEXT NOT NULL,
        erp_id TEXT,
        attempts INTEGER NOT NULL,
        sent_at INTEGER NOT NULL
      );
      CREATE TABLE IF NOT EXISTS dead_letter (
        key TEXT PRIMARY KEY,
        asset TEXT NOT NULL,
        kind TEXT NOT NULL,
        path TEXT NOT NULL,
        body TEXT NOT NULL,
        status INTEGER NOT NULL,
        error TEXT NOT NULL,
        at INTEGER NOT NULL
      );`);
    const db = this.db;
    this.statements = {
      known: db.prepare<[string, string, string], { found: number }>(
        "SELECT 1 AS found FROM outbox WHERE key = ? UNION ALL SELECT 1 FROM sent WHERE key = ? UNION ALL SELECT 1 FROM dead_letter WHERE key = ? LIMIT 1",
      ),
      insert: db.prepare(
        "INSERT INTO outbox (key, asset, kind, path, body, next_at, created_at) VALUES (@key, @asset, @kind, @path, @body, @now, @now)",
      ),
      head: db.prepare<[string], Row>("SELECT * FROM outbox WHERE asset = ? ORDER BY seq LIMIT 1"),
      heads: db.prepare<[], Row>("SELECT o.* FROM outbox o JOIN (SELECT MIN(seq) AS seq FROM outbox GROUP BY asset) h ON o.seq = h.seq"),
      retry: db.prepare("UPDATE outbox SET attempts = ?, next_at = ?, last_error = ? WHERE seq = ?"),
      remove: db.prepare("DELETE FROM outbox WHERE seq = ?"),
      sent: db.prepare("INSERT OR REPLACE INTO sent (key, asset, kind, erp_id, attempts, sent_at) VALUES (?, ?, ?, ?, ?, ?)"),
      dead: db.prepare(
        "INSERT OR REPLACE INTO dead_letter (key, asset, kind, path, body, status, error, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
      ),
      deadLetters: db.prepare<[], Omit<DeadLetter, "body"> & { body: string }>("SELECT * FROM dead_letter ORDER BY at, key"),
      count: db.prepare<[], OutboxCounts>(
        "SELECT (SELECT COUNT(*) FROM outbox) AS pending, (SELECT COUNT(*) FROM sent) AS sent, (SELECT COUNT(*) FROM dead_letter) AS dead",
      ),
      pruneSent: db.prepare("DELETE FROM sent WHERE sent_at < ?"),
    };
    for (const row of this.statements.heads.all()) this.heads.set(row.asset, { ...toRecord(row), uncertain: true });
  }

  /** Queue a record. "duplicate" when its key is already queued, sent or dead-lettered: nothing is written then. */
  add(record: NewRecord, now: number): "queued" | "duplicate" {
    return this.addAll([record], now)[0];
  }

  /** Queue several records in one transaction (one disk sync for all of them). */
  addAll(records: NewRecord[], now: number): Array<"queued" | "duplicate"> {
    if (!this.syncOnAdd) return this.db.transaction(() => records.map((record) => this.insert(record, now)))();
    this.db.pragma("synchronous = FULL");
    try {
      return this.db.transaction(() => records.map((record) => this.insert(record, now)))();
    } finally {
      this.db.pragma("synchronous = NORMAL");
    }
  }

  private insert(record: NewRecord, now: number): "queued" | "duplicate" {
    const { key } = record;
    if (this.statements.known.get(key, key, key)) return "duplicate";
    const info = this.statements.insert.run({ key, asset: record.asset, kind: record.kind, path: record.path, body: JSON.stringify(record.body), now });
    if (!this.heads.has(record.asset)) {
      this.heads.set(record.asset, { ...record, seq: Number(info.lastInsertRowid), attempts: 0, uncertain: false, nextAt: now, createdAt: now });
    }
    return "queued";
  }

  /** Up to `limit` records due at `now`, at most one per asset (its oldest), skipping assets in `busy`. */
  due(now: number, busy: ReadonlySet<string>, limit: number): OutboxRecord[] {
    const out: OutboxRecord[] = [];
    for (const [asset, head] of this.heads) {
      if (out.length >= limit) break;
      if (head.nextAt <= now && !busy.has(asset)) out.push(head);
    }
    return out;
  }

  /** When the next record of an asset not in `busy` falls due; undefined when none waits. */
  nextDueAt(busy: ReadonlySet<string>): number | undefined {
    let next: number | undefined;
    for (const [asset, head] of this.heads) {
      if (!busy.has(asset) && (next === undefined || head.nextAt < next)) next = head.nextAt;
    }
    return next;
  }

  /** An attempt starts: from now on the record may be in the ERP. (No write: see `uncertain`.) */
  markAttempt(record: OutboxRecord): void {
    record.attempts++;
    record.uncertain = true;
  }

  /** Try again at `nextAt`; `uncertain` when the failed attempt may have created the record. */
  markRetry(record: OutboxRecord, nextAt: number, error: string, uncertain: boolean): void {
    this.statements.retry.run(record.attempts, nextAt, error, record.seq);
    record.nextAt = nextAt;
    record.lastError = error;
    record.uncertain = uncertain;
  }

  markSent(record: OutboxRecord, erpId: string | undefined, now: number): void {
    this.db.transaction(() => {
      this.statements.remove.run(record.seq);
      this.statements.sent.run(record.key, record.asset, record.kind, erpId ?? null, record.attempts, now);
    })();
    this.advance(record.asset);
  }

  markDead(record: OutboxRecord, status: number, error: string, now: number): void {
    this.db.transaction(() => {
      this.statements.remove.run(record.seq);
      this.statements.dead.run(record.key, record.asset, record.kind, record.path, JSON.stringify(record.body), status, error, now);
    })();
    this.advance(record.asset);
  }

  deadLetters(): DeadLetter[] {
    return this.statements.deadLetters.all().map((row) => ({ ...row, body: JSON.parse(row.body) as unknown }));
  }

  counts(): OutboxCounts {
    return { ...this.statements.count.get()! };
  }

  /** Forget sent keys older than `before` (epoch ms): after that a re-sent identical message would be sent again. */
  pruneSent(before: number): number {
    return this.statements.pruneSent.run(before).changes;
  }

  close(): void {
    this.db.close();
  }

  private advance(asset: string): void {
    // Delete and re-insert: the asset moves to the end of the map, so assets take turns.
    this.heads.delete(asset);
    const row = this.statements.head.get(asset);
    if (row) this.heads.set(asset, toRecord(row));
  }
}
