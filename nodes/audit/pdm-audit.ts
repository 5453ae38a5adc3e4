/**
 * pdm-audit: appends events (maintenance, calibration, quality, configuration changes,
 * production batches, alarms ...) to a tamper-evident log in the userDir, acknowledges
 * each once it is on disk, and at an interval sends a signed checkpoint to keep elsewhere.
 * Messages arriving together are committed in one transaction (one fsync).
 */
import { EventEmitter } from "node:events";
import type { AuditRecord } from "../shared/contract";
import { Node, NodeAPI, NodeDef, NodeMessage, NodeMessageInFlow, Send, errorOf, onInput, status, userDataDir } from "../shared/node-red";
import { Checkpoint, keyId, publicKeyHex, signCheckpoint } from "./checkpoint";
import { DeployRequest, FlowsStartedInfo, IncomingEvent, deployEvent, eventFromMessage, withDetailReference } from "./events";
import { SigningKey, checkLogName, detailDir, keyFile, loadSigningKey, logFile, storeDetail } from "./log-files";
import { AuditEvent, AuditLog } from "./store";

interface AuditConfig extends NodeDef {
  log: string;
  eventType: string;
  actor: string;
  checkpointMinutes: string | number;
  recordDeploys: boolean;
}

/** Credentials as the runtime hands them over: unknown until read. */
interface AuditCredentials {
  privateKey: unknown;
}

/** A checkpoint as sent on the second output: with the public key, so a copy can be checked on its own. */
export type SentCheckpoint = Checkpoint & { publicKey: string };

interface Pending {
  incoming: IncomingEvent;
  msg: NodeMessageInFlow;
  send: Send;
  resolve: () => void;
  reject: (err: Error) => void;
}

/**
 * Who asked for the latest deploy: Node-RED writes a "flows.set" entry to its audit log
 * (with the user when adminAuth is on) just before it stops and restarts flows; the
 * 'flows:started' event that follows does not say who. One listener for the runtime.
 */
let lastDeployRequest: DeployRequest | undefined;
let deployRequestHandler: EventEmitter | undefined;

/** (Re)install the one listener for deploy requests: a runtime (re)loading the node module must not end up with two. */
function listenForDeployRequests(RED: NodeAPI): void {
  const log = RED.log as unknown as { addHandler?: (handler: EventEmitter) => void; removeHandler?: (handler: EventEmitter) => void };
  if (typeof log.addHandler !== "function") return;
  if (deployRequestHandler) log.removeHandler?.(deployRequestHandler);
  const handler = new EventEmitter();
  handler.on("log", (entry: { event?: string; user?: { username?: string }; ip?: string }) => {
    if (entry.event === "flows.set") lastDeployRequest = { user: entry.user?.username, ip: entry.ip };
  });
  log.addHandler(handler);
  deployRequestHandler = handler;
}

