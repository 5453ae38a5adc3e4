/**
 * `npm run demo:modbus-server`: a Modbus TCP server on this machine that plays an engine
 * controller, for reference flow 3 (Modbus input). It replays one engine of NASA's C-MAPSS
 * turbofan data (data/cmapss, test file FD001, whose true remaining life is known): one
 * operating cycle per second, its cycle count, 3 operational settings and 21 sensors in
 * holding registers as a PLC would publish them, float32 high word first.
 *
 *   npm run demo:modbus-server                          # 127.0.0.1:5020, unit id 1, engine 31
 *   npm run demo:modbus-server -- --port 5021 --engine 81 --interval-ms 200 --host 0.0.0.0
 *
 * The register map is CMAPSS_REGISTERS below (and docs/flows.md). At the end of the
 * recording the engine starts again at cycle 1, as after an overhaul.
 */
import * as path from "node:path";
import { ServerTCP } from "modbus-serial";
import { RegisterType, encodeRegisters } from "../nodes/ingest/registers";
import { Engine, readCmapss, readTrueRul } from "../nodes/rul/cmapss";
import { repoRoot } from "./embedded-node-red";
import { argument, runUntilStopped } from "./command-line";

export interface RegisterSpec {
  name: string;
  /** Holding register address (0-based) of the value's first register. */
  address: number;
  type: RegisterType;
  unit: string;
}

const SENSOR_UNITS = ["°R", "°R", "°R", "°R", "psia", "psia", "psia", "rpm", "rpm", "", "psia", "pps/psi", "rpm", "rpm", "", "", "", "rpm", "", "lbm/s", "lbm/s"];

/** What the demo server holds: the cycle count at 0, then float32 values, two registers each. */
export const CMAPSS_REGISTERS: RegisterSpec[] = [
  { name: "cycle", address: 0, type: "uint16", unit: "cycles" },
  ...["setting1", "setting2", "setting3", ...SENSOR_UNITS.map((_, i) => `s${i + 1}`)].map((name, i) => ({
    name,
    address: 1 + 2 * i,
    type: "float32" as const,
    unit: name.startsWith("setting") ? "" : SENSOR_UNITS[Number(name.slice(1)) - 1],
  })),
];

/** Registers a read must cover: from 0 to the last float's second register. */
export const CMAPSS_REGISTER_COUNT = 1 + 2 * (CMAPSS_REGISTERS.length - 1);

export interface ModbusDemoOptions {
  /** Default 5020 (502, the Modbus port, needs root on Linux). */
  port?: number;
  /** Default 127.0.0.1: reachable from this machine only. */
  host?: string;
  unitId?: number;
  /** Milliseconds per engine cycle; default 1000. */
  intervalMs?: number;
  /** Engine number in test_FD001 (1-100); default 31: 196 cycles recorded, failed 8 cycles later. */
  engine?: number;
  /** Hold the first cycle until play() or next() (tests step the engine in lockstep with their reads). */
  paused?: boolean;
  log?: (line: string) => void;
}

export interface ModbusDemoServer {
  port: number;
  /** The engine replayed: its records by cycle, and the true RUL after its last recorded cycle. */
  engine: Engine;
  trueRulAtEnd: number;
  /** The holding registers served, by address. */
  holding: number[];
  /** The cycle in the registers now. */
  readonly cycle: number;
  /** Go to the next cycle now. */
  next(): void;
  /** Go on to the next cycle every intervalMs. */
  play(): void;
  stop(): Promise<void>;
}

export async function startModbusDemoServer(options: ModbusDemoOptions = {}): Promise<ModbusDemoServer> {
  const port = options.port ?? 5020;
  const host = options.host ?? "127.0.0.1";
  const number = options.engine ?? 31;
  const log = options.log ?? (() => undefined);
  const dataDir = path.join(repoRoot, "data", "cmapss");
  const engine = readCmapss(path.join(dataDir, "test_FD001.txt.gz")).find((e) => e.unit === number);
  if (!engine) throw new Error(`test_FD001 has no engine ${number} (1-100)`);
  const trueRulAtEnd = readTrueRul(path.join(dataDir, "RUL_FD001.txt"))[number - 1];

  const holding: number[] = new Array<number>(CMAPSS_REGISTER_COUNT).fill(0);
  let index = 0;
  const show = () => {
    const record = engine.cycles[index];
    for (const spec of CMAPSS_REGISTERS) {
      encodeRegisters(record[spec.name], { type: spec.type, wordOrder: "big", byteOrder: "big" }).forEach((word, i) => (holding[spec.address + i] = word));
    }
    const left = engine.cycles.length - 1 - index + trueRulAtEnd;
    log(`engine ${number} cycle ${record.cycle}: fails after ${left} more cycles (true RUL)`);
  };
  show();

  const server = new ServerTCP(
    {
      getHoldingRegister: (address: number) => holding[address] ?? 0,
      getInputRegister: (address: number) => holding[address] ?? 0,
      getCoil: () => false,
      // Read-only: the demo controller ignores writes.
      setRegister: () => undefined,
      setCoil: () => undefined,
    },
    { host, port, unitID: options.unitId ?? 1 },
  );
  await new Promise<void>((resolve, reject) => {
    server.on("initialized", () => resolve());
    server.on("socketError", reject);
  });

  const next = () => {
    index = (index + 1) % engine.cycles.length;
    show();
  };
  let timer: NodeJS.Timeout | undefined;
  const play = () => {
    timer ??= setInterval(next, options.intervalMs ?? 1000);
  };
  if (!options.paused) play();
  return {
    port,
    engine,
    trueRulAtEnd,
    holding,
    get cycle() {
      return engine.cycles[index].cycle;
    },
    next,
    play,
    stop: () => {
      clearInterval(timer);
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

if (require.main === module) {
  const host = argument("host", "127.0.0.1");
  runUntilStopped(
    () =>
      startModbusDemoServer({
        port: Number(argument("port", "5020")),
        host,
        unitId: Number(argument("unit-id", "1")),
        engine: Number(argument("engine", "31")),
        intervalMs: Number(argument("interval-ms", "1000")),
        log: (line) => console.log(line),
      }),
    (demo) => {
      console.log(`\nModbus TCP demo server (C-MAPSS FD001 engine ${demo.engine.unit}) at ${host}:${demo.port}, unit id ${argument("unit-id", "1")}`);
      console.log(`  holding registers 0..${CMAPSS_REGISTER_COUNT - 1}: cycle uint16 at 0, then float32 (high word first) from 1: ${CMAPSS_REGISTERS.slice(1).map((r) => `${r.name}@${r.address}`).join(" ")}`);
      console.log("(Ctrl+C to stop)\n");
    },
  );
}
