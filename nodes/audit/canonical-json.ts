/**
 * RFC 8785 JSON Canonicalization Scheme (JCS): one byte sequence for one JSON value, so
 * the same data always hashes the same whatever key order or number spelling it came with.
 *
 * JCS is defined on top of ECMAScript: numbers are written as `Number.prototype.toString`
 * writes them and strings as `JSON.stringify` writes them, so in JavaScript the work is
 * sorting object keys by UTF-16 code units and refusing what is not I-JSON (RFC 7493).
 */

export class CanonicalJsonError extends Error {
  constructor(
    /** Where the value is, e.g. `payload.readings[3]`. */
    readonly field: string,
    reason: string,
  ) {
    super(`${field}: ${reason}`);
    this.name = "CanonicalJsonError";
  }
}

/** Whether a string has no lone UTF-16 surrogate (which UTF-8 cannot encode, so I-JSON forbids it). */
const wellFormed: (text: string) => boolean =
  typeof (String.prototype as { isWellFormed?: unknown }).isWellFormed === "function"
    ? (text) => (text as unknown as { isWellFormed(): boolean }).isWellFormed()
    : (text) => !/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(text);

export function canonicalString(text: string, field = "value"): string {
  if (!wellFormed(text)) throw new CanonicalJsonError(field, "a string with a lone UTF-16 surrogate is not valid I-JSON");
  return JSON.stringify(text);
}

/**
 * The keys and indexes from the top-level value down to the one being written: the field
 * name of an error is built from it only when there is an error, not for every member.
 */
const trail: Array<string | number> = [];

function fieldName(root: string): string {
  return trail.reduce<string>((name, step) => (typeof step === "number" ? `${name}[${step}]` : `${name}.${step}`), root);
}

/**
 * The canonical JSON text of `value`. Like JSON.stringify, `toJSON` is honoured (a Date
 * becomes its ISO string) and object members whose value is undefined are left out;
 * anything else that is not JSON (NaN, Infinity, bigint, functions, symbols, undefined in an
 * array, binary buffers, lone surrogates) is an error naming the field, e.g. `payload.values[3]`.
 */
export function canonicalize(value: unknown, field = "value"): string {
  trail.length = 0;
  try {
    // Fast path: a copy with sorted keys, written by the engine's own JSON.stringify (whose
    // strings and numbers are JCS's). Integer-like keys defeat it (engines list them first,
    // in numeric order), so then the member-by-member writer does the work.
    return JSON.stringify(sortedCopy(value));
  } catch (err) {
    if (err instanceof Unfit) throw new CanonicalJsonError(fieldName(field), err.message);
    if (!(err instanceof IntegerKey)) throw err;
  }
  trail.length = 0;
  try {
    return write(value);
  } catch (err) {
    if (err instanceof Unfit) throw new CanonicalJsonError(fieldName(field), err.message);
    throw err;
  }
}

/** Thrown inside the writers; canonicalize turns it into a CanonicalJsonError with the field name. */
class Unfit extends Error {}

/** Thrown by sortedCopy on a key such as "7" that object key order cannot keep in code-unit order. */
class IntegerKey extends Error {}

const INTEGER_KEY = /^(?:0|[1-9][0-9]*)$/;

/** A checked copy of a JSON value whose objects list their members in RFC 8785 order. */
function sortedCopy(value: unknown): unknown {
  switch (typeof value) {
    case "boolean":
      return value;
    case "number":
      if (!Number.isFinite(value)) throw new Unfit(`${value} is not a JSON number`);
      return value;
    case "string":
      if (!wellFormed(value)) throw new Unfit("a string with a lone UTF-16 surrogate is not valid I-JSON");
      return value;
    case "object":
      return value === null ? null : sortedObject(value);
    default:
      throw new Unfit(`a ${typeof value} is not a JSON value`);
  }
}

function sortedObject(value: object): unknown {
  if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) throw new Unfit("binary data is not JSON: store it off-log as detail");
  const withToJson = value as { toJSON?: () => unknown };
  if (typeof withToJson.toJSON === "function") return sortedCopy(withToJson.toJSON());
  if (Array.isArray(value)) {
    const copy: unknown[] = new Array(value.length);
    for (let i = 0; i < value.length; i++) {
      trail.push(i);
      copy[i] = sortedCopy(value[i]);
      trail.pop();
    }
    return copy;
  }
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record).sort();
  // No prototype, so a member named "__proto__" stays a plain member.
  const copy = Object.create(null) as Record<string, unknown>;
  for (const key of keys) {
    const member = record[key];
    if (member === undefined) continue;
    trail.push(key);
    if (INTEGER_KEY.test(key)) throw new IntegerKey();
    if (!wellFormed(key)) throw new Unfit("a key with a lone UTF-16 surrogate is not valid I-JSON");
    copy[key] = sortedCopy(member);
    trail.pop();
  }
  return copy;
}

/** The member-by-member writer: any key order, including integer-like keys. */
function write(value: unknown): string {
  if (value === null) return "null";
  switch (typeof value) {
    case "boolean":
      return value ? "true" : "false";
    case "number":
      // ES Number-to-String is the JCS number format; it writes -0 as "0", as RFC 8785 requires.
      if (!Number.isFinite(value)) throw new Unfit(`${value} is not a JSON number`);
      return String(value);
    case "string":
      if (!wellFormed(value)) throw new Unfit("a string with a lone UTF-16 surrogate is not valid I-JSON");
      return JSON.stringify(value);
    case "object":
      return writeObject(value as object);
    default:
      throw new Unfit(`a ${typeof value} is not a JSON value`);
  }
}

function writeObject(value: object): string {
  if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) throw new Unfit("binary data is not JSON: store it off-log as detail");
  const withToJson = value as { toJSON?: () => unknown };
  if (typeof withToJson.toJSON === "function") return write(withToJson.toJSON());
  if (Array.isArray(value)) {
    let text = "[";
    for (let i = 0; i < value.length; i++) {
      trail.push(i);
      text += (i === 0 ? "" : ",") + write(value[i]);
      trail.pop();
    }
    return `${text}]`;
  }
  const record = value as Record<string, unknown>;
  // Default sort compares UTF-16 code units, which is the order RFC 8785 section 3.2.3 asks for.
  const keys = Object.keys(record).sort();
  let text = "{";
  for (const key of keys) {
    const member = record[key];
    if (member === undefined) continue;
    trail.push(key);
    if (!wellFormed(key)) throw new Unfit("a key with a lone UTF-16 surrogate is not valid I-JSON");
    text += (text.length === 1 ? "" : ",") + JSON.stringify(key) + ":" + write(member);
    trail.pop();
  }
  return `${text}}`;
}
