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

/** A lone UTF-16 surrogate cannot be encoded as UTF-8, so I-JSON forbids it. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export function canonicalString(text: string, field = "value"): string {
  if (LONE_SURROGATE.test(text)) throw new CanonicalJsonError(field, "a string with a lone UTF-16 surrogate is not valid I-JSON");
  return JSON.stringify(text);
}

function canonicalNumber(value: number, field: string): string {
  if (!Number.isFinite(value)) throw new CanonicalJsonError(field, `${value} is not a JSON number`);
  // ES Number-to-String is the JCS number format; it writes -0 as "0", as RFC 8785 requires.
  return String(value);
}

/**
 * The canonical JSON text of `value`. Like JSON.stringify, `toJSON` is honoured (a Date
 * becomes its ISO string) and object members whose value is undefined are left out;
 * anything else that is not JSON (NaN, Infinity, bigint, functions, symbols, undefined in an
 * array, binary buffers, lone surrogates) is an error naming the field.
 */
export function canonicalize(value: unknown, field = "value"): string {
  if (value === null) return "null";
  switch (typeof value) {
    case "boolean":
      return value ? "true" : "false";
    case "number":
      return canonicalNumber(value, field);
    case "string":
      return canonicalString(value, field);
    case "object":
      return canonicalObject(value as object, field);
    default:
      throw new CanonicalJsonError(field, `a ${typeof value} is not a JSON value`);
  }
}

function canonicalObject(value: object, field: string): string {
  if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) {
    throw new CanonicalJsonError(field, "binary data is not JSON: store it off-log as detail");
  }
  const withToJson = value as { toJSON?: () => unknown };
  if (typeof withToJson.toJSON === "function") return canonicalize(withToJson.toJSON(), field);
  if (Array.isArray(value)) {
    return `[${value.map((item: unknown, i) => canonicalize(item, `${field}[${i}]`)).join(",")}]`;
  }
  const record = value as Record<string, unknown>;
  // Default sort compares UTF-16 code units, which is the order RFC 8785 section 3.2.3 asks for.
  const keys = Object.keys(record).filter((key) => record[key] !== undefined).sort();
  const members = keys.map((key) => `${canonicalString(key, `${field}.${key}`)}:${canonicalize(record[key], `${field}.${key}`)}`);
  return `{${members.join(",")}}`;
}
