/**
 * pdm-buffer: store-and-forward. While the downstream side is unavailable (a link-down
 * signal, or a failure reported back by a Catch node) messages go in order to a SQLite file
 * in the userDir; when the link returns they are replayed in order, also after a restart.
 * With confirmation on, a message passed on is kept until a Complete node on the downstream
 * node confirms it, and stored again if the link goes down first.
 * The queue itself is in ./outbox.
 */
import * as path from "node:path";
import type { NodeMessage } from "node-red";
import { NodeAPI, NodeDef, Node, Send, errorOf, onInput, status, userDataDir } from "../shared/node-red";
import { isRecord } from "../shared/validate";
import { linkSignal } from "./link";
import { statusThrottle } from "./status-throttle";
import { FULL_POLICIES, FullPolicy, Outbox, serializeMessage } from "./outbox";

interface BufferConfig extends NodeDef {
  maxMessages: string | number;
  policy: string;
  startUp: boolean;
  watchFailures: boolean;
  retryS: string | number;
  confirm?: boolean;
}

/** Messages replayed per turn of the event loop: new input and other nodes get their turn in between. */
const REPLAY_BATCH = 500;

/** What pdm-buffer adds to messages it passes on when it watches for failures or waits for confirmations. */
interface BufferTag {
  from: string;
  /** Pass-on counter: failed messages are replayed in this order. */
  n: number;
  /** Set on a probe: the stored sequence number of the message sent to test the link. */
  probe?: number;
}

