import { strict as assert } from "node:assert";
import { OAuthClientCredentials, basicAuth } from "../../nodes/erp/auth";
import { CreateResult, ErpClient } from "../../nodes/erp/erp-client";
import { HttpClient } from "../../nodes/erp/http";
import { Fault, GatewayServer, start } from "./sap-gateway-server";

const PATH = "/sap/opu/odata/sap/API_MAINTNOTIFICATION/MaintenanceNotification";
const USERS = [{ user: "PDM_USER", password: "secret" }];

function sapClient(url: string, password = "secret", timeoutMs = 2_000): ErpClient {
  return new ErpClient({ system: "sap", baseUrl: new URL(url), auth: basicAuth("PDM_USER", password), timeoutMs, sapClient: "100" });
}

function notification(ref: string) {
  return { path: PATH, body: { NotificationText: "Bearing", TechnicalObject: "P-1", MaintNotifExtReferenceNumber: ref }, ref, refField: "MaintNotifExtReferenceNumber", mayExist: false };
}

/** A server whose next POSTs get these faults, one each, then none. */
async function faultyServer(faults: Fault[], options: Parameters<typeof start>[0] = {}): Promise<GatewayServer> {
  const queue = [...faults];
  return start({ users: USERS, sapClient: "100", fault: () => queue.shift(), ...options });
}