export default function register(RED: NodeAPI): void {
  listenForDeployRequests(RED);

  function PdmAuditNode(this: Node<AuditCredentials>, config: AuditConfig) {
    RED.nodes.createNode(this, config);
    const node = this;
    const defaults = { type: config.eventType?.trim() || "event", actor: config.actor?.trim() || "node-red" };
    const checkpointMinutes = Number(config.checkpointMinutes ?? 60);
    let logName = "";
    let log: AuditLog | undefined;
    let signing: SigningKey | undefined;
    let details = "";
    let openError: Error | undefined;
    try {
      logName = checkLogName(config.log?.trim() || "plant");
      if (!(checkpointMinutes >= 0 && Number.isFinite(checkpointMinutes))) throw new Error(`checkpoint interval: expected minutes >= 0, got ${config.checkpointMinutes}`);
      const dir = userDataDir(RED, "audit");
      const credential = node.credentials?.privateKey;
      signing = loadSigningKey(typeof credential === "string" ? credential : undefined, keyFile(dir, logName));
      log = new AuditLog(logFile(dir, logName));
      log.addPublicKey(publicKeyHex(signing.key), keyId(signing.key));
      details = detailDir(dir, logName);
      if (signing.source === "generated") node.warn(`pdm-audit: generated a signing key in ${keyFile(dir, logName)} (mode 0600); keep a copy of its public key ${publicKeyHex(signing.key)} where the log cannot be changed`);
      status.idle(node, `${log.size} records`);
    } catch (err) {
      openError = errorOf(err);
      node.error(`pdm-audit: ${openError.message}`);
      status.error(node, openError.message);
    }
    let checkpointedSize = log?.latestCheckpoint()?.treeSize ?? 0;

    const safely = (action: () => void) => {
      try {
        action();
      } catch (err) {
        node.error(`pdm-audit: ${errorOf(err).message}`);
        status.error(node, errorOf(err).message);
      }
    };

    /** Sign the log's head when it grew since the last checkpoint (or `always`) and keep it in the log. */
    const checkpoint = (always: boolean): SentCheckpoint | undefined => {
      if (!log || !signing) return undefined;
      const head = log.head();
      if (!always && head.treeSize === checkpointedSize) return undefined;
      const signed = signCheckpoint({ log: logName, ...head, ts: Date.now() }, signing.key);
      log.saveCheckpoint(signed);
      checkpointedSize = head.treeSize;
      return { ...signed, publicKey: publicKeyHex(signing.key) };
    };
    const checkpointMessage = (sent: SentCheckpoint): NodeMessage => ({ topic: `pdm/audit/${logName}/checkpoint`, payload: sent });

    // Group commit: every message that arrives before the next turn of the event loop goes
    // into one transaction, so a burst costs one fsync, and each is acknowledged after it.
    let queue: Pending[] = [];
    const flush = () => {
      const batch = queue;
      queue = [];
      const accepted: Array<{ pending: Pending; event: AuditEvent }> = [];
      const now = Date.now();
      for (const pending of batch) {
        try {
          let event = pending.incoming.event;
          const detail = pending.incoming.detail;
          if (detail) event = withDetailReference(event, storeDetail(details, detail.value, detail.mediaType));
          accepted.push({ pending, event: { ...event, ts: now } });
        } catch (err) {
          pending.reject(errorOf(err));
        }
      }
      if (accepted.length === 0 || !log) return;
      let records: AuditRecord[];
      try {
        records = log.append(accepted.map((a) => a.event));
      } catch (err) {
        for (const { pending } of accepted) pending.reject(errorOf(err));
        return;
      }
      accepted.forEach(({ pending }, i) => {
        pending.msg.payload = records[i];
        pending.send([pending.msg, null]);
        pending.resolve();
      });
      const last = records[records.length - 1];
      status.ok(node, `#${last.seq} ${last.type}`);
    };

    const enqueue = (incoming: IncomingEvent, msg: NodeMessageInFlow, send: Send): Promise<void> =>
      new Promise((resolve, reject) => {
        if (queue.length === 0) setImmediate(flush);
        queue.push({ incoming, msg, send, resolve, reject });
      });

    onInput(node, (msg, send) => {
      if (!log) throw openError ?? new Error("the audit log is not open");
      if (msg.payload === "checkpoint") {
        send([null, checkpointMessage(checkpoint(true) as SentCheckpoint)]);
        return;
      }
      const fields = msg as NodeMessageInFlow & { actor?: unknown; detail?: unknown; detailType?: unknown };
      return enqueue(eventFromMessage(fields, defaults), msg, send);
    });

    const timer =
      log && checkpointMinutes > 0
        ? setInterval(
            () =>
              safely(() => {
                const sent = checkpoint(false);
                if (sent) node.send([null, checkpointMessage(sent)]);
              }),
            checkpointMinutes * 60_000,
          )
        : undefined;

    const onFlowsStarted = (info: FlowsStartedInfo) =>
      safely(() => {
        if (!log) return;
        // At start there is no diff and no request; every deploy through the admin API has both.
        const request = info.diff ? lastDeployRequest : undefined;
        const [record] = log.append([{ ...deployEvent(info, request, "node-red runtime"), ts: Date.now() }]);
        node.send([{ payload: record } as NodeMessage, null]);
        status.ok(node, `#${record.seq} ${record.type}`);
      });
    if (config.recordDeploys && log) RED.events.on("flows:started", onFlowsStarted);

    node.on("close", (_removed: boolean, done: () => void) => {
      clearInterval(timer);
      RED.events.removeListener("flows:started", onFlowsStarted);
      if (queue.length > 0) flush();
      // A last checkpoint on stop, so the records since the previous one are covered (kept, not sent: the flows are stopping).
      safely(() => checkpoint(false));
      log?.close();
      done();
    });
  }

  RED.nodes.registerType("pdm-audit", PdmAuditNode, { credentials: { privateKey: { type: "password" } } });
}
