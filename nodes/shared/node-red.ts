/**
 * The few things every pdm node adapter does the same way: one input handler that turns
 * every throw into a red status and done(err) (so Catch nodes see it), status helpers,
 * config-node lookup and the node's data folder in the userDir.
 * Only type imports from node-red: the runtime hands us RED.
 */
import type { Node, NodeAPI, NodeMessage, NodeMessageInFlow } from "node-red";
import * as fs from "node:fs";
import * as path from "node:path";

export type { Node, NodeAPI, NodeDef, NodeMessage, NodeMessageInFlow } from "node-red";

export type Send = (msg: NodeMessage | Array<NodeMessage | NodeMessage[] | null>) => void;
export type InputHandler = (msg: NodeMessageInFlow, send: Send) => void | Promise<void>;

/** Status texts stay short: the editor shows them under the node. */
const MAX_STATUS_CHARS = 32;

function short(text: string): string {
  return text.length > MAX_STATUS_CHARS ? `${text.slice(0, MAX_STATUS_CHARS - 1)}…` : text;
}

/** Node status by meaning, so every node uses the same colours for the same states. */
export const status = {
  /** Working normally (green dot). */
  ok: (node: Node, text: string) => node.status({ fill: "green", shape: "dot", text: short(text) }),
  /** Busy with something that takes time: learning, solving, replaying (blue ring). */
  busy: (node: Node, text: string) => node.status({ fill: "blue", shape: "ring", text: short(text) }),
  /** Needs attention but works: alarm raised, link down and buffering (yellow dot). */
  warn: (node: Node, text: string) => node.status({ fill: "yellow", shape: "dot", text: short(text) }),
  /** Failed: bad config, bad input, peer unreachable (red ring). */
  error: (node: Node, text: string) => node.status({ fill: "red", shape: "ring", text: short(text) }),
  /** Idle or stopped (grey ring). */
  idle: (node: Node, text: string) => node.status({ fill: "grey", shape: "ring", text: short(text) }),
  clear: (node: Node) => node.status({}),
};

export function errorOf(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err));
}

/**
 * Register the node's input handler. The handler sends what it has to; when it returns
 * (or its promise resolves) the message is done; when it throws (or rejects) the node
 * shows a red status and calls done(err), which reaches Catch nodes with the message.
 */
export function onInput(node: Node, handler: InputHandler): void {
  node.on("input", (msg, send, done) => {
    const fail = (err: unknown) => {
      const error = errorOf(err);
      status.error(node, error.message);
      done(error);
    };
    try {
      const result = handler(msg, send);
      if (result instanceof Promise) result.then(() => done(), fail);
      else done();
    } catch (err) {
      fail(err);
    }
  });
}

/**
 * The config node a processing node refers to, or an Error naming the missing setting.
 * `what` is the editor label, e.g. "asset".
 */
export function configNode<T extends Node>(RED: NodeAPI, id: unknown, what: string): T {
  const node = typeof id === "string" && id ? (RED.nodes.getNode(id) as T | null) : null;
  if (!node) throw new Error(`no ${what} configured: open the node and choose one`);
  return node;
}

/**
 * A folder for this node type's persistent files (baselines, outboxes, audit logs) in the
 * Node-RED userDir: `<userDir>/pdm/<area>`. Created on first use.
 */
export function userDataDir(RED: NodeAPI, area: string): string {
  const userDir = (RED.settings as { userDir?: string }).userDir ?? process.cwd();
  const dir = path.join(userDir, "pdm", area);
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}
