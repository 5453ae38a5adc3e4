/**
 * node-red-node-test-helper, typed for our tests, with the runtime of the node-red
 * devDependency, and small waits that fail loudly when an expected message never comes.
 */
import * as os from "node:os";
import * as fs from "node:fs";
import * as path from "node:path";
import type { Node, NodeMessage } from "node-red";
// eslint-disable-next-line @typescript-eslint/no-require-imports
const helperModule = require("node-red-node-test-helper") as TestHelper;

export type NodeModule = (RED: unknown) => void;
export type FlowNode = Record<string, unknown> & { id: string; type: string };

export interface TestHelper {
  init(runtimePath: string, settings?: Record<string, unknown>): void;
  settings(settings: Record<string, unknown>): Record<string, unknown>;
  load(nodes: NodeModule | NodeModule[], flow: FlowNode[], credentials?: Record<string, unknown>): Promise<void>;
  unload(): Promise<void>;
  getNode(id: string): Node;
}

/** A fresh userDir per test run, so persisted state of one run never leaks into another. */
export const testUserDir = fs.mkdtempSync(path.join(os.tmpdir(), "pdm-test-userdir-"));
process.on("exit", () => fs.rmSync(testUserDir, { recursive: true, force: true }));

export const helper = helperModule;
helper.init(require.resolve("node-red"), { userDir: testUserDir });

/** Node modules as the runtime sees them (the compiled default export). */
export function nodeModule(file: string): NodeModule {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const loaded = require(file) as { default: NodeModule };
  return loaded.default;
}

/**
 * Put test nodes on one flow tab: Catch and Complete nodes only see nodes of their own
 * tab, so a flow without `z` would never report done(err) or done().
 */
export function onTab(nodes: FlowNode[]): FlowNode[] {
  return [{ id: "tab", type: "tab", label: "test" }, ...nodes.map((node) => ({ ...node, z: "tab" }))];
}

/** Collect `count` messages arriving at a node; rejects if they do not all come in time. */
export function collect(node: Node, count: number, timeoutMs = 10_000): Promise<NodeMessage[]> {
  return new Promise((resolve, reject) => {
    const received: NodeMessage[] = [];
    const timer = setTimeout(
      () => reject(new Error(`expected ${count} message(s) at ${node.id}, got ${received.length} in ${timeoutMs} ms`)),
      timeoutMs,
    );
    node.on("input", (msg: NodeMessage) => {
      received.push(msg);
      if (received.length === count) {
        clearTimeout(timer);
        resolve(received);
      }
    });
  });
}

/** Wait until no message has arrived at a node for `quietMs`; resolves with what came. */
export function settle(node: Node, quietMs = 300): Promise<NodeMessage[]> {
  return new Promise((resolve) => {
    const received: NodeMessage[] = [];
    let timer = setTimeout(() => resolve(received), quietMs);
    node.on("input", (msg: NodeMessage) => {
      received.push(msg);
      clearTimeout(timer);
      timer = setTimeout(() => resolve(received), quietMs);
    });
  });
}

/** The `error` a Catch node saw: `{ message, source }`. */
export interface CaughtError {
  message: string;
  source: { id: string; type: string };
}

export function errorOf(msg: NodeMessage): CaughtError {
  return (msg as NodeMessage & { error: CaughtError }).error;
}

export const repoRoot = path.resolve(__dirname, "..", "..", "..");
export const buildNodes = path.join(repoRoot, "build", "nodes");
