/**
 * Real peers for the ingest tests: an OPC UA server (node-opcua), a Modbus TCP server
 * (modbus-serial) and an MQTT broker (aedes), all on 127.0.0.1 on a free port, started and
 * stopped by the tests.
 */
import * as net from "node:net";
import { DataType, OPCUAServer, StatusCodes, Variant } from "node-opcua";
import { ServerTCP } from "modbus-serial";
import { createBroker } from "aedes";
import { freePort } from "../helpers/net";


/** The vibration tag: 2 mm/s RMS with a 0.5 Hz swing, a function of time so every sampling sees a new value. */
export function vibrationAt(ms: number): number {
  return 2 + 0.5 * Math.sin((2 * Math.PI * ms) / 2000);
}

/** The waveform tag: 256 samples of a 1 kHz sine at 25.6 kHz. */
export const WAVEFORM = Float64Array.from({ length: 256 }, (_, i) => Math.sin((2 * Math.PI * 1000 * i) / 25_600));

export const OPCUA_TAGS = {
  vibration: "ns=1;s=Pump1.Vibration",
  waveform: "ns=1;s=Pump1.Waveform",
  failedSensor: "ns=1;s=Pump1.Bearing.Temperature",
};

export interface OpcUaPeer {
  endpoint: string;
  stop(): Promise<void>;
}

export async function startOpcUaServer(): Promise<OpcUaPeer> {
  const port = await freePort();
  const server = new OPCUAServer({ port, hostname: "127.0.0.1", serverInfo: { applicationUri: "urn:pdm-test-plc" } });
  await server.initialize();
  const addressSpace = server.engine.addressSpace;
  if (!addressSpace) throw new Error("OPC UA server has no address space");
  const namespace = addressSpace.getOwnNamespace();
  const pump = namespace.addObject({ organizedBy: addressSpace.rootFolder.objects, browseName: "Pump1" });
  namespace.addVariable({
    componentOf: pump,
    nodeId: "s=Pump1.Vibration",
    browseName: "Vibration",
    dataType: "Double",
    minimumSamplingInterval: 100,
    value: { get: () => new Variant({ dataType: DataType.Double, value: vibrationAt(Date.now()) }) },
  });
  namespace.addVariable({
    componentOf: pump,
    nodeId: "s=Pump1.Waveform",
    browseName: "Waveform",
    dataType: "Double",
    minimumSamplingInterval: 100,
    valueRank: 1,
    value: { get: () => new Variant({ dataType: DataType.Double, arrayType: 1 /* VariantArrayType.Array */, value: WAVEFORM }) },
  });
  const temperature = namespace.addVariable({ componentOf: pump, nodeId: "s=Pump1.Bearing.Temperature", browseName: "BearingTemperature", dataType: "Double" });
  temperature.setValueFromSource(new Variant({ dataType: DataType.Double, value: 0 }), StatusCodes.BadSensorFailure);
  await server.start();
  return { endpoint: `opc.tcp://127.0.0.1:${port}`, stop: () => server.shutdown(0) };
}

export interface ModbusPeer {
  port: number;
  /** The holding registers the server serves, by address. */
  holding: number[];
  stop(): Promise<void>;
}

export async function startModbusServer(holding: number[]): Promise<ModbusPeer> {
  const port = await freePort();
  const server = new ServerTCP(
    {
      getHoldingRegister: (address: number) => holding[address] ?? 0,
      getInputRegister: (address: number) => holding[address] ?? 0,
      getCoil: () => false,
      setRegister: (address: number, value: number) => {
        holding[address] = value;
      },
      setCoil: () => undefined,
    },
    { host: "127.0.0.1", port, unitID: 1 },
  );
  await new Promise<void>((resolve, reject) => {
    server.on("initialized", () => resolve());
    server.on("socketError", reject);
  });
  return { port, holding, stop: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

export interface MqttPeer {
  port: number;
  /** Resolves when a client has subscribed to a topic filter. */
  subscribed(filter: string): Promise<void>;
  publish(topic: string, payload: string): Promise<void>;
  stop(): Promise<void>;
}

export async function startMqttBroker(): Promise<MqttPeer> {
  const port = await freePort();
  const broker = createBroker();
  const server = net.createServer(broker.handle);
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  return {
    port,
    subscribed: (filter) =>
      new Promise((resolve) => {
        broker.on("subscribe", (subscriptions) => {
          if (subscriptions.some((s) => s.topic === filter)) resolve();
        });
      }),
    publish: (topic, payload) =>
      new Promise((resolve, reject) =>
        broker.publish({ cmd: "publish", topic, payload: Buffer.from(payload), qos: 0, retain: false, dup: false }, (err) => (err ? reject(err) : resolve())),
      ),
    stop: () => new Promise<void>((resolve) => broker.close(() => server.close(() => resolve()))),
  };
}
