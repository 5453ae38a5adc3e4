/**
 * `npm run demo:opcua-server`: an OPC UA server on this machine that plays a machine with
 * a vibration sensor, for reference flow 2 (OPC UA input). It replays the real FEMTO-ST
 * Bearing1_1 run to failure shipped in data/femto: each snapshot (0.1 s at 25.6 kHz,
 * horizontal and vertical acceleration in g) becomes the value of two Double array
 * variables, one snapshot a second (600x: the recording has one every 10 minutes), each
 * stamped with its time in the test run as its source timestamp. Two scalar process
 * values give the test rig's operating condition.
 *
 *   npm run demo:opcua-server                       # opc.tcp://127.0.0.1:4840
 *   npm run demo:opcua-server -- --port 4841 --interval-ms 500 --host 0.0.0.0
 *
 * Node ids (namespace 1, the server's own) are in OPCUA_DEMO_TAGS below and in docs/flows.md.
 */
import * as path from "node:path";
import { DataType, OPCUAServer, StatusCodes, UAVariable, Variant, VariantArrayType } from "node-opcua";
import { femtoReplay } from "../nodes/ingest/replay";
import { repoRoot } from "./embedded-node-red";
import { argument, runUntilStopped } from "./command-line";

export const OPCUA_DEMO_TAGS = {
  /** Double[2560]: one snapshot of the horizontal accelerometer, g, 25.6 kHz. */
  accH: "ns=1;s=Bearing1_1.AccH",
  /** Double[2560]: the vertical accelerometer, g. */
  accV: "ns=1;s=Bearing1_1.AccV",
  /** Double: shaft speed, rpm (the test condition: 1800). */
  speed: "ns=1;s=Bearing1_1.Speed",
  /** Double: radial load on the bearing, N (the test condition: 4000). */
  load: "ns=1;s=Bearing1_1.RadialLoad",
  /** UInt32: number of the snapshot in the recording (1, 61, 121, …). Not in the flow's tag map. */
  snapshot: "ns=1;s=Bearing1_1.Snapshot",
};

export interface OpcUaDemoOptions {
  /** Default 4840, the registered OPC UA port; 0 is not allowed by node-opcua, pick a free one. */
  port?: number;
  /** Default 127.0.0.1: reachable from this machine only. */
  host?: string;
  /** Milliseconds between snapshots; default 1000. */
  intervalMs?: number;
  /** A FEMTO run-to-failure folder with manifest.csv; default data/femto/Bearing1_1. */
  folder?: string;
  log?: (line: string) => void;
  /** Publish the first snapshot and wait for play() before the next (tests start the replay once their client has subscribed). */
  paused?: boolean;
}

export interface OpcUaDemoServer {
  endpoint: string;
  /** The run's start on the time axis of the source timestamps (epoch ms of pass 1's first snapshot). */
  startMs: number;
  /** Snapshots published so far (over all passes). */
  readonly published: number;
  /** Start replaying (when started paused). */
  play(): void;
  stop(): Promise<void>;
}

/**
 * Start the server and the replay. After the last snapshot (the failure) the run starts
 * again as a new bearing, 10 s of test time later, so time stamps only move forward.
 */
export async function startOpcUaDemoServer(options: OpcUaDemoOptions = {}): Promise<OpcUaDemoServer> {
  const port = options.port ?? 4840;
  const host = options.host ?? "127.0.0.1";
  const intervalMs = options.intervalMs ?? 1000;
  const log = options.log ?? (() => undefined);
  const replay = femtoReplay(options.folder ?? path.join(repoRoot, "data", "femto", "Bearing1_1"));

  const server = new OPCUAServer({ port, hostname: host, serverInfo: { applicationUri: "urn:node-red-contrib-pdm:demo-opcua-server" } });
  await server.initialize();
  const addressSpace = server.engine.addressSpace;
  if (!addressSpace) throw new Error("OPC UA server has no address space");
  const namespace = addressSpace.getOwnNamespace();
  const machine = namespace.addObject({ organizedBy: addressSpace.rootFolder.objects, browseName: "Bearing1_1" });
  // The server samples each variable every 100 ms at most: a value that changes faster
  // than a client's sampling interval is never seen by that client (see docs/flows.md).
  const variable = (nodeId: string, browseName: string, dataType: "Double" | "UInt32", array = false): UAVariable =>
    namespace.addVariable({
      componentOf: machine,
      nodeId: nodeId.replace(/^ns=1;/, ""),
      browseName,
      dataType,
      valueRank: array ? 1 : -1,
      minimumSamplingInterval: 100,
    });
  const accH = variable(OPCUA_DEMO_TAGS.accH, "AccH", "Double", true);
  const accV = variable(OPCUA_DEMO_TAGS.accV, "AccV", "Double", true);
  const speed = variable(OPCUA_DEMO_TAGS.speed, "Speed", "Double");
  const load = variable(OPCUA_DEMO_TAGS.load, "RadialLoad", "Double");
  const snapshot = variable(OPCUA_DEMO_TAGS.snapshot, "Snapshot", "UInt32");
  await server.start();
  const endpoint = `opc.tcp://${host}:${port}`;

  const startMs = Date.now();
  const passS = replay.atS(replay.length - 1) + 10;
  let published = 0;
  const publish = () => {
    const index = published % replay.length;
    const pass = Math.floor(published / replay.length);
    const step = replay.step(index);
    const sourceTimestamp = new Date(startMs + (pass * passS + step.atS) * 1000);
    const array = (values: number[]) => new Variant({ dataType: DataType.Double, arrayType: VariantArrayType.Array, value: Float64Array.from(values) });
    const [h, v] = step.blocks;
    accH.setValueFromSource(array(h.values), StatusCodes.Good, sourceTimestamp);
    accV.setValueFromSource(array(v.values), StatusCodes.Good, sourceTimestamp);
    speed.setValueFromSource(new Variant({ dataType: DataType.Double, value: 1800 }), StatusCodes.Good, sourceTimestamp);
    load.setValueFromSource(new Variant({ dataType: DataType.Double, value: 4000 }), StatusCodes.Good, sourceTimestamp);
    snapshot.setValueFromSource(new Variant({ dataType: DataType.UInt32, value: Number(/\d+/.exec(step.info.file)?.[0] ?? index + 1) }), StatusCodes.Good, sourceTimestamp);
    published++;
    log(`${step.info.file} (pass ${pass + 1}, ${(step.atS / 3600).toFixed(2)} h into the run, ${((step.info.timeToEndS ?? 0) / 3600).toFixed(2)} h before failure)`);
  };
  publish();
  let timer: NodeJS.Timeout | undefined;
  const play = () => {
    timer ??= setInterval(publish, intervalMs);
  };
  if (!options.paused) play();

  return {
    endpoint,
    startMs,
    get published() {
      return published;
    },
    play,
    async stop() {
      clearInterval(timer);
      await server.shutdown(0);
    },
  };
}

if (require.main === module) {
  runUntilStopped(
    () =>
      startOpcUaDemoServer({
        port: Number(argument("port", "4840")),
        host: argument("host", "127.0.0.1"),
        intervalMs: Number(argument("interval-ms", "1000")),
        log: (line) => console.log(line),
      }),
    (demo) => {
      console.log(`\nOPC UA demo server (FEMTO Bearing1_1 replay) at ${demo.endpoint}, security None, anonymous`);
      for (const [name, nodeId] of Object.entries(OPCUA_DEMO_TAGS)) console.log(`  ${name.padEnd(8)} ${nodeId}`);
      console.log("(Ctrl+C to stop)\n");
    },
  );
}
