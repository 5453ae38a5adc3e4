/**
 * When to try a record again, and whether to try at all: the retry policy of the outbox.
 * Pure functions; the caller supplies the random number so tests can pin it.
 */

export interface BackoffPolicy {
  /** Delay before the first retry, ms. */
  baseMs: number;
  /** Upper bound of any computed delay, ms (Retry-After from the server may ask for more). */
  maxMs: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 1_000, maxMs: 5 * 60_000 };

/** The longest Retry-After we obey; a server asking for more gets this (a day would stall the plant's records). */
export const MAX_RETRY_AFTER_MS = 60 * 60_000;

/**
 * Exponential backoff with "full jitter" (AWS Architecture Blog, 2015): a uniformly random
 * delay in [cap/2, cap], cap = min(max, base * 2^(attempt-1)). Half the cap is kept so a
 * flapping server is not hammered by retries that drew a delay near zero.
 */
export function backoffDelayMs(attempt: number, policy: BackoffPolicy, random: number): number {
  const exponent = Math.min(Math.max(attempt - 1, 0), 30);
  const cap = Math.min(policy.maxMs, policy.baseMs * 2 ** exponent);
  return Math.round(cap / 2 + (cap / 2) * random);
}

/**
 * An HTTP Retry-After header in ms: either delta-seconds or an HTTP date (RFC 9110 §10.2.3).
 * undefined when absent or unreadable.
 */
export function parseRetryAfter(value: string | undefined, nowMs: number): number | undefined {
  if (value === undefined || value.trim() === "") return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Math.min(Number(text) * 1000, MAX_RETRY_AFTER_MS);
  const date = Date.parse(text);
  if (Number.isNaN(date)) return undefined;
  return Math.min(Math.max(date - nowMs, 0), MAX_RETRY_AFTER_MS);
}

/** What to do with a record after one HTTP answer. */
export type Verdict = "sent" | "retry" | "reject";

/**
 * 2xx: done. 408, 425, 429 and 5xx: the server is busy or broken, try again later.
 * 401 and 407: the credentials, not the record, are wrong (or a token expired twice in a row):
 * try again later rather than dead-letter every record of the plant because of a password.
 * Every other status (400, 403, 404, 409, 422 …) is the ERP saying no to this record: dead letter.
 */
export function verdictOf(status: number): Verdict {
  if (status >= 200 && status < 300) return "sent";
  if (status >= 500 || [401, 407, 408, 425, 429].includes(status)) return "retry";
  return "reject";
}
