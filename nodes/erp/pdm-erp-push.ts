/**
 * pdm-erp-push: maintenance notifications, work orders, inspection results and OEE reports
 * into the ERP, through a durable outbox. A message is done once its record is on disk;
 * sending happens after, in order per asset, with retries, and survives a restart.
 * Output 1: each record the ERP accepted; output 2: each record it rejected (dead letter).
 */
import * as path from "node:path";
import { Node, NodeAPI, NodeDef, NodeMessage, onInput, status, userDataDir } from "../shared/node-red";
import { finiteNumber, oneOf } from "../shared/validate";
import { ErpClient } from "./erp-client";
import { DEFAULT_TARGETS, Mapping, Target } from "./mapping";
import { Durability, NewRecord, Outbox, OutboxRecord } from "./outbox";
import { erpClientFromConfig } from "./pdm-erp-connection";
import { RECORD_KINDS, RecordKind, classify, referenceOf } from "./record";
import { DEFAULT_BACKOFF } from "./retry";
import { OutboxSender } from "./sender";

interface PushConfig extends NodeDef {
  connection: string;
  concurrency?: string | number;
  retryBaseS?: string | number;
  retryMaxS?: string | number;
  durability?: string;
  /** Per kind: entity path, JSONata mapping and reference field; empty = the system's default. */
  notificationPath?: string;
  notificationMapping?: string;
  notificationRefField?: string;
  workOrderPath?: string;
  workOrderMapping?: string;
  workOrderRefField?: string;
  inspectionPath?: string;
  inspectionMapping?: string;
  inspectionRefField?: string;
  oeePath?: string;
  oeeMapping?: string;
  oeeRefField?: string;
}

/** Sent keys are remembered this long, so a message repeated within it is not sent again. */
const SENT_RETENTION_MS = 30 * 24 * 3_600_000;
/** Status text is refreshed at most this often: counting rows on every record would cost more than sending. */
const STATUS_INTERVAL_MS = 500;

function number(value: unknown, fallback: number, field: string, bounds: { min?: number; above?: number; integer?: boolean }): number {
  return value === undefined || value === "" ? fallback : finiteNumber(bounds)(Number(value), field);
}

function targetsOf(config: PushConfig, client: ErpClient): Record<RecordKind, Target & { mapping: Mapping }> {
  const defaults = DEFAULT_TARGETS[client.options.system];
  const text = (value: unknown) => (typeof value === "string" && value.trim() ? value.trim() : undefined);
  const entries = RECORD_KINDS.map((kind) => {
    const raw = config as unknown as Record<string, unknown>;
    const target: Target = {
      path: text(raw[`${kind}Path`]) ?? defaults[kind].path,
      expression: text(raw[`${kind}Mapping`]) ?? defaults[kind].expression,
      // "-" switches the look-up off for an entity without a reference field.
      refField: text(raw[`${kind}RefField`]) === "-" ? "" : (text(raw[`${kind}RefField`]) ?? defaults[kind].refField),
    };
    return [kind, { ...target, mapping: new Mapping(target.expression) }] as const;
  });
  return Object.fromEntries(entries) as Record<RecordKind, Target & { mapping: Mapping }>;
}