describe("ERP client against a local SAP Gateway", () => {
  let server: GatewayServer | undefined;
  let client: ErpClient | undefined;
  afterEach(async () => {
    client?.close();
    await server?.stop();
    server = client = undefined;
  });

  it("fetches the CSRF token once for a session and posts with its cookies", async () => {
    server = await faultyServer([]);
    client = sapClient(server.url);
    for (const ref of ["R1", "R2", "R3"]) assert.equal((await client.create(notification(ref))).outcome, "sent");
    assert.equal(server.stats.csrfFetches, 1);
    assert.equal(server.records.length, 3);
  });

  it("fetches a new CSRF token once when the session expired (403 CSRF token validation failed)", async () => {
    server = await faultyServer([]);
    client = sapClient(server.url);
    await client.create(notification("R1"));
    server.expireSessions();
    const result = await client.create(notification("R2"));
    assert.equal(result.outcome, "sent");
    assert.equal(server.stats.csrfFetches, 2);
    assert.deepEqual(server.records.map((r) => r.body.MaintNotifExtReferenceNumber), ["R1", "R2"]);
  });

  it("returns the ERP's OData error message for a rejected record", async () => {
    server = await faultyServer([], { reject: () => "Equipment P-1 does not exist" });
    client = sapClient(server.url);
    const result = await client.create(notification("R1"));
    assert.deepEqual(result, { outcome: "reject", status: 400, error: "HTTP 400: BAPI/E/001: Equipment P-1 does not exist" });
  });

  it("asks to retry 429 and 503 after Retry-After, and knows nothing was created", async () => {
    server = await faultyServer(["429", "503"], { retryAfterS: 7 });
    client = sapClient(server.url);
    for (const status of [429, 503]) {
      const result: CreateResult = await client.create(notification("R1"));
      assert.equal(result.outcome, "retry");
      assert.deepEqual({ status: (result as { status?: number }).status, retryAfterMs: (result as { retryAfterMs?: number }).retryAfterMs, maybeCreated: (result as { maybeCreated: boolean }).maybeCreated }, { status, retryAfterMs: 7000, maybeCreated: false });
    }
    assert.equal(server.records.length, 0);
  });

  it("treats a refused connection as not arrived and a timeout, reset or 500 as maybe created", async () => {
    server = await faultyServer(["timeout", "reset-before-commit", "500"]);
    client = sapClient(server.url, "secret", 300);
    const outcomes: CreateResult[] = [];
    for (let i = 0; i < 3; i++) outcomes.push(await client.create(notification(`R${i}`)));
    await server.down();
    // A fresh client: a pooled keep-alive socket the server dropped would fail as a reset ("maybe arrived").
    const fresh = sapClient(server.url);
    outcomes.push(await fresh.create(notification("R9")));
    fresh.close();
    assert.deepEqual(outcomes.map((r) => [r.outcome, (r as { maybeCreated?: boolean }).maybeCreated]), [["retry", true], ["retry", true], ["retry", true], ["retry", false]]);
    assert.match((outcomes[0] as { error: string }).error, /no answer within 300 ms/);
    assert.match((outcomes[3] as { error: string }).error, /ECONNREFUSED/);
  });

  it("after a lost answer, finds the committed record by its reference instead of posting it again", async () => {
    server = await faultyServer(["lost-response", "reset-mid-response"]);
    client = sapClient(server.url);
    for (const ref of ["LOST1", "LOST2"]) {
      const first: CreateResult = await client.create(notification(ref));
      assert.equal(first.outcome, "retry");
      const second = await client.create({ ...notification(ref), mayExist: true });
      assert.equal(second.outcome, "sent");
      assert.equal((second as { found?: boolean }).found, true);
    }
    assert.equal(server.records.length, 2);
  });

  it("keeps a wrong password a retry, not a dead letter", async () => {
    server = await faultyServer([]);
    client = sapClient(server.url, "wrong");
    const result = await client.create(notification("R1"));
    assert.equal(result.outcome, "retry");
    assert.match((result as { error: string }).error, /CSRF token fetch failed \(HTTP 401\)/);
  });

  it("caches the OAuth token, and fetches a new one when the ERP says it expired", async () => {
    server = await faultyServer(["expire-token"], { users: undefined, oauth: { clientId: "pdm", clientSecret: "s3cret" } });
    const http = new HttpClient();
    const auth = new OAuthClientCredentials({ tokenUrl: new URL("/oauth/token", server.url), clientId: "pdm", clientSecret: "s3cret" }, http, 2_000);
    client = new ErpClient({ system: "sap", baseUrl: new URL(server.url), auth, timeoutMs: 2_000, sapClient: "100" });
    for (const ref of ["T1", "T2", "T3"]) assert.equal((await client.create(notification(ref))).outcome, "sent");
    assert.equal(server.stats.tokensIssued, 2, "one token, and one more after the expiry");
    assert.equal(server.records.length, 3);
    http.close();
  });

  it("renews a cached OAuth token shortly before it expires", async () => {
    server = await faultyServer([], { users: undefined, oauth: { clientId: "pdm", clientSecret: "s3cret", tokenLifetimeS: 600 } });
    let now = 1_000_000;
    const http = new HttpClient();
    const auth = new OAuthClientCredentials({ tokenUrl: new URL("/oauth/token", server.url), clientId: "pdm", clientSecret: "s3cret" }, http, 2_000, () => now);
    const first = await auth.header();
    assert.equal(await auth.header(), first);
    now += 539_000;
    assert.equal(await auth.header(), first, "still valid 61 s before expiry");
    now += 2_000;
    assert.notEqual(await auth.header(), first, "renewed within the last minute");
    assert.equal(auth.fetched, 2);
    http.close();
  });

  it("reports a wrong OAuth client secret with the server's reason", async () => {
    server = await faultyServer([], { users: undefined, oauth: { clientId: "pdm", clientSecret: "s3cret" } });
    const http = new HttpClient();
    const auth = new OAuthClientCredentials({ tokenUrl: new URL("/oauth/token", server.url), clientId: "pdm", clientSecret: "nope" }, http, 2_000);
    await assert.rejects(auth.header(), /OAuth token request failed \(HTTP 401\): client authentication failed/);
    http.close();
  });

  it("reads every page of a collection through __next", async () => {
    const orders = Array.from({ length: 25 }, (_, i) => ({ ManufacturingOrder: String(1_000_000 + i), ProductionPlant: i % 2 ? "1010" : "1020" }));
    server = await faultyServer([], { collections: { A_ProductionOrder_2: orders }, pageSize: 4 });
    client = sapClient(server.url);
    const rows = (await client.getAll("/sap/opu/odata/sap/API_PRODUCTION_ORDER_2_SRV/A_ProductionOrder_2", { $filter: "ProductionPlant eq '1010'" })) as Array<{ ManufacturingOrder: string }>;
    assert.equal(rows.length, 12);
    assert.deepEqual(rows.map((r) => Number(r.ManufacturingOrder) % 2), Array(12).fill(1));
    assert.equal(server.stats.gets, 3, "three pages of four");
  });
});
