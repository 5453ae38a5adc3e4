import { strict as assert } from "node:assert";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { bearerAuth } from "../../nodes/erp/auth";
import { ErpClient, ErpSystem } from "../../nodes/erp/erp-client";

interface Seen {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A small Dataverse-like Web API: 204 + OData-EntityId on create, V4 errors, @odata.nextLink paging. */
async function webApi(): Promise<{ url: string; seen: Seen[]; close(): Promise<void> }> {
  const seen: Seen[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      seen.push({ method: req.method ?? "", url: req.url ?? "", headers: req.headers, body });
      const url = new URL(req.url ?? "/", `http://${req.headers.host ?? "127.0.0.1"}`);
      if (req.method === "POST" && url.pathname.endsWith("/msdyn_workorders")) {
        if (JSON.parse(body).msdyn_name === "BAD") {
          res.writeHead(400, { "content-type": "application/json" });
          return res.end(JSON.stringify({ error: { code: "0x80040203", message: "msdyn_serviceaccount is required" } }));
        }
        res.writeHead(204, { "odata-entityid": `${url.origin}/api/data/v9.2/msdyn_workorders(00000000-0000-0000-0000-000000000001)` });
        return res.end();
      }
      if (req.method === "POST") {
        res.writeHead(201, { "content-type": "application/json" });
        return res.end(JSON.stringify({ id: 42 }));
      }
      const page = Number(url.searchParams.get("page") ?? 0);
      const value = [{ order: `O${page * 2}` }, { order: `O${page * 2 + 1}` }];
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ value, ...(page < 2 ? { "@odata.nextLink": `${url.origin}${url.pathname}?page=${page + 1}` } : {}) }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, seen, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

function client(system: ErpSystem, url: string): ErpClient {
  return new ErpClient({ system, baseUrl: new URL(url), auth: bearerAuth("tok"), timeoutMs: 2_000 });
}

describe("ERP client for Dynamics 365 and REST", () => {
  it("creates a Dataverse record with OData V4 headers and reads its id from OData-EntityId", async () => {
    const api = await webApi();
    const erp = client("dynamics", api.url);
    const result = await erp.create({ path: "/api/data/v9.2/msdyn_workorders", body: { msdyn_name: "PDM1" }, ref: "PDM1", mayExist: false });
    assert.deepEqual(result, { outcome: "sent", status: 204, erpId: `${api.url}/api/data/v9.2/msdyn_workorders(00000000-0000-0000-0000-000000000001)` });
    const [post] = api.seen;
    assert.equal(post.headers["odata-version"], "4.0");
    assert.equal(post.headers["odata-maxversion"], "4.0");
    assert.equal(post.headers.authorization, "Bearer tok");
    assert.equal(post.headers["repeatability-request-id"], "PDM1");
    assert.equal(post.headers["x-csrf-token"], undefined, "no CSRF handshake outside SAP");
    erp.close();
    await api.close();
  });

  it("dead-letters with the V4 error message and pages through @odata.nextLink", async () => {
    const api = await webApi();
    const erp = client("dynamics", api.url);
    const rejected = await erp.create({ path: "/api/data/v9.2/msdyn_workorders", body: { msdyn_name: "BAD" }, ref: "BAD", mayExist: false });
    assert.deepEqual(rejected, { outcome: "reject", status: 400, error: "HTTP 400: 0x80040203: msdyn_serviceaccount is required" });
    const rows = (await erp.getAll("/api/data/v9.2/pdm_windows", {})) as Array<{ order: string }>;
    assert.deepEqual(rows.map((r) => r.order), ["O0", "O1", "O2", "O3", "O4", "O5"]);
    erp.close();
    await api.close();
  });

  it("posts plain JSON with an Idempotency-Key to a REST service and never looks up", async () => {
    const api = await webApi();
    const erp = client("rest", api.url);
    const result = await erp.create({ path: "/notifications", body: { asset: "P-1" }, ref: "PDMX", refField: "reference", mayExist: true });
    assert.deepEqual(result, { outcome: "sent", status: 201, erpId: "42" });
    assert.deepEqual(api.seen.map((s) => [s.method, s.url, s.headers["idempotency-key"]]), [["POST", "/notifications", "PDMX"]]);
    erp.close();
    await api.close();
  });
});
