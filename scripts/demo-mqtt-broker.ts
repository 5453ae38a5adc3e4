/**
 * `npm run demo:mqtt-broker`: an MQTT broker (aedes, in memory) to try the Unified
 * Namespace flow on one machine: several Node-RED instances publish to it, the site
 * overview subscribes. Loopback only, port 1883 unless given:
 * `npm run demo:mqtt-broker -- 1884` or PDM_MQTT_PORT=1884; PDM_MQTT_HOST=0.0.0.0 lets
 * edge boxes on the network connect (no authentication: a demo, not a plant broker).
 */
import { createBroker } from "aedes";
import type Aedes from "aedes";
import * as net from "node:net";
import { runUntilStopped } from "./command-line";

export interface DemoBroker {
  port: number;
  /** The broker itself, e.g. to watch what clients publish. */
  aedes: Aedes;
  /** Disconnects every client and stops listening; retained messages are gone (in memory). */
  stop(): Promise<void>;
}

export async function startBroker(options: { host?: string; port: number; log?: (line: string) => void }): Promise<DemoBroker> {
  const broker = createBroker();
  const log = options.log;
  if (log) {
    broker.on("client", (client) => log(`client connected: ${client.id}`));
    broker.on("clientDisconnect", (client) => log(`client disconnected: ${client.id}`));
    broker.on("subscribe", (subscriptions, client) => log(`${client.id} subscribed to ${subscriptions.map((s) => s.topic).join(", ")}`));
  }
  const server = net.createServer(broker.handle);
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host ?? "127.0.0.1", () => resolve());
  });
  return {
    port: (server.address() as net.AddressInfo).port,
    aedes: broker,
    stop: () => new Promise<void>((resolve) => broker.close(() => server.close(() => resolve()))),
  };
}

if (require.main === module) {
  const host = process.env.PDM_MQTT_HOST ?? "127.0.0.1";
  const port = Number(process.argv[2] ?? process.env.PDM_MQTT_PORT ?? 1883);
  runUntilStopped(
    () => startBroker({ host, port, log: (line) => console.log(`${new Date().toISOString()} ${line}`) }),
    (broker) => {
      console.log(`MQTT broker on mqtt://${host}:${broker.port} (Ctrl+C to stop)`);
    },
  );
}
