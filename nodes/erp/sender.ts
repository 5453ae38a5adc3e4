/**
 * Moves records from the outbox to the ERP: at most `concurrency` requests at a time, at
 * most one per asset (so each asset's records arrive in order), retries with backoff and
 * jitter, a pause for everyone when the ERP says 429/503 with Retry-After. No timers here:
 * `fill()` starts what is due and returns how long until something else falls due; the
 * node adapter sets the timer, and `settled` tells it when a request finished.
 */
import { setMaxListeners } from "node:events";
import { CreateRequest, CreateResult } from "./erp-client";
import { Outbox, OutboxRecord } from "./outbox";
import { referenceOf } from "./record";
import { BackoffPolicy, backoffDelayMs } from "./retry";

export interface SenderClock {
  now(): number;
  /** Uniform in [0, 1), for jitter. */
  random(): number;
}

export interface SenderEvents {
  sent(record: OutboxRecord, result: Extract<CreateResult, { outcome: "sent" }>): void;
  dead(record: OutboxRecord, status: number, error: string): void;
  retry(record: OutboxRecord, error: string, delayMs: number): void;
  /** A request finished: call fill() again. */
  settled(): void;
}

export interface SenderOptions {
  concurrency: number;
  backoff: BackoffPolicy;
  /** The payload field holding the reference, per record kind ("" = none, rely on headers). */
  refFieldOf(kind: string): string;
  /**
   * After an attempt that may have reached the ERP, wait at least this long before the look-up:
   * the ERP may still be working on the request we stopped waiting for (use the request timeout).
   */
  uncertainDelayMs: number;
}

export interface CreateClient {
  create(req: CreateRequest): Promise<CreateResult>;
}

export class OutboxSender {
  private readonly busy = new Set<string>();
  private readonly abort = new AbortController();
  private inFlight = 0;
  private holdUntil = 0;
  private stopped = false;
  private idleWaiters: Array<() => void> = [];

  constructor(
    private readonly outbox: Outbox,
    private readonly client: CreateClient,
    private readonly options: SenderOptions,
    private readonly events: SenderEvents,
    private readonly clock: SenderClock = { now: Date.now, random: Math.random },
  ) {
    // One abort listener per request in flight is expected, not a leak.
    setMaxListeners(options.concurrency + 10, this.abort.signal);
  }

  get sending(): number {
    return this.inFlight;
  }

  /** Start sending every record that is due, up to the concurrency. Returns ms until the next record falls due, or undefined. */
  fill(): number | undefined {
    if (this.stopped) return undefined;
    const now = this.clock.now();
    if (now < this.holdUntil) return this.holdUntil - now;
    const free = this.options.concurrency - this.inFlight;
    if (free > 0) for (const record of this.outbox.due(now, this.busy, free)) void this.send(record);
    if (this.inFlight >= this.options.concurrency) return undefined; // a completion calls settled()
    const next = this.outbox.nextDueAt(this.busy);
    return next === undefined ? undefined : Math.max(next - now, 0);
  }

  /** Stop starting requests and abort those in flight; resolves when all have returned. */
  stop(): Promise<void> {
    this.stopped = true;
    this.abort.abort();
    return this.inFlight === 0 ? Promise.resolve() : new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private async send(record: OutboxRecord): Promise<void> {
    this.busy.add(record.asset);
    this.inFlight++;
    try {
      const mayExist = record.uncertain;
      this.outbox.markAttempt(record);
      const result = await this.client.create({
        path: record.path,
        body: record.body,
        ref: referenceOf(record.key),
        refField: this.options.refFieldOf(record.kind),
        mayExist,
        signal: this.abort.signal,
      });
      // Stopped while the request was out: the outbox may be closed; the record stays pending.
      if (this.stopped) return;
      this.record(record, result);
    } finally {
      this.busy.delete(record.asset);
      this.inFlight--;
      if (this.stopped) {
        if (this.inFlight === 0) this.idleWaiters.splice(0).forEach((resolve) => resolve());
      } else {
        this.events.settled();
      }
    }
  }

  private record(record: OutboxRecord, result: CreateResult): void {
    const now = this.clock.now();
    if (result.outcome === "sent") {
      this.outbox.markSent(record, result.erpId, now);
      this.events.sent(record, result);
    } else if (result.outcome === "reject") {
      this.outbox.markDead(record, result.status, result.error, now);
      this.events.dead(record, result.status, result.error);
    } else {
      const backoff = backoffDelayMs(record.attempts, this.options.backoff, this.clock.random());
      const delay = Math.max(backoff, result.retryAfterMs ?? 0, result.maybeCreated ? this.options.uncertainDelayMs : 0);
      // 429 and 503 with Retry-After are about the whole service, not this record: everyone waits.
      if (result.retryAfterMs !== undefined && (result.status === 429 || result.status === 503)) {
        this.holdUntil = Math.max(this.holdUntil, now + result.retryAfterMs);
      }
      this.outbox.markRetry(record, now + delay, result.error, result.maybeCreated);
      this.events.retry(record, result.error, delay);
    }
  }
}
