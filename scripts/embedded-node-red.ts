/**
 * Start Node-RED embedded in this process (the Node-RED docs' "embedding" recipe), with
 * this package loaded from the working tree, node-red-dashboard and the other
 * devDependencies found beside node-red, and a userDir of its own. Used by `npm start`
 * and by the end-to-end tests.
 */
import express from "express";
import * as fs from "node:fs";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import * as path from "node:path";

export const repoRoot = path.resolve(__dirname, "..", "..");

export interface EmbeddedOptions {
  userDir: string;
  /** Flows to use; written to `<userDir>/flows.json` when that is missing or `resetFlows` is set. */
  seedFlows?: unknown[];
  resetFlows?: boolean;
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  logLevel?: "fatal" | "error" | "warn" | "info" | "debug" | "trace";
}

export interface EmbeddedNodeRed {
  url: string;
  port: number;
  userDir: string;
  stop(): Promise<void>;
}

/** The part of Node-RED's embedding API used here (bench/scale/child.ts adds what it needs). */
export interface NodeRedRuntime {
  init(server: http.Server, settings: Record<string, unknown>): void;
  start(): Promise<void>;
  stop(): Promise<void>;
  httpAdmin: express.Express;
  httpNode: express.Express;
}

export async function startNodeRed(options: EmbeddedOptions): Promise<EmbeddedNodeRed> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const RED = require("node-red") as NodeRedRuntime;
  const host = options.host ?? "127.0.0.1";
  fs.mkdirSync(options.userDir, { recursive: true });
  const flowFile = path.join(options.userDir, "flows.json");
  if (options.seedFlows && (options.resetFlows || !fs.existsSync(flowFile))) {
    fs.writeFileSync(flowFile, JSON.stringify(options.seedFlows, null, 2));
  }

  const app = express();
  const server = http.createServer(app);
  RED.init(server, {
    userDir: options.userDir,
    flowFile: "flows.json",
    // Load this package straight from the working tree (its package.json lists the built nodes).
    nodesDir: [repoRoot],
    uiHost: host,
    httpAdminRoot: "/",
    httpNodeRoot: "/",
    // node-red-dashboard serves its pages under /ui.
    ui: { path: "ui" },
    credentialSecret: "pdm-demo-not-secret",
    logging: { console: { level: options.logLevel ?? "info", metrics: false, audit: false } },
    editorTheme: { tours: false },
    externalModules: { autoInstall: false, palette: { allowInstall: false } },
  });
  app.use("/", RED.httpAdmin);
  app.use("/", RED.httpNode);

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 1880, host, () => resolve());
  });
  await RED.start();
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://${host}:${port}`,
    port,
    userDir: options.userDir,
    async stop() {
      await RED.stop();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
