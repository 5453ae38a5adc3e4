/**
 * Signed checkpoints (signed tree heads): "the log named L had N records with Merkle root
 * R at time T", signed with Ed25519 (node:crypto). A copy kept outside the plant's
 * machine makes a rewritten log detectable even when the rewrite re-hashed every record.
 */
import { KeyObject, createPrivateKey, createPublicKey, generateKeyPairSync, hash, sign, verify } from "node:crypto";
import { canonicalize } from "./canonical-json";

export interface Checkpoint {
  /** The log's name, so a checkpoint of one log is never taken for another's. */
  log: string;
  treeSize: number;
  /** RFC 9162 Merkle tree head of the first treeSize records, 64 hex digits. */
  rootHash: string;
  /** When it was signed, epoch ms. */
  ts: number;
  /** First 16 hex digits of SHA-256 of the raw public key: which key signed. */
  keyId: string;
  /** Ed25519 signature of the checkpoint's signed text, base64. */
  signature: string;
}

export type UnsignedCheckpoint = Pick<Checkpoint, "log" | "treeSize" | "rootHash" | "ts">;

/** The bytes that are signed: the canonical JSON of log, rootHash, treeSize and ts. */
export function signedText(checkpoint: UnsignedCheckpoint): string {
  const { log, treeSize, rootHash, ts } = checkpoint;
  return canonicalize({ log, rootHash, treeSize, ts });
}

/** DER prefix of a PKCS#8 Ed25519 private key (RFC 8410); the 32-byte seed follows. */
const PKCS8_ED25519_PREFIX = Buffer.from("302e020100300506032b657004220420", "hex");
/** DER prefix of an SPKI Ed25519 public key; the 32 raw key bytes follow. */
const SPKI_ED25519_PREFIX = Buffer.from("302a300506032b6570032100", "hex");

/**
 * Read an Ed25519 private key as typed into a credential: PEM (newlines may have become
 * spaces in a one-line field), or the 32-byte seed as 64 hex digits.
 */
export function parsePrivateKey(text: string): KeyObject {
  const trimmed = text.trim();
  let key: KeyObject;
  if (/^[0-9a-fA-F]{64}$/.test(trimmed)) {
    key = createPrivateKey({ key: Buffer.concat([PKCS8_ED25519_PREFIX, Buffer.from(trimmed, "hex")]), format: "der", type: "pkcs8" });
  } else {
    const match = /-----BEGIN PRIVATE KEY-----([\s\S]*?)-----END PRIVATE KEY-----/.exec(trimmed);
    if (!match) throw new Error("private key: expected a PEM Ed25519 private key or 64 hex digits");
    const body = match[1].replace(/\s+/g, "");
    key = createPrivateKey({ key: Buffer.from(body, "base64"), format: "der", type: "pkcs8" });
  }
  if (key.asymmetricKeyType !== "ed25519") throw new Error(`private key: expected an Ed25519 key, got ${key.asymmetricKeyType}`);
  return key;
}

/** A new Ed25519 private key as PEM (PKCS#8). */
export function generatePrivateKeyPem(): string {
  return generateKeyPairSync("ed25519").privateKey.export({ format: "pem", type: "pkcs8" }).toString();
}

/** The raw 32-byte public key as 64 hex digits: short enough to paste into a verifier. */
export function publicKeyHex(key: KeyObject): string {
  const spki = publicOf(key).export({ format: "der", type: "spki" });
  return spki.subarray(SPKI_ED25519_PREFIX.length).toString("hex");
}

/** A public key from 64 hex digits (as publicKeyHex writes it) or PEM. */
export function parsePublicKey(text: string): KeyObject {
  const trimmed = text.trim();
  const key = /^[0-9a-fA-F]{64}$/.test(trimmed)
    ? createPublicKey({ key: Buffer.concat([SPKI_ED25519_PREFIX, Buffer.from(trimmed, "hex")]), format: "der", type: "spki" })
    : createPublicKey(trimmed);
  if (key.asymmetricKeyType !== "ed25519") throw new Error(`public key: expected an Ed25519 key, got ${key.asymmetricKeyType}`);
  return key;
}

function publicOf(key: KeyObject): KeyObject {
  return key.type === "public" ? key : createPublicKey(key);
}

/** Which key: the first 16 hex digits of SHA-256 of the raw public key (of a private or public key). */
export function keyId(publicKey: KeyObject): string {
  const raw = publicOf(publicKey).export({ format: "der", type: "spki" }).subarray(SPKI_ED25519_PREFIX.length);
  return (hash("sha256", raw, "hex") as string).slice(0, 16);
}

export function signCheckpoint(unsigned: UnsignedCheckpoint, privateKey: KeyObject): Checkpoint {
  const signature = sign(null, Buffer.from(signedText(unsigned), "utf8"), privateKey).toString("base64");
  return { ...unsigned, keyId: keyId(privateKey), signature };
}

export function checkpointSignatureValid(checkpoint: Checkpoint, publicKey: KeyObject): boolean {
  try {
    return verify(null, Buffer.from(signedText(checkpoint), "utf8"), publicKey, Buffer.from(checkpoint.signature, "base64"));
  } catch {
    return false;
  }
}
