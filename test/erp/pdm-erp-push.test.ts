import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import Database from "better-sqlite3";
import type { MaintenanceTask } from "../../nodes/shared/contract";
import { referenceOf } from "../../nodes/erp/record";
import { FlowNode, buildNodes, collect, errorOf, helper, nodeModule, onTab, settle, testUserDir } from "../helpers/runtime";
import { Fault, GatewayServer, start } from "./sap-gateway-server";

const connectionNode = nodeModule(path.join(buildNodes, "erp", "pdm-erp-connection.js"));
const pushNode = nodeModule(path.join(buildNodes, "erp", "pdm-erp-push.js"));

let flowCount = 0;

/** A flow with a connection and a push node; ids are fresh per flow so each test has its own outbox file. */
function pushFlow(url: string, push: Record<string, unknown> = {}, connection: Record<string, unknown> = {}) {
  flowCount++;
  const ids = { connection: `conn${flowCount}`, push: `push${flowCount}` };
  const flow: FlowNode[] = onTab([
    { id: ids.connection, type: "pdm-erp-connection", system: "sap", baseUrl: url, authType: "basic", timeoutS: "2", sapClient: "100", verifyTls: true, ...connection },
    { id: ids.push, type: "pdm-erp-push", connection: ids.connection, concurrency: 4, retryBaseS: "0.02", retryMaxS: "0.2", wires: [["sent"], ["rejected"]], ...push },
    { id: "sent", type: "helper" },
    { id: "rejected", type: "helper" },
    { id: "caught", type: "helper" },
    { id: "catcher", type: "catch", scope: [ids.push], uncaught: false, wires: [["caught"]] },
  ]);
  return { flow, ids, credentials: { [ids.connection]: { user: "PDM_USER", password: "secret" } } };
}

function task(i: number, asset = `pump-${i % 20}`): MaintenanceTask {
  return {
    id: `task-${i}`,
    asset,
    cause: "rul-low",
    action: `Replace bearing ${i}`,
    priority: i % 2 ? "high" : "medium",
    durationH: 2,
    skills: ["mechanic"],
    parts: [{ part: "6205-2RS", quantity: 1 }],
    earliestStart: 1_767_000_000_000 + i,
    deadline: 1_767_100_000_000 + i,
  };
}

function outboxFile(pushId: string): string {
  return path.join(testUserDir, "pdm", "erp", `outbox-${pushId}.sqlite`);
}

function tableCounts(pushId: string): { pending: number; sent: number; dead: number } {
  const db = new Database(outboxFile(pushId), { readonly: true });
  try {
    return db.prepare("SELECT (SELECT COUNT(*) FROM outbox) AS pending, (SELECT COUNT(*) FROM sent) AS sent, (SELECT COUNT(*) FROM dead_letter) AS dead").get() as {
      pending: number;
      sent: number;
      dead: number;
    };
  } finally {
    db.close();
  }
}

