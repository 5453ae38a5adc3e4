/**
 * The audit log's costs beside plain SQLite doing the same work without hashing:
 * - durable appends (one commit, one fsync per record; WAL, synchronous=FULL on both sides),
 * - appends in batches of 1000 (where the hashing, canonical JSON and the Merkle tree show),
 * - full verification of 1 000 000 records beside reading the same rows from plain SQLite.
 * `AUDIT_BENCH_RECORDS=200000 npm run bench -- audit` runs a smaller verification.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import Database from "better-sqlite3";
import { AuditEvent, AuditLog } from "../nodes/audit/store";
import { verifyLog } from "../nodes/audit/verify";
import { BenchReport } from "./report";

const VERIFY_RECORDS = Number(process.env.AUDIT_BENCH_RECORDS ?? 1_000_000);
const BATCH = 1000;
const DURABLE_SECONDS = 3;

const TYPES = ["maintenance-completed", "calibration", "quality-inspection", "configuration-change", "production-batch", "anomaly"];

/** A plausible record: an anomaly or work-order sized payload (about 200 bytes of JSON). */
function event(n: number): AuditEvent {
  return {
    ts: 1_767_225_600_000 + n * 1000,
    type: TYPES[n % TYPES.length],
    asset: `pump-${n % 40}`,
    actor: n % 3 === 0 ? "j.smith" : "pdm-anomaly",
    payload: { t0: 1_767_225_600_000 + n * 1000, score: (n % 97) / 10, threshold: 3, anomaly: n % 11 === 0, severity: "low", contributions: [{ feature: "rms", share: 0.7 }, { feature: "kurtosis", share: 0.3 }] },
  };
}

/** The plain reference: the same rows (payload as JSON text) in WAL mode with synchronous=FULL, no hashes, no tree. */
class PlainTable {
  private readonly db: Database.Database;
  private readonly insert: Database.Statement;
  private count = 0;
  constructor(file: string) {
    this.db = new Database(file);
    this.db.pragma("journal_mode = WAL");
    this.db.pragma("synchronous = FULL");
    this.db.exec("CREATE TABLE records (seq INTEGER PRIMARY KEY, ts INTEGER NOT NULL, type TEXT NOT NULL, asset TEXT, actor TEXT NOT NULL, payload TEXT NOT NULL)");
    this.insert = this.db.prepare("INSERT INTO records (seq, ts, type, asset, actor, payload) VALUES (?, ?, ?, ?, ?, ?)");
  }
  append(events: AuditEvent[]): void {
    this.db.transaction(() => {
      for (const e of events) this.insert.run(++this.count, e.ts, e.type, e.asset ?? null, e.actor, JSON.stringify(e.payload));
    })();
  }
  /** Read every row, as verification has to. */
  scan(): number {
    let rows = 0;
    for (const row of this.db.prepare("SELECT * FROM records ORDER BY seq").raw().iterate()) if (row) rows++;
    return rows;
  }
  close(): void {
    this.db.close();
  }
}

/** Seconds since `start` on a clock: wall time, or the process's CPU time (user + system). */
type Clock = "wall" | "cpu";
function now(clock: Clock): number {
  if (clock === "wall") return performance.now() / 1000;
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1e6;
}

/**
 * Records per second of two ways of appending, [audit, plain], measured in alternating
 * rounds so that other work on the machine slows both alike. Durable appends wait for the
 * disk, so they are timed on the wall clock; batched appends are CPU work, timed in CPU
 * seconds (what they take on a core of their own).
 */