export default function register(RED: NodeAPI): void {
  function PdmBufferNode(this: Node, config: BufferConfig) {
    RED.nodes.createNode(this, config);
    const node = this;
    const retryS = Number(config.retryS);
    const retryMs = (retryS > 0 ? retryS : 10) * 1000;
    const maxMessages = Number(config.maxMessages || 100_000);
    let outbox: Outbox | undefined;
    let openError: Error | undefined;
    try {
      const policy = (FULL_POLICIES as readonly string[]).includes(config.policy) ? (config.policy as FullPolicy) : undefined;
      if (!policy) throw new Error(`when full: expected one of ${FULL_POLICIES.join(", ")}, got ${JSON.stringify(config.policy)}`);
      outbox = new Outbox({
        file: path.join(userDataDir(RED, "ingest"), `buffer-${node.id.replace(/[^\w.-]/g, "_")}.sqlite`),
        maxMessages,
        policy,
      });
    } catch (err) {
      openError = errorOf(err);
      node.error(`pdm-buffer: ${openError.message}`);
      status.error(node, openError.message);
    }

    let linkUp = config.startUp !== false;
    /** Staged messages are written at the end of this turn of the event loop, or earlier when many. */
    let flushTimer: NodeJS.Immediate | undefined;
    let passed = 0;
    let replayTimer: NodeJS.Immediate | undefined;
    let retryTimer: NodeJS.Timeout | undefined;
    let probeSeq: number | undefined;
    /**
     * With confirmation: messages passed on and not yet confirmed, by pass-on counter, as JSON
     * taken before sending (the downstream node may change the message, e.g. MQTT out turns
     * the payload into text).
     */
    const unconfirmed = new Map<number, string>();
    let warnedUnconfirmed = false;
    const state = statusThrottle(() => {
      if (!outbox) return;
      const dropped = outbox.dropped ? `, ${outbox.dropped} dropped` : "";
      if (linkUp && waiting() === 0) status.ok(node, `link up, ${passed} passed${dropped}`);
      else if (linkUp) status.busy(node, `replaying ${waiting()}${dropped}`);
      else status.warn(node, `link down, ${waiting()} stored${dropped}`);
    });

    const waiting = () => outbox?.size ?? 0;

    /** The end-of-turn write runs outside any input handler: report a failure (disk full…) instead of throwing. */
    const flushLater = () => {
      flushTimer = undefined;
      try {
        outbox?.flush();
      } catch (err) {
        const error = errorOf(err);
        node.error(`pdm-buffer: could not store messages: ${error.message}`);
        status.error(node, error.message);
      }
    };

    /**
     * Queue a message behind the waiting ones. It is serialized now, so a message that cannot
     * be stored is this message's error; with the reject policy it is refused now if it would not fit.
     */
    const store = (msg: object) => {
      if (!outbox) return;
      if (outbox.stage(serializeMessage(msg))) outbox.flush();
      else if (!flushTimer) flushTimer = setImmediate(flushLater);
    };

    const tagged = (msg: Record<string, unknown>, probe?: number): NodeMessage => {
      if (!config.watchFailures && !config.confirm) return msg as NodeMessage;
      const tag: BufferTag = { from: node.id, n: passed, ...(probe !== undefined ? { probe } : {}) };
      return { ...msg, pdmBuffer: tag } as NodeMessage;
    };

    /**
     * Pass a message on. With confirmation a copy is kept until it is confirmed; a message
     * that cannot be stored is this message's error before anything is sent.
     */
    const passOn = (msg: Record<string, unknown>, send: (msg: NodeMessage) => void) => {
      const copy = config.confirm ? serializeMessage(msg) : undefined;
      passed++;
      if (copy !== undefined) {
        unconfirmed.set(passed, copy);
        if (unconfirmed.size > maxMessages) {
          // Bounded like the queue: without confirmations (no Complete node wired back?) the oldest copy goes.
          unconfirmed.delete(unconfirmed.keys().next().value as number);
          if (!warnedUnconfirmed) node.warn(`pdm-buffer: more than ${maxMessages} messages passed on without confirmation: wire a Complete node on the downstream node back into this node`);
          warnedUnconfirmed = true;
        }
      }
      send(tagged(msg));
    };

    /**
     * The link went down (or the node closes): messages passed on but not confirmed may be
     * lost downstream, e.g. MQTT out drops what reaches it while disconnected. They go back
     * to the head of the queue in the order they were passed on; some may arrive twice.
     */
    const requeueUnconfirmed = () => {
      for (const [n, json] of unconfirmed) outbox?.requeue(JSON.parse(json) as object, n);
      unconfirmed.clear();
    };

    /** Replay stored messages in order, a batch per turn, while the link is up. */
    const replay = () => {
      replayTimer = undefined;
      if (!outbox || !linkUp) return;
      const batch = outbox.peek(REPLAY_BATCH);
      if (batch.length > 0) {
        for (const stored of batch) passOn(stored.msg, (msg) => node.send(msg));
        outbox.remove(batch[batch.length - 1].seq);
      }
      if (waiting() > 0) replayTimer = setImmediate(replay);
      else outbox.endOutage();
      if (waiting() === 0) state.now();
      else state.update();
    };

    const setLink = (up: boolean) => {
      if (up === linkUp) return;
      linkUp = up;
      if (!up) requeueUnconfirmed();
      clearTimeout(retryTimer);
      retryTimer = undefined;
      probeSeq = undefined;
      if (up && !replayTimer) replayTimer = setImmediate(replay);
      state.now();
    };

    /** After a failure: send the oldest stored message alone; if no failure comes back, the link is up again. */
    const probe = () => {
      retryTimer = undefined;
      if (!outbox || linkUp) return;
      const [head] = outbox.peek(1);
      if (!head) return setLink(true);
      probeSeq = head.seq;
      node.send(tagged(head.msg, head.seq));
      retryTimer = setTimeout(() => probeSucceeded(head.seq), retryMs);
    };

    const probeSucceeded = (seq: number) => {
      if (!outbox || probeSeq !== seq) return;
      outbox.remove(seq);
      setLink(true);
    };

    const failedDownstream = (msg: Record<string, unknown>, tag: BufferTag) => {
      if (!outbox) return;
      if (tag.probe !== undefined && tag.probe === probeSeq) {
        // The probe failed again: it is still stored; try later.
        clearTimeout(retryTimer);
        probeSeq = undefined;
        retryTimer = setTimeout(probe, retryMs);
        return;
      }
      // A message passed on failed (or a probe's failure came after it was taken as delivered): store it again.
      if (tag.probe === undefined) unconfirmed.delete(tag.n);
      const original: Record<string, unknown> = { ...msg };
      delete original.error;
      delete original.pdmBuffer;
      outbox.requeue(original, tag.n);
      if (linkUp) {
        setLink(false);
        retryTimer = setTimeout(probe, retryMs);
      }
      const error = isRecord(msg.error) && typeof msg.error.message === "string" ? msg.error.message : "an error";
      status.warn(node, `output failed: ${error}`);
    };

    onInput(node, (msg: Record<string, unknown>, send: Send) => {
      if (!outbox) throw openError ?? new Error("buffer not open");
      const tag = msg.pdmBuffer;
      if (isRecord(tag) && tag.from === node.id) {
        // A message this node passed on, reported back by a Catch (error) or Complete node.
        if (msg.error !== undefined) failedDownstream(msg, tag as unknown as BufferTag);
        else if (typeof tag.probe === "number") probeSucceeded(tag.probe);
        else if (typeof tag.n === "number") unconfirmed.delete(tag.n);
        return;
      }
      const up = linkSignal(msg);
      if (up !== undefined) return setLink(up);
      if (linkUp && waiting() === 0) {
        passOn(msg, send);
      } else {
        store(msg);
      }
      state.update();
    });

    node.on("close", (_removed: boolean, done: () => void) => {
      if (replayTimer) clearImmediate(replayTimer);
      clearTimeout(retryTimer);
      if (flushTimer) clearImmediate(flushTimer);
      state.stop();
      try {
        requeueUnconfirmed();
        outbox?.close();
      } catch (err) {
        node.error(`pdm-buffer: could not store messages on close: ${errorOf(err).message}`);
      }
      done();
    });

    if (outbox) {
      state.now();
      if (linkUp && outbox.size > 0) replayTimer = setImmediate(replay);
    }
  }
  RED.nodes.registerType("pdm-buffer", PdmBufferNode);
}
