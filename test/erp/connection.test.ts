import { strict as assert } from "node:assert";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { createClient } from "../../nodes/erp/connection";
import { ErpClient } from "../../nodes/erp/erp-client";
import { GatewayServer, start } from "./sap-gateway-server";

const PATH = "/sap/opu/odata/sap/API_MAINTNOTIFICATION/MaintenanceNotification";
const request = { path: PATH, body: { NotificationText: "x", MaintNotifExtReferenceNumber: "TLS1" }, ref: "TLS1", mayExist: false };

/** A self-signed certificate for 127.0.0.1, made with the system's openssl. */
function selfSigned(): { key: string; cert: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pdm-erp-tls-"));
  execFileSync("openssl", [
    "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
    "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", path.join(dir, "key.pem"), "-out", path.join(dir, "cert.pem"),
  ], { stdio: "ignore" });
  return { key: fs.readFileSync(path.join(dir, "key.pem"), "utf8"), cert: fs.readFileSync(path.join(dir, "cert.pem"), "utf8") };
}

describe("ERP connection settings", () => {
  it("names the setting that is wrong", () => {
    const base = { system: "sap", baseUrl: "https://s4.example.com", authType: "basic" };
    const user = { user: "u", password: "p" };
    assert.throws(() => createClient({ ...base, baseUrl: "s4.example.com" }, user), /^ValidationError: baseUrl: expected an http:\/\/ or https:\/\/ URL, got "s4.example.com"/);
    assert.throws(() => createClient({ ...base, sapClient: "1000" }, user), /sapClient: expected three digits/);
    assert.throws(() => createClient({ ...base, system: "oracle" }, user), /system: expected one of "sap", "dynamics", "rest"/);
    assert.throws(() => createClient(base, {}), /user: expected a non-empty string/);
    assert.throws(() => createClient({ ...base, authType: "oauth2" }, { clientId: "c", clientSecret: "s" }), /tokenUrl: expected a non-empty string/);
    assert.throws(() => createClient({ ...base, ca: "not a certificate" }, user), /ca: expected PEM certificates/);
    createClient({ ...base, timeoutS: "5", sapClient: "100" }, user).close();
  });
});

describe("ERP connection over TLS", () => {
  const tls = selfSigned();
  let server: GatewayServer | undefined;
  let client: ErpClient | undefined;
  afterEach(async () => {
    client?.close();
    await server?.stop();
  });

  it("refuses a certificate it cannot verify, by default", async () => {
    server = await start({ tls });
    client = createClient({ system: "sap", baseUrl: server.url, authType: "none" }, {});
    const result = await client.create(request);
    assert.equal(result.outcome, "retry");
    assert.match((result as { error: string }).error, /self-signed certificate/);
    assert.equal(server.records.length, 0);
  });

  it("trusts the server with the company CA given", async () => {
    server = await start({ tls });
    client = createClient({ system: "sap", baseUrl: server.url, authType: "none", ca: tls.cert }, {});
    assert.equal((await client.create(request)).outcome, "sent");
    assert.equal(server.records.length, 1);
  });

  it("connects without verification only when switched off", async () => {
    server = await start({ tls });
    client = createClient({ system: "sap", baseUrl: server.url, authType: "none", verifyTls: false }, {});
    assert.equal((await client.create(request)).outcome, "sent");
  });
});
