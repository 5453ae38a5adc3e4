/**
 * Watching a loaded flow: the messages arriving at a helper node, waits for one that
 * matches, and the errors the runtime logged. Waits fail loudly with what did come.
 */
import type { Node, NodeMessage } from "node-red";
import { helper } from "./runtime";

export interface Collected {
  node: Node;
  /** Every message that arrived since messagesAt() was called, oldest first. */
  messages: NodeMessage[];
}

export function messagesAt(id: string): Collected {
  const node = helper.getNode(id);
  const messages: NodeMessage[] = [];
  node.on("input", (msg: NodeMessage) => messages.push(msg));
  return { node, messages };
}

/** The first message, already received or yet to come, for which `test` holds. */
export function waitFor(at: Collected, test: (msg: NodeMessage) => boolean, timeoutMs: number): Promise<NodeMessage> {
  const found = at.messages.find(test);
  if (found) return Promise.resolve(found);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no matching message at ${at.node.id} in ${timeoutMs} ms (${at.messages.length} others)`)), timeoutMs);
    at.node.on("input", (msg: NodeMessage) => {
      if (test(msg)) {
        clearTimeout(timer);
        resolve(msg);
      }
    });
  });
}

/** Resolves when `count` messages have arrived in all. */
export async function waitForCount(at: Collected, count: number, timeoutMs: number): Promise<NodeMessage[]> {
  if (at.messages.length < count) await waitFor(at, () => at.messages.length >= count, timeoutMs);
  return at.messages.slice(0, count);
}

/** Errors the runtime logged (level ERROR or FATAL) since the flow was loaded. */
export function errorLogs(): string[] {
  const spy = (helper as unknown as { log(): { args: Array<[{ level: number; msg: unknown }]> } }).log();
  return spy.args.filter(([entry]) => entry.level <= 20).map(([entry]) => String(entry.msg));
}

/**
 * Errors logged while the flow started. Some nodes report theirs a moment after the load
 * (a function node compiles its code after its constructor), hence the wait.
 */
export async function deployErrors(settleMs = 1000): Promise<string[]> {
  await new Promise((resolve) => setTimeout(resolve, settleMs));
  return errorLogs();
}