async function until(condition: () => boolean, what: string, timeoutMs = 60_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** How often each reference was created in the server. */
function referenceCounts(server: GatewayServer): Map<string, number> {
  const counts = new Map<string, number>();
  for (const record of server.records) {
    const ref = String(record.body.MaintNotifExtReferenceNumber);
    counts.set(ref, (counts.get(ref) ?? 0) + 1);
  }
  return counts;
}

describe("pdm-erp-push node against a local SAP Gateway", function () {
  this.timeout(120_000);
  let server: GatewayServer | undefined;
  afterEach(async () => {
    await helper.unload();
    await server?.stop();
    server = undefined;
  });

  it("creates a maintenance notification with the default S/4HANA mapping and reports it on output 1", async () => {
    server = await start({ users: [{ user: "PDM_USER", password: "secret" }], sapClient: "100" });
    const { flow, ids, credentials } = pushFlow(server.url);
    await helper.load([connectionNode, pushNode], flow, credentials);
    const sent = collect(helper.getNode("sent"), 1);
    helper.getNode(ids.push).receive({ payload: task(1, "P-1000") });
    const [msg] = (await sent) as Array<{ topic: string; payload: { key: string; ref: string; status: number; erpId: string } }>;
    assert.equal(msg.topic, "notification/P-1000");
    assert.equal(msg.payload.key, "task:task-1");
    assert.equal(msg.payload.status, 201);
    assert.match(msg.payload.erpId, /MaintenanceNotification\('\d+'\)$/);
    assert.equal(server.records.length, 1);
    const body = server.records[0].body;
    assert.equal(body.NotificationText, "Replace bearing 1");
    assert.equal(body.TechnicalObject, "P-1000");
    assert.equal(body.MaintPriority, "2");
    assert.equal(body.NotificationType, "M2");
    assert.equal(body.MalfunctionStartDate, "/Date(1767000000001)/");
    assert.equal(body.MaintNotifExtReferenceNumber, referenceOf("task:task-1"));
    assert.equal(server.stats.csrfFetches, 1);
  });

  it("sends a repeated identical message once", async () => {
    server = await start({ users: [{ user: "PDM_USER", password: "secret" }], sapClient: "100" });
    const { flow, ids, credentials } = pushFlow(server.url);
    await helper.load([connectionNode, pushNode], flow, credentials);
    const sent = collect(helper.getNode("sent"), 1);
    helper.getNode(ids.push).receive({ payload: task(2) });
    await sent;
    const more = settle(helper.getNode("sent"), 400);
    helper.getNode(ids.push).receive({ payload: task(2) });
    assert.equal((await more).length, 0);
    assert.equal(server.records.length, 1);
  });

  it("dead-letters a record the ERP rejects, with the ERP's message, on output 2 and in the table", async () => {
    server = await start({
      users: [{ user: "PDM_USER", password: "secret" }],
      sapClient: "100",
      reject: (_set, body) => (body.TechnicalObject === "GHOST" ? "Equipment GHOST does not exist" : undefined),
    });
    const { flow, ids, credentials } = pushFlow(server.url);
    await helper.load([connectionNode, pushNode], flow, credentials);
    const rejected = collect(helper.getNode("rejected"), 1);
    const sent = collect(helper.getNode("sent"), 1);
    helper.getNode(ids.push).receive({ payload: task(3, "GHOST") });
    helper.getNode(ids.push).receive({ payload: task(4, "REAL") });
    const [dead] = (await rejected) as Array<{ payload: { status: number; error: string; key: string } }>;
    await sent;
    assert.equal(dead.payload.status, 400);
    assert.equal(dead.payload.error, "HTTP 400: BAPI/E/001: Equipment GHOST does not exist");
    assert.deepEqual(tableCounts(ids.push), { pending: 0, sent: 1, dead: 1 });
  });

  it("authenticates with OAuth2 client credentials from the node's credentials and renews an expired token", async () => {
    let posts = 0;
    server = await start({ oauth: { clientId: "pdm-client", clientSecret: "s3cret" }, sapClient: "100", fault: () => (++posts === 2 ? "expire-token" : undefined) });
    const { flow, ids } = pushFlow(server.url, {}, { authType: "oauth2", tokenUrl: `${server.url}/oauth/token` });
    await helper.load([connectionNode, pushNode], flow, { [ids.connection]: { clientId: "pdm-client", clientSecret: "s3cret" } });
    const sent = collect(helper.getNode("sent"), 2);
    helper.getNode(ids.push).receive({ payload: task(10, "P-1") });
    helper.getNode(ids.push).receive({ payload: task(11, "P-1") });
    await sent;
    assert.equal(server.records.length, 2);
    assert.equal(server.stats.tokensIssued, 2, "one token, one more after it expired");
  });

  it("reports a message that is no ERP record to a Catch node", async () => {
    server = await start({ users: [{ user: "PDM_USER", password: "secret" }], sapClient: "100" });
    const { flow, ids, credentials } = pushFlow(server.url);
    await helper.load([connectionNode, pushNode], flow, credentials);
    const caught = collect(helper.getNode("caught"), 1);
    helper.getNode(ids.push).receive({ payload: { ...task(5), priority: "whenever" } });
    const [msg] = await caught;
    assert.equal(errorOf(msg).message, 'ValidationError: msg.payload.priority: expected one of "low", "medium", "high", "urgent", got "whenever"');
  });

  it("keeps queued records across a restart while the ERP is down, then sends them in order per asset", async () => {
    server = await start({ users: [{ user: "PDM_USER", password: "secret" }], sapClient: "100" });
    await server.down();
    const { flow, ids, credentials } = pushFlow(server.url);
    await helper.load([connectionNode, pushNode], flow, credentials);
    for (let i = 0; i < 30; i++) helper.getNode(ids.push).receive({ payload: task(i, `line-${i % 3}`) });
    await until(() => fs.existsSync(outboxFile(ids.push)) && tableCounts(ids.push).pending === 30, "30 queued records");
    await helper.unload();
    await server.up();
    await helper.load([connectionNode, pushNode], flow, credentials);
    await collect(helper.getNode("sent"), 30);
    for (const asset of ["line-0", "line-1", "line-2"]) {
      const order: number[] = server.records.filter((r) => r.body.TechnicalObject === asset).map((r) => Number(String(r.body.NotificationText).split(" ").at(-1)));
      assert.deepEqual(order, [...order].sort((a, b) => a - b), `records of ${asset} in the order they came`);
      assert.equal(order.length, 10);
    }
  });

  it("10 000 records through a flapping server and two Node-RED restarts: each exactly once, rejects exactly dead-lettered", async () => {
    const TOTAL = 10_000;
    const faultCycle: Fault[] = ["lost-response", "reset-mid-response", "reset-before-commit", "500", "expire-session", "timeout", "lost-response"];
    let rareFaults = 0;
    server = await start({
      users: [{ user: "PDM_USER", password: "secret" }],
      sapClient: "100",
      repeatability: false, // a server that does not deduplicate: exactly-once is the client's work
      reject: (_set, body) => (String(body.TechnicalObject).startsWith("UNKNOWN") ? `Equipment ${String(body.TechnicalObject)} does not exist` : undefined),
      fault: ({ count }) => {
        if (count % 97 === 0) return faultCycle[(count / 97) % faultCycle.length];
        // A few throttling answers with Retry-After; each pauses every sender for a second.
        if (count % 2_501 === 0 && rareFaults < 4) return ++rareFaults % 2 ? "503" : "429";
        return undefined;
      },
    });
    const gateway = server;
    const { flow, ids, credentials } = pushFlow(gateway.url, { concurrency: 16, durability: "process" }, { timeoutS: "0.5" });
    await helper.load([connectionNode, pushNode], flow, credentials);
    // The server flaps: 150 ms down every 700 ms.
    let flapping = true;
    const flap = (async () => {
      while (flapping) {
        await new Promise((resolve) => setTimeout(resolve, 700));
        if (!flapping) break;
        await gateway.down();
        await new Promise((resolve) => setTimeout(resolve, 150));
        await gateway.up();
      }
    })();
    const unknown = new Set<string>();
    for (let i = 0; i < TOTAL; i++) {
      const asset = i % 50 === 7 ? `UNKNOWN-${i % 3}` : `asset-${i % 64}`;
      if (asset.startsWith("UNKNOWN")) unknown.add(referenceOf(`task:task-${i}`));
      helper.getNode(ids.push).receive({ payload: task(i, asset) });
      if (i % 500 === 499) await new Promise((resolve) => setImmediate(resolve));
    }
    const total = () => {
      const c = tableCounts(ids.push);
      return c.pending + c.sent + c.dead;
    };
    await until(() => fs.existsSync(outboxFile(ids.push)) && total() === TOTAL, "all records queued");
    // Two restarts with records in flight.
    for (const atRecords of [3_000, 7_000]) {
      await until(() => gateway.records.length >= atRecords, `${atRecords} records in the ERP`, 80_000);
      await helper.unload();
      await helper.load([connectionNode, pushNode], flow, credentials);
    }
    await until(() => tableCounts(ids.push).pending === 0, "an empty outbox", 80_000);
    flapping = false;
    await flap;

    const counts = referenceCounts(gateway);
    const duplicates = [...counts].filter(([, n]) => n > 1);
    assert.deepEqual(duplicates, [], "no record twice in the ERP");
    assert.equal(counts.size, TOTAL - unknown.size, "every accepted record in the ERP");
    for (const ref of unknown) assert.ok(!counts.has(ref));
    const db = new Database(outboxFile(ids.push), { readonly: true });
    const deadRefs = (db.prepare("SELECT key FROM dead_letter").all() as Array<{ key: string }>).map((row) => referenceOf(row.key));
    db.close();
    const rejectedRefs = new Set(gateway.rejected.map((r) => String(r.body.MaintNotifExtReferenceNumber)));
    assert.deepEqual(new Set(deadRefs), rejectedRefs, "the dead letters are exactly what the server rejected");
    assert.deepEqual(rejectedRefs, unknown);
    assert.ok((gateway.stats.faults["lost-response"] ?? 0) > 0 && (gateway.stats.faults["503"] ?? 0) > 0, "faults were injected");
  });
});
