/**
 * The files of one named audit log in its folder: `<name>.sqlite` (the log), `<name>.key`
 * (the Ed25519 signing key, when it is not given as a credential) and `<name>-detail/`
 * (large detail kept off-log, one file per SHA-256). No Node-RED import.
 */
import { KeyObject, createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { canonicalize } from "./canonical-json";
import { generatePrivateKeyPem, parsePrivateKey } from "./checkpoint";

/** Log names become file names: letters, digits, '-' and '_' only. */
export const LOG_NAME_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

export function checkLogName(name: string): string {
  if (!LOG_NAME_PATTERN.test(name)) throw new Error(`log name: expected 1 to 64 letters, digits, '-' or '_', got ${JSON.stringify(name)}`);
  return name;
}

export function logFile(dir: string, name: string): string {
  return path.join(dir, `${checkLogName(name)}.sqlite`);
}

export function keyFile(dir: string, name: string): string {
  return path.join(dir, `${checkLogName(name)}.key`);
}

export function detailDir(dir: string, name: string): string {
  return path.join(dir, `${checkLogName(name)}-detail`);
}

export interface SigningKey {
  key: KeyObject;
  /** Where the key came from, for the status and the docs' promise: the credential wins. */
  source: "credential" | "key file" | "generated";
}

/**
 * The signing key: the credential when one is given; else the key file; else a new key
 * written to the key file, readable by the owner only (0600), since a node cannot store
 * its own credentials at run time.
 */
export function loadSigningKey(credential: string | undefined, file: string): SigningKey {
  if (credential && credential.trim()) return { key: parsePrivateKey(credential), source: "credential" };
  if (fs.existsSync(file)) return { key: parsePrivateKey(fs.readFileSync(file, "utf8")), source: "key file" };
  const pem = generatePrivateKeyPem();
  try {
    // 'wx': never overwrite a key another node on the same log wrote in the meantime.
    fs.writeFileSync(file, pem, { mode: 0o600, flag: "wx" });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "EEXIST") return { key: parsePrivateKey(fs.readFileSync(file, "utf8")), source: "key file" };
    throw err;
  }
  return { key: parsePrivateKey(pem), source: "generated" };
}

/** What a record keeps of detail stored off-log. */
export interface DetailReference {
  /** SHA-256 of the detail's bytes, 64 hex digits; also its file name. */
  sha256: string;
  bytes: number;
  /** How to read the bytes: "application/json" for an object given as detail, else as given (e.g. "application/pdf"). */
  mediaType: string;
}

/** Bytes of a detail: a Buffer as it is, a string as UTF-8, anything else as canonical JSON. */
function detailBytes(detail: unknown, mediaType: string | undefined): { bytes: Buffer; mediaType: string } {
  if (Buffer.isBuffer(detail)) return { bytes: detail, mediaType: mediaType ?? "application/octet-stream" };
  if (typeof detail === "string") return { bytes: Buffer.from(detail, "utf8"), mediaType: mediaType ?? "text/plain; charset=utf-8" };
  return { bytes: Buffer.from(canonicalize(detail, "detail"), "utf8"), mediaType: mediaType ?? "application/json" };
}

/**
 * Store a detail durably in `dir` under its SHA-256 (written to a temporary file, fsynced,
 * then renamed) and return the reference the record keeps. The same detail twice is one file.
 */
export function storeDetail(dir: string, detail: unknown, mediaType?: string): DetailReference {
  const { bytes, mediaType: type } = detailBytes(detail, mediaType);
  const sha256 = createHash("sha256").update(bytes).digest("hex");
  fs.mkdirSync(dir, { recursive: true });
  const target = path.join(dir, sha256);
  if (!fs.existsSync(target)) {
    const temporary = `${target}.${process.pid}.tmp`;
    const fd = fs.openSync(temporary, "w", 0o640);
    try {
      fs.writeSync(fd, bytes);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(temporary, target);
  }
  return { sha256, bytes: bytes.length, mediaType: type };
}

/** Whether the detail file of a reference is there and still has its hash. */
export function checkDetail(dir: string, reference: DetailReference): "ok" | "missing" | "changed" {
  const file = path.join(dir, reference.sha256);
  if (!fs.existsSync(file)) return "missing";
  return createHash("sha256").update(fs.readFileSync(file)).digest("hex") === reference.sha256 ? "ok" : "changed";
}
