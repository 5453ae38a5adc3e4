/**
 * One log entry as bytes: the canonical JSON (RFC 8785) of the record without its hash.
 * The record's `hash` is SHA-256 of these bytes (the hash chain) and its Merkle leaf is
 * SHA-256(0x00 || these bytes) (RFC 9162), so a verifier needs nothing but the fields.
 */
import { hash } from "node:crypto";
import { canonicalString } from "./canonical-json";

/** The prevHash of record 1: there is no record before it. */
export const GENESIS_PREV_HASH = "0".repeat(64);

/** A record's fields as the log stores them: the payload already in canonical JSON. */
export interface EntryFields {
  seq: number;
  ts: number;
  type: string;
  asset?: string | null;
  actor: string;
  /** The payload as canonical JSON text. */
  payloadJson: string;
  /** 64 hex digits. */
  prevHash: string;
}

/**
 * The canonical JSON of `{seq, ts, type, asset?, actor, payload, prevHash}`, written
 * member by member in RFC 8785 key order (actor, asset, payload, prevHash, seq, ts, type)
 * because the payload is canonical already: re-parsing it for every record would make
 * verifying a million records several times slower.
 */
export function entryText(fields: EntryFields): string {
  const asset = fields.asset === undefined || fields.asset === null ? "" : `"asset":${canonicalString(fields.asset, "asset")},`;
  return (
    `{"actor":${canonicalString(fields.actor, "actor")},${asset}"payload":${fields.payloadJson},` +
    `"prevHash":"${fields.prevHash}","seq":${fields.seq},"ts":${fields.ts},"type":${canonicalString(fields.type, "type")}}`
  );
}

export interface EntryHashes {
  /** SHA-256 of the entry: the record's `hash`. */
  recordHash: Buffer;
  /** RFC 9162 leaf hash of the entry. */
  leafHash: Buffer;
}

/** Hashes of an entry, hashed straight from the string (node:crypto encodes it as UTF-8). */
export function hashEntry(text: string): EntryHashes {
  return { recordHash: hash("sha256", text, "buffer") as unknown as Buffer, leafHash: entryLeafHash(text) };
}

/** The record hash as 64 hex digits, as verification compares it. */
export function recordHashHex(text: string): string {
  return hash("sha256", text, "hex");
}

/** RFC 9162 leaf hash SHA-256(0x00 || entry): U+0000 is the single byte 0x00 in UTF-8. */
export function entryLeafHash(text: string): Buffer {
  return hash("sha256", `\0${text}`, "buffer") as unknown as Buffer;
}
