/**
 * One measured Node-RED process of the scale benchmark (spawned by bench/scale.bench.ts
 * so that its CPU time and RSS are its own). Starts an embedded Node-RED with this
 * package (editor and admin API on, as a deployment has them; no dashboard module
 * loaded), deploys flow 1 without the dashboard with N copies of a machine's chain
 * (./flow.ts), injects recorded blocks at the real-time rate into every copy, and
 * reports to the parent over IPC every `sampleS` seconds: CPU time, memory, event-loop
 * delay, blocks injected and blocks the chain's first nodes have finished.
 *
 * Usage (normally by the parent): node build/bench/scale/child.js '<ChildConfig JSON>'
 */
import express from "express";
import * as fs from "node:fs";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { NodeRedRuntime, repoRoot } from "../../scripts/embedded-node-red";
import { ChannelKind, FlowNode, MACHINES, buildScaleFlow } from "./flow";
import { loadSignal } from "./signals";

export interface ChildConfig {
  kind: ChannelKind;
  assets: number;
  reference: boolean;
  /** Seconds of injection after the warm-up. */
  seconds: number;
  warmUpS: number;
  sampleS: number;
  /** The windows' overlap in percent instead of flow 1's (see BuildOptions). */
  overlapPercent?: number;
}

export interface ChildSample {
  /** Seconds since the end of the warm-up (negative during it). */
  t: number;
  /** CPU seconds of the whole process (all threads), user + system, since it started. */
  cpuS: number;
  rssMB: number;
  heapUsedMB: number;
  heapTotalMB: number;
  externalMB: number;
  arrayBuffersMB: number;
  /** Blocks injected (one per sensor per block period). */
  injected: number;
  /** Deliveries to the chain's first nodes the injected blocks make, and how many of them those nodes have received. */
  entryExpected: number;
  entryReceived: number;
  /** Messages Node-RED has routed to a node since the start (every wire of every node). */
  delivered: number;
  /** Messages handed to Node-RED's router and not yet received by their node (the queue of pending deliveries). */
  queued: number;
  /** Messages pdm nodes have received and not yet finished (async work in progress). */
  pdmInFlight: number;
  /** Event-loop delay over the last sample period, ms. */
  lagMeanMs: number;
  lagP99Ms: number;
  lagMaxMs: number;
  /** Injection lateness: how far behind its schedule the injector ran at worst in the period, ms. */
  injectLateMaxMs: number;
}

export interface ChildReport {
  type: "ready" | "sample" | "done";
  sample?: ChildSample;
  /** On "ready": channels, signal, the flow's node count. On "done": messages finished per node type. */
  info?: Record<string, unknown>;
}

interface EmbeddedRed extends NodeRedRuntime {
  nodes: { getNode(id: string): { send(msg: object): void; type: string } | null };
  hooks: { add(name: string, fn: (event: Record<string, unknown>) => void): void };
}

const MB = 1024 * 1024;
/** Sampling interval of the event-loop delay histogram; an idle loop reads about this much. */
const LAG_RESOLUTION_MS = 10;

function report(message: ChildReport): void {
  process.send?.(message);
}

/**
 * Unhandled promise rejections, counted instead of ending the process. A standalone
 * Node-RED exits on them (red.js: uncaughtException → exit 1); the bench keeps going so
 * the rest can be measured, and reports how many there were and the first one.
 */
let unhandled = 0;
let firstUnhandled: string | undefined;
process.on("unhandledRejection", (reason) => {
  unhandled++;
  firstUnhandled ??= reason instanceof Error ? (reason.stack ?? reason.message) : String(reason);
});