export default function register(RED: NodeAPI): void {
  function PdmErpPushNode(this: Node, config: PushConfig) {
    RED.nodes.createNode(this, config);
    const node = this;
    let outbox: Outbox | undefined;
    let sender: OutboxSender | undefined;
    let targets: ReturnType<typeof targetsOf> | undefined;
    let startError: Error | undefined;
    let timer: NodeJS.Timeout | undefined;
    let statusTimer: NodeJS.Timeout | undefined;
    let lastError = "";

    const showStatus = () => {
      statusTimer = undefined;
      if (!outbox) return;
      const { pending, sent, dead } = outbox.counts();
      const text = `${sent} sent, ${pending} queued${dead ? `, ${dead} rejected` : ""}`;
      if (lastError && pending > 0) status.warn(node, `${pending} queued: ${lastError}`);
      else if (dead > 0) status.warn(node, text);
      else status.ok(node, text);
    };
    const scheduleStatus = () => (statusTimer ??= setTimeout(showStatus, STATUS_INTERVAL_MS));

    /** Start what is due and wake up when the next record falls due. */
    const pump = () => {
      if (!sender) return;
      clearTimeout(timer);
      const wait = sender.fill();
      timer = wait === undefined ? undefined : setTimeout(pump, Math.max(wait, 1));
    };

    try {
      const client = erpClientFromConfig(RED, config.connection);
      targets = targetsOf(config, client);
      const concurrency = number(config.concurrency, 4, "concurrency", { min: 1, integer: true });
      const backoff = {
        baseMs: number(config.retryBaseS, DEFAULT_BACKOFF.baseMs / 1000, "retryBaseS", { above: 0 }) * 1000,
        maxMs: number(config.retryMaxS, DEFAULT_BACKOFF.maxMs / 1000, "retryMaxS", { above: 0 }) * 1000,
      };
      const durability: Durability = oneOf(["power-loss", "process"] as const)(config.durability || "power-loss", "durability");
      outbox = new Outbox(path.join(userDataDir(RED, "erp"), `outbox-${node.id.replace(/[^A-Za-z0-9_.-]/g, "_")}.sqlite`), durability);
      outbox.pruneSent(Date.now() - SENT_RETENTION_MS);
      const knownTargets = targets;
      const toMessage = (record: OutboxRecord, payload: Record<string, unknown>): NodeMessage => ({
        topic: `${record.kind}/${record.asset}`,
        payload: { key: record.key, ref: referenceOf(record.key), kind: record.kind, asset: record.asset, attempts: record.attempts, ...payload },
      });
      sender = new OutboxSender(
        outbox,
        client,
        { concurrency, backoff, refFieldOf: (kind) => knownTargets[kind as RecordKind]?.refField ?? "", uncertainDelayMs: client.options.timeoutMs },
        {
          sent: (record, result) => {
            lastError = "";
            node.send([toMessage(record, { status: result.status, ...(result.erpId ? { erpId: result.erpId } : {}), ...(result.found ? { found: true } : {}) }), null]);
            scheduleStatus();
          },
          dead: (record, statusCode, error) => {
            node.send([null, toMessage(record, { status: statusCode, error, body: record.body })]);
            scheduleStatus();
          },
          retry: (_record, error) => {
            lastError = error;
            scheduleStatus();
          },
          settled: pump,
        },
      );
      showStatus();
      pump();
    } catch (err) {
      startError = err instanceof Error ? err : new Error(String(err));
      node.error(`pdm-erp-push: ${startError.message}`);
      status.error(node, startError.message);
    }

    /** Records mapped in the same turn of the event loop are written in one transaction. */
    let batch: Array<{ record: NewRecord; resolve: (r: "queued" | "duplicate") => void; reject: (e: Error) => void }> = [];
    const flush = () => {
      const items = batch;
      batch = [];
      try {
        const results = outbox!.addAll(items.map((i) => i.record), Date.now());
        items.forEach((item, i) => item.resolve(results[i]));
      } catch (err) {
        items.forEach((item) => item.reject(err instanceof Error ? err : new Error(String(err))));
      }
      scheduleStatus();
      pump();
    };
    const enqueue = (record: NewRecord) =>
      new Promise<"queued" | "duplicate">((resolve, reject) => {
        if (batch.length === 0) setImmediate(flush);
        batch.push({ record, resolve, reject });
      });

    onInput(node, async (msg) => {
      if (!outbox || !targets) throw startError ?? new Error("not started");
      const classified = classify(msg.payload, (msg as { idempotencyKey?: unknown }).idempotencyKey);
      const target = targets[classified.kind];
      const body = await target.mapping.apply(classified);
      await enqueue({ key: classified.key, asset: classified.asset, kind: classified.kind, path: target.path, body });
    });

    node.on("close", (_removed: boolean, done: () => void) => {
      clearTimeout(timer);
      clearTimeout(statusTimer);
      const stopping = sender?.stop() ?? Promise.resolve();
      void stopping.then(() => {
        if (batch.length > 0) flush();
        outbox?.close();
        done();
      });
    });
  }
  RED.nodes.registerType("pdm-erp-push", PdmErpPushNode);
}