function appendRates(audit: (events: AuditEvent[]) => void, plain: (events: AuditEvent[]) => void, batch: number, totalSeconds: number, clock: Clock): [number, number] {
  const rounds = 6;
  const counts = [0, 0];
  const elapsed = [0, 0];
  let n = 0;
  for (let round = 0; round < rounds * 2; round++) {
    const side = round % 2;
    const append = side === 0 ? audit : plain;
    const wallEnd = performance.now() + (totalSeconds * 1000) / (rounds * 2);
    const start = now(clock);
    while (performance.now() < wallEnd) {
      append(Array.from({ length: batch }, () => event(n++)));
      counts[side] += batch;
    }
    elapsed[side] += now(clock) - start;
  }
  return [counts[0] / elapsed[0], counts[1] / elapsed[1]];
}

/**
 * Wall-clock and CPU seconds of `fn`. Verification runs on one thread, so its CPU time is
 * what it takes on one core of its own, also when other work shares the machine's cores.
 */
function seconds(fn: () => unknown): { wall: number; cpu: number } {
  const cpuStart = process.cpuUsage();
  const start = performance.now();
  fn();
  const cpu = process.cpuUsage(cpuStart);
  return { wall: (performance.now() - start) / 1000, cpu: (cpu.user + cpu.system) / 1e6 };
}

export function run(report: BenchReport): void {
  // A real disk, not tmpfs: the durable figures are about fsync.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pdm-audit-bench-"));
  try {
    const log = new AuditLog(path.join(dir, "audit.sqlite"));
    const plain = new PlainTable(path.join(dir, "plain.sqlite"));
    const [durable, plainDurable] = appendRates((events) => log.append(events), (events) => plain.append(events), 1, 2 * DURABLE_SECONDS, "wall");
    report.add({
      name: "audit: durable appends, one record per commit (fsync each)",
      value: durable,
      unit: "records/s",
      reference: "plain SQLite insert per commit, same rows, no hashing",
      referenceValue: plainDurable,
      higherIsBetter: true,
      target: "hashing + tree < 2x plain (ratio > 0.5)",
    });
    const [batched, plainBatched] = appendRates((events) => log.append(events), (events) => plain.append(events), BATCH, 2 * DURABLE_SECONDS, "cpu");
    report.add({
      name: `audit: appends in batches of ${BATCH}, CPU time (canonical JSON, hash chain, Merkle tree)`,
      value: batched,
      unit: "records/s",
      reference: `plain SQLite inserts in batches of ${BATCH}`,
      referenceValue: plainBatched,
      higherIsBetter: true,
      target: "hashing + tree < 2x plain (ratio > 0.5)",
    });
    log.close();
    plain.close();

    // Verification of VERIFY_RECORDS records, beside plain SQLite reading the same rows.
    const big = new AuditLog(path.join(dir, "big.sqlite"));
    const bigPlain = new PlainTable(path.join(dir, "big-plain.sqlite"));
    for (let n = 0; n < VERIFY_RECORDS; n += BATCH) {
      const events = Array.from({ length: Math.min(BATCH, VERIFY_RECORDS - n) }, (_, i) => event(n + i));
      big.append(events);
      bigPlain.append(events);
    }
    big.close();
    const reader = new AuditLog(path.join(dir, "big.sqlite"), { readonly: true });
    let ok = false;
    const verify = seconds(() => (ok = verifyLog(reader, { log: "bench" }).ok));
    reader.close();
    if (!ok) throw new Error("the benchmark log did not verify");
    const scan = seconds(() => bigPlain.scan());
    bigPlain.close();
    const records = VERIFY_RECORDS.toLocaleString("en");
    report.add({
      name: `audit: full verification of ${records} records, CPU time (one core)`,
      value: verify.cpu,
      unit: "s",
      reference: "plain SQLite reading the same rows",
      referenceValue: scan.cpu,
      higherIsBetter: false,
      target: VERIFY_RECORDS === 1_000_000 ? "< 10 s" : undefined,
    });
    report.add({
      name: `audit: full verification of ${records} records, wall clock`,
      value: verify.wall,
      unit: "s",
      reference: "plain SQLite reading the same rows",
      referenceValue: scan.wall,
      higherIsBetter: false,
    });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