async function main(): Promise<void> {
  const config = JSON.parse(process.argv[2] ?? "{}") as ChildConfig;
  const flow1 = JSON.parse(fs.readFileSync(path.join(repoRoot, "flows", "complete-maintenance-system.json"), "utf8")) as FlowNode[];
  const replayNode = flow1.find((n) => n.id === MACHINES[config.kind].replay);
  const signal = loadSignal(config.kind, Number(replayNode?.blockSize ?? 0.08533333333333333));

  const userDir = fs.mkdtempSync(path.join(os.tmpdir(), "pdm-bench-scale-"));
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const RED = require("node-red") as EmbeddedRed;
  const app = express();
  const server = http.createServer(app);
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const scale = buildScaleFlow(flow1, { kind: config.kind, assets: config.assets, reference: config.reference, erpBaseUrl: `http://127.0.0.1:${port}`, overlapPercent: config.overlapPercent });
  fs.writeFileSync(path.join(userDir, "flows.json"), JSON.stringify(scale.nodes));

  RED.init(server, {
    userDir,
    flowFile: "flows.json",
    nodesDir: [repoRoot],
    uiHost: "127.0.0.1",
    httpAdminRoot: "/",
    httpNodeRoot: "/",
    credentialSecret: "pdm-bench-not-secret",
    logging: { console: { level: process.env.SCALE_LOG ?? "error", metrics: false, audit: false } },
    editorTheme: { tours: false },
    // Flow 1 without the dashboard: neither node-red-dashboard nor the other contrib
    // modules installed beside node-red for the tests (OPC UA, Modbus) are loaded.
    externalModules: { autoInstall: false, palette: { allowInstall: false, denyList: ["node-red-dashboard", "node-red-contrib-opcua", "node-red-contrib-modbus"] } },
  });
  app.use("/", RED.httpAdmin);
  app.use("/", RED.httpNode);

  // Counters, from Node-RED's message hooks. Every hook takes exactly one parameter:
  // Node-RED calls a hook with another arity callback-style and waits for the callback.
  const entries = new Set(scale.entries);
  let entryReceived = 0;
  let delivered = 0;
  let received = 0;
  let pdmReceived = 0;
  let pdmDone = 0;
  const doneByType = new Map<string, number>();
  RED.hooks.add("preDeliver.scale", (_event) => {
    delivered++;
  });
  RED.hooks.add("onReceive.scale", (event) => {
    received++;
    const destination = event.destination as { id: string; node: { type: string } };
    if (entries.has(destination.id)) entryReceived++;
    if (destination.node.type.startsWith("pdm-")) pdmReceived++;
  });
  RED.hooks.add("onComplete.scale", (event) => {
    const node = event.node as { id: string; node: { type: string } };
    if (node.node.type.startsWith("pdm-")) pdmDone++;
    doneByType.set(node.node.type, (doneByType.get(node.node.type) ?? 0) + 1);
  });

  await RED.start();
  const sources = scale.assets.map(({ source }) => source);
  for (let waited = 0; sources.some((id) => !RED.nodes.getNode(id)); waited += 50) {
    if (waited > 60_000) throw new Error("the scale flow did not start in 60 s");
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const sourceNodes = sources.map((id) => RED.nodes.getNode(id) as NonNullable<ReturnType<EmbeddedRed["nodes"]["getNode"]>>);
  const fanOut = scale.entries.length / scale.assets.length;

  // The injector: block k of asset a is due at start + (k + a / N) * blockMs (assets staggered evenly).
  const blockMs = (signal.blockSize / signal.fs) * 1000;
  const length = signal.sensors[0].values.length;
  const blocksPerPass = Math.floor(length / signal.blockSize);
  const next = new Array<number>(scale.assets.length).fill(0);
  const epochMs = Date.now();
  const start = performance.now() + 200;
  let injected = 0;
  let lateMax = 0;
  let stopped = false;
  const inject = () => {
    if (stopped) return;
    const now = performance.now();
    for (let a = 0; a < scale.assets.length; a++) {
      const phase = (a / scale.assets.length) * blockMs;
      for (;;) {
        const due = start + next[a] * blockMs + phase;
        if (due > now) break;
        lateMax = Math.max(lateMax, now - due);
        // Every asset plays the recording from its start (so the anomaly and health-index
        // baselines learn on its healthy beginning, as in flow 1), staggered in time.
        const block = next[a] % blocksPerPass;
        const t0 = epochMs + next[a] * blockMs + phase;
        for (const { sensor, values } of signal.sensors) {
          const payload = {
            asset: scale.assets[a].asset,
            sensor,
            t0,
            fs: signal.fs,
            values: Array.from(values.subarray(block * signal.blockSize, (block + 1) * signal.blockSize)),
            unit: "g",
          };
          sourceNodes[a].send({ topic: `${payload.asset}/${sensor}`, payload });
          injected++;
        }
        next[a]++;
      }
    }
    setTimeout(inject, 5);
  };

  report({
    type: "ready",
    info: {
      channels: scale.assets.length * signal.sensors.length,
      sensorsPerAsset: signal.sensors.length,
      fs: signal.fs,
      blockSize: signal.blockSize,
      blockMs,
      nodes: scale.nodes.length,
      summary: scale.summary,
    },
  });

  const lag = monitorEventLoopDelay({ resolution: LAG_RESOLUTION_MS });
  lag.enable();
  const sample = (t: number): ChildSample => {
    const cpu = process.cpuUsage();
    const mem = process.memoryUsage();
    const s: ChildSample = {
      t,
      cpuS: (cpu.user + cpu.system) / 1e6,
      rssMB: mem.rss / MB,
      heapUsedMB: mem.heapUsed / MB,
      heapTotalMB: mem.heapTotal / MB,
      externalMB: mem.external / MB,
      arrayBuffersMB: mem.arrayBuffers / MB,
      injected,
      entryExpected: injected * fanOut,
      entryReceived,
      delivered,
      queued: delivered - received,
      pdmInFlight: pdmReceived - pdmDone,
      lagMeanMs: lag.mean / 1e6,
      lagP99Ms: lag.percentile(99) / 1e6,
      lagMaxMs: lag.max / 1e6,
      injectLateMaxMs: lateMax,
    };
    lag.reset();
    lateMax = 0;
    return s;
  };

  await new Promise((resolve) => setTimeout(resolve, Math.max(0, start - performance.now())));
  inject();
  const warmUpEnd = performance.now() + config.warmUpS * 1000;
  await new Promise((resolve) => setTimeout(resolve, config.warmUpS * 1000));
  report({ type: "sample", sample: sample((performance.now() - warmUpEnd) / 1000) });
  const endAt = warmUpEnd + config.seconds * 1000;
  while (performance.now() < endAt - 1) {
    const wait = Math.min(config.sampleS * 1000, endAt - performance.now());
    await new Promise((resolve) => setTimeout(resolve, wait));
    report({ type: "sample", sample: sample((performance.now() - warmUpEnd) / 1000) });
  }
  stopped = true;
  report({ type: "done", info: { doneByType: Object.fromEntries(doneByType), unhandledRejections: unhandled, firstUnhandledRejection: firstUnhandled } });
  await RED.stop();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  // SCALE_KEEP_USERDIR=1 keeps the userDir (state files, audit log) to look at.
  if (process.env.SCALE_KEEP_USERDIR) console.log(`scale child: userDir kept: ${userDir}`);
  else fs.rmSync(userDir, { recursive: true, force: true });
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
