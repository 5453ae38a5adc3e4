/**
 * The SAP Gateway test server in a process of its own, for benchmarks: the ERP then does not
 * share the client's event loop, as in a plant. Options (JSON, no functions) come as the first
 * argument; the URL is printed as the first line on stdout; it stops when stdin closes.
 */
import { GatewayOptions, start } from "./sap-gateway-server";

async function main(): Promise<void> {
  const options = JSON.parse(process.argv[2] ?? "{}") as GatewayOptions;
  const server = await start(options);
  process.stdout.write(`${server.url}\n`);
  process.stdin.resume();
  process.stdin.on("end", () => void server.stop().then(() => process.exit(0)));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
