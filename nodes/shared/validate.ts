/**
 * The one validator of the suite: small composable checks that either return the value,
 * typed, or throw a ValidationError naming the field (as a path such as
 * `msg.payload.values[12]`) and what was expected. No Node-RED import.
 */

export class ValidationError extends Error {
  constructor(
    /** Where the bad value is, e.g. `msg.payload.fs`. */
    readonly field: string,
    /** What was expected there, e.g. `a number > 0`. */
    readonly expected: string,
    /** A short description of what was found. */
    readonly found: string,
  ) {
    super(`${field}: expected ${expected}, got ${found}`);
    this.name = "ValidationError";
  }
}

/** A check reads an unknown value at a path and returns it typed, or throws. */
export type Check<T> = (value: unknown, path: string) => T;

/** Describe a value briefly for an error message (never dumps a 10-million-element array). */
export function describe(value: unknown): string {
  if (value === undefined) return "nothing (missing)";
  if (value === null) return "null";
  if (typeof value === "number") return Number.isNaN(value) ? "NaN" : String(value);
  if (typeof value === "string") return value.length > 40 ? `a string "${value.slice(0, 40)}…"` : `"${value}"`;
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (ArrayBuffer.isView(value)) return `a ${value.constructor.name}`;
  return typeof value === "object" ? "an object" : `a ${typeof value}`;
}

export function fail(path: string, expected: string, value: unknown): never {
  throw new ValidationError(path, expected, describe(value));
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value) && !ArrayBuffer.isView(value);
}

export const nonEmptyString: Check<string> = (value, path) =>
  typeof value === "string" && value.trim().length > 0 ? value : fail(path, "a non-empty string", value);

export const boolean: Check<boolean> = (value, path) =>
  typeof value === "boolean" ? value : fail(path, "true or false", value);

export interface NumberBounds {
  /** Inclusive lower bound. */
  min?: number;
  /** Exclusive lower bound (e.g. a sample rate must be > 0). */
  above?: number;
  /** Inclusive upper bound. */
  max?: number;
  integer?: boolean;
}

function boundsText(bounds: NumberBounds): string {
  const parts = [bounds.integer ? "an integer" : "a finite number"];
  if (bounds.above !== undefined) parts.push(`> ${bounds.above}`);
  if (bounds.min !== undefined) parts.push(`>= ${bounds.min}`);
  if (bounds.max !== undefined) parts.push(`<= ${bounds.max}`);
  return parts.join(" ");
}

function withinBounds(value: number, bounds: NumberBounds): boolean {
  return (
    Number.isFinite(value) &&
    (!bounds.integer || Number.isInteger(value)) &&
    (bounds.above === undefined || value > bounds.above) &&
    (bounds.min === undefined || value >= bounds.min) &&
    (bounds.max === undefined || value <= bounds.max)
  );
}

/** A finite number, optionally bounded. NaN and ±Infinity never pass. */
export function finiteNumber(bounds: NumberBounds = {}): Check<number> {
  const expected = boundsText(bounds);
  return (value, path) => (typeof value === "number" && withinBounds(value, bounds) ? value : fail(path, expected, value));
}

export function oneOf<T extends string>(choices: readonly T[]): Check<T> {
  const expected = `one of ${choices.map((c) => `"${c}"`).join(", ")}`;
  return (value, path) => (choices.includes(value as T) ? (value as T) : fail(path, expected, value));
}

export function optional<T>(check: Check<T>): Check<T | undefined> {
  return (value, path) => (value === undefined ? undefined : check(value, path));
}

export interface LengthBounds {
  minLength?: number;
  maxLength?: number;
}

function checkLength(length: number, bounds: LengthBounds, path: string, value: unknown): void {
  if (bounds.minLength !== undefined && length < bounds.minLength) {
    fail(path, `at least ${bounds.minLength} element${bounds.minLength === 1 ? "" : "s"}`, value);
  }
  if (bounds.maxLength !== undefined && length > bounds.maxLength) {
    fail(path, `at most ${bounds.maxLength} elements`, value);
  }
}

export function arrayOf<T>(check: Check<T>, bounds: LengthBounds = {}): Check<T[]> {
  return (value, path) => {
    if (!Array.isArray(value)) return fail(path, "an array", value);
    checkLength(value.length, bounds, path, value);
    return value.map((item, i) => check(item, `${path}[${i}]`));
  };
}

/**
 * An array of finite numbers: the hot path for sample blocks, so it checks in one
 * tight loop and returns the input itself, not a copy.
 */
export function numberArray(bounds: LengthBounds = {}): Check<number[]> {
  return (value, path) => {
    if (!Array.isArray(value)) return fail(path, "an array of numbers", value);
    checkLength(value.length, bounds, path, value);
    for (let i = 0; i < value.length; i++) {
      const x: unknown = value[i];
      if (typeof x !== "number" || !Number.isFinite(x)) fail(`${path}[${i}]`, "a finite number", x);
    }
    return value as number[];
  };
}

/** A record whose keys are free (e.g. feature names) and whose values pass one check. */
export function recordOf<T>(check: Check<T>, bounds: LengthBounds = {}): Check<Record<string, T>> {
  return (value, path) => {
    if (!isRecord(value)) return fail(path, "an object", value);
    const keys = Object.keys(value);
    checkLength(keys.length, bounds, path, `an object with ${keys.length} keys`);
    const out: Record<string, T> = {};
    for (const key of keys) out[key] = check(value[key], `${path}.${key}`);
    return out;
  };
}

type Shape = Record<string, Check<unknown>>;
type Checked<S extends Shape> = { [K in keyof S]: ReturnType<S[K]> };
type OptionalKeys<S extends Shape> = { [K in keyof S]: undefined extends ReturnType<S[K]> ? K : never }[keyof S];
/** The typed result of an object check: fields whose check may return undefined become optional. */
export type ObjectOf<S extends Shape> = Omit<Checked<S>, OptionalKeys<S>> & Partial<Pick<Checked<S>, OptionalKeys<S>>>;

/**
 * An object with known fields. Unknown extra fields are kept as they are (Node-RED
 * messages carry other properties through); optional fields that are absent stay absent.
 */
export function object<S extends Shape>(shape: S): Check<ObjectOf<S>> {
  return (value, path) => {
    if (!isRecord(value)) return fail(path, "an object", value);
    const out: Record<string, unknown> = { ...value };
    for (const key of Object.keys(shape)) {
      const checked = shape[key](value[key], `${path}.${key}`);
      if (checked !== undefined) out[key] = checked;
    }
    return out as ObjectOf<S>;
  };
}
