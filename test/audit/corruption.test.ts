/**
 * 1 000 random single-byte corruptions of the records in the SQLite file itself (not
 * through SQL): each one is detected, names the corrupted record, and never crashes.
 */
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { AuditLog } from "../../nodes/audit/store";
import { verifyLogFile } from "../../nodes/audit/verify";
import { LOG_NAME, checkpointNow, plantEvent, tempDir } from "./log-fixture";

const RECORDS = 500;
const CORRUPTIONS = 1000;

/** A small deterministic generator, so a failure can be replayed (seed in the message). */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Where one record's stored field values (ts, type, asset, actor, payload, prev_hash, hash) are in the file. */
interface RecordSpan {
  seq: number;
  start: number;
  end: number;
}

function varint(bytes: Buffer, at: number): { value: number; next: number } {
  let value = 0;
  for (let i = 0; i < 9; i++) {
    const byte = bytes[at + i];
    if (i === 8) return { value: value * 256 + byte, next: at + 9 };
    value = value * 128 + (byte & 0x7f);
    if (byte < 0x80) return { value, next: at + i + 1 };
  }
  throw new Error("unreachable");
}

/** Bytes a value of SQLite serial type `type` takes in a record body. */
function serialSize(type: number): number {
  if (type >= 12) return Math.floor((type - (type % 2 === 0 ? 12 : 13)) / 2);
  return [0, 1, 2, 3, 4, 6, 8, 8, 0, 0][type] ?? 0;
}

/**
 * Walk the records table's B-tree in the file (SQLite file format, section 1.6) and return
 * the byte range of each live row's values. Reading the format rather than searching for
 * the text matters: page splits leave stale copies of rows in unused page space.
 */
function recordSpans(bytes: Buffer, rootPage: number): RecordSpan[] {
  const pageSize = bytes.readUInt16BE(16);
  const spans: RecordSpan[] = [];
  const visit = (page: number) => {
    const base = (page - 1) * pageSize;
    const header = base + (page === 1 ? 100 : 0);
    const kind = bytes[header];
    const cells = bytes.readUInt16BE(header + 3);
    const pointers = header + (kind === 0x05 ? 12 : 8);
    for (let i = 0; i < cells; i++) {
      const cell = base + bytes.readUInt16BE(pointers + 2 * i);
      if (kind === 0x05) {
        visit(bytes.readUInt32BE(cell));
        continue;
      }
      assert.equal(kind, 0x0d, `page ${page} is a table leaf`);
      const payloadSize = varint(bytes, cell);
      const rowid = varint(bytes, payloadSize.next);
      const headerSize = varint(bytes, rowid.next);
      assert.ok(payloadSize.value < pageSize - 35, "no overflow pages");
      let at = headerSize.next;
      let size = 0;
      while (at < rowid.next + headerSize.value) {
        const type = varint(bytes, at);
        size += serialSize(type.value);
        at = type.next;
      }
      spans.push({ seq: rowid.value, start: rowid.next + headerSize.value, end: rowid.next + headerSize.value + size });
    }
    if (kind === 0x05) visit(bytes.readUInt32BE(header + 8));
  };
  visit(rootPage);
  return spans;
}

describe("audit: random corruption of the log file", function () {
  this.timeout(120_000);
  let dir: string;
  beforeEach(() => (dir = tempDir()));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it(`detects ${CORRUPTIONS} random single-byte corruptions of records and names each record`, () => {
    const pristine = path.join(dir, "pristine.sqlite");
    const log = new AuditLog(pristine);
    log.append(Array.from({ length: RECORDS }, (_, i) => plantEvent(i + 1)));
    checkpointNow(log);
    log.close();
    const reader = new AuditLog(pristine, { readonly: true });
    const rootPage = reader.db.prepare("SELECT rootpage FROM sqlite_master WHERE name = 'records'").pluck().get() as number;
    const rows = reader.rows(1, RECORDS);
    reader.close();
    const original = fs.readFileSync(pristine);
    const spans = recordSpans(original, rootPage);
    // The walk found every row, and each range ends with the row's hash.
    assert.deepEqual(spans.map((span) => span.seq), rows.map((row) => row.seq));
    spans.forEach((span, i) => assert.ok(original.subarray(span.end - 32, span.end).equals(rows[i].hash), `record ${span.seq}`));
    const next = random(20260101);
    const corrupted = path.join(dir, "corrupted.sqlite");
    const misses: string[] = [];
    for (let i = 0; i < CORRUPTIONS; i++) {
      const span = spans[Math.floor(next() * spans.length)];
      const offset = span.start + Math.floor(next() * (span.end - span.start));
      const bytes = Buffer.from(original);
      bytes[offset] ^= 1 + Math.floor(next() * 255);
      fs.writeFileSync(corrupted, bytes);
      const result = verifyLogFile(corrupted, { log: LOG_NAME });
      if (result.ok || result.firstBad?.seq !== span.seq) {
        misses.push(`#${i}: byte ${offset} of record ${span.seq}: ${result.ok ? "not detected" : JSON.stringify(result.firstBad)}`);
      }
    }
    assert.deepEqual(misses, []);
  });

  it("survives single-byte corruptions anywhere in the file: a result every time, never a crash", () => {
    const pristine = path.join(dir, "pristine.sqlite");
    const log = new AuditLog(pristine);
    log.append(Array.from({ length: RECORDS }, (_, i) => plantEvent(i + 1)));
    checkpointNow(log);
    log.close();
    const original = fs.readFileSync(pristine);
    const next = random(7);
    const corrupted = path.join(dir, "corrupted.sqlite");
    let detected = 0;
    const runs = 300;
    for (let i = 0; i < runs; i++) {
      const bytes = Buffer.from(original);
      bytes[Math.floor(next() * bytes.length)] ^= 1 + Math.floor(next() * 255);
      fs.writeFileSync(corrupted, bytes);
      const result = verifyLogFile(corrupted, { log: LOG_NAME });
      assert.equal(typeof result.ok, "boolean");
      if (!result.ok) detected++;
    }
    // Many bytes of a SQLite file are free space or unused header fields: changing them alters no record.
    assert.ok(detected > 0 && detected <= runs);
  });
});
