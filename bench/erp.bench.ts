/**
 * Records per second through the durable outbox (SQLite write before send, sent mark, CSRF
 * session) to the local SAP Gateway test server answering after 5 ms, running in a process of
 * its own as an ERP would, beside a bare HTTP loop doing the same POSTs with the same token,
 * cookies and parallelism.
 * Target from the issue: the outbox's durability costs less than 30 %.
 */
import * as fs from "node:fs";
import * as http from "node:http";
import * as os from "node:os";
import * as path from "node:path";
import { basicAuth } from "../nodes/erp/auth";
import { ErpClient } from "../nodes/erp/erp-client";
import { Durability, NewRecord, Outbox } from "../nodes/erp/outbox";
import { OutboxSender } from "../nodes/erp/sender";
import { spawn } from "node:child_process";
import { BenchReport } from "./report";

const RECORDS = 2_000;
const PARALLEL = 8;
const LATENCY_MS = 5;
const PATH = "/sap/opu/odata/sap/API_MAINTNOTIFICATION/MaintenanceNotification";

function body(i: number): Record<string, unknown> {
  return { NotificationType: "M2", NotificationText: `Bearing ${i}`, TechnicalObject: `P-${i % PARALLEL}`, MaintPriority: "2", MaintNotifExtReferenceNumber: `BENCH${i}` };
}

/** The reference: POSTs straight over keep-alive sockets, PARALLEL at a time, after one CSRF fetch. */
async function bareLoop(baseUrl: string, offset: number): Promise<number> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: PARALLEL });
  const auth = "Basic " + Buffer.from("PDM_USER:secret").toString("base64");
  const request = (method: string, url: string, headers: Record<string, string>, text?: string) =>
    new Promise<http.IncomingMessage>((resolve, reject) => {
      const req = http.request(new URL(url, baseUrl), { method, agent, headers: { authorization: auth, accept: "application/json", ...headers } }, (res) => {
        res.resume();
        res.on("end", () => resolve(res));
      });
      req.on("error", reject);
      req.end(text);
    });
  const started = performance.now();
  const root = await request("GET", "/sap/opu/odata/sap/API_MAINTNOTIFICATION/?sap-client=100", { "x-csrf-token": "Fetch" });
  const token = String(root.headers["x-csrf-token"]);
  const cookie = (root.headers["set-cookie"] ?? []).map((c) => c.split(";")[0]).join("; ");
  let next = 0;
  const worker = async () => {
    while (next < RECORDS) {
      const i = offset + next++;
      const text = JSON.stringify(body(i));
      const res = await request("POST", `${PATH}?sap-client=100`, { "content-type": "application/json", "x-csrf-token": token, cookie, "content-length": String(Buffer.byteLength(text)) }, text);
      if (res.statusCode !== 201) throw new Error(`bare loop: HTTP ${res.statusCode}`);
    }
  };
  await Promise.all(Array.from({ length: PARALLEL }, worker));
  agent.destroy();
  return RECORDS / ((performance.now() - started) / 1000);
}

/** The measured path: records written to the outbox (one transaction per burst), then sent by the sender. */
async function throughOutbox(baseUrl: string, offset: number, durability: Durability): Promise<number> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pdm-erp-bench-"));
  const outbox = new Outbox(path.join(dir, "outbox.sqlite"), durability);
  const client = new ErpClient({ system: "sap", baseUrl: new URL(baseUrl), auth: basicAuth("PDM_USER", "secret"), timeoutMs: 10_000, sapClient: "100", maxSockets: PARALLEL });
  const started = performance.now();
  let sent = 0;
  let timer: NodeJS.Timeout | undefined;
  let finish: () => void = () => undefined;
  const finished = new Promise<void>((resolve) => (finish = resolve));
  const sender: OutboxSender = new OutboxSender(outbox, client, { concurrency: PARALLEL, backoff: { baseMs: 10, maxMs: 100 }, refFieldOf: () => "MaintNotifExtReferenceNumber", uncertainDelayMs: 10_000 }, {
    sent: () => ++sent === RECORDS && finish(),
    dead: (r, s, e) => { throw new Error(`bench record ${r.key} rejected: ${s} ${e}`); },
    retry: () => undefined,
    settled: () => pump(),
  });
  const pump = () => {
    clearTimeout(timer);
    const wait = sender.fill();
    if (wait !== undefined) timer = setTimeout(pump, Math.max(wait, 1));
  };
  // Messages arrive in bursts of PARALLEL per event-loop turn; the push node writes the
  // messages of one turn in one transaction, so the bench does the same.
  for (let i = 0; i < RECORDS; i += PARALLEL) {
    const burst: NewRecord[] = [];
    for (let n = offset + i; n < offset + Math.min(i + PARALLEL, RECORDS); n++) {
      burst.push({ key: `bench:${n}`, asset: `P-${n % PARALLEL}`, kind: "notification", path: PATH, body: body(n) });
    }
    outbox.addAll(burst, Date.now());
    pump();
    await new Promise((resolve) => setImmediate(resolve));
  }
  await finished;
  const rate = RECORDS / ((performance.now() - started) / 1000);
  await sender.stop();
  clearTimeout(timer);
  outbox.close();
  client.close();
  fs.rmSync(dir, { recursive: true, force: true });
  return rate;
}

/** Start the gateway in a child process; resolves with its URL and a stop function. */
function startGatewayProcess(options: Record<string, unknown>): Promise<{ url: string; stop(): void }> {
  const script = path.join(__dirname, "..", "test", "erp", "sap-gateway-process.js");
  const child = spawn(process.execPath, [script, JSON.stringify(options)], { stdio: ["pipe", "pipe", "inherit"] });
  return new Promise((resolve, reject) => {
    let out = "";
    child.on("error", reject);
    child.on("exit", (code) => reject(new Error(`gateway process exited with ${code}`)));
    child.stdout.on("data", (chunk: Buffer) => {
      out += chunk.toString("utf8");
      if (out.includes("\n")) resolve({ url: out.trim(), stop: () => child.stdin.end() });
    });
  });
}

export async function run(report: BenchReport): Promise<void> {
  const server = await startGatewayProcess({ users: [{ user: "PDM_USER", password: "secret" }], sapClient: "100", latencyMs: LATENCY_MS });
  try {
    let offset = 0;
    await bareLoop(server.url, (offset += RECORDS)); // warm-up of sockets and JIT
    for (const durability of ["process", "power-loss"] as const) {
      const bare = await bareLoop(server.url, (offset += RECORDS));
      const outbox = await throughOutbox(server.url, (offset += RECORDS), durability);
      report.add({
        name: `ERP push through the outbox (${durability === "power-loss" ? "fsync per write" : "crash-safe, no fsync"}), ${PARALLEL} parallel, ${LATENCY_MS} ms server latency`,
        value: outbox,
        unit: "records/s",
        reference: "bare HTTP POST loop, same parallelism",
        referenceValue: bare,
        higherIsBetter: true,
        target: ">= 0.7x reference (durability costs < 30 %)",
      });
    }
  } finally {
    server.stop();
  }
}
