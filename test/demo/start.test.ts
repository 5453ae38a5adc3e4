/**
 * `npm start` as a user runs it (the built start script in a child process, its own
 * userDir): the editor answers, the reference flow is deployed with every node type
 * known, its demo ERP serves production orders, and the dashboard is served.
 */
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { Demo, startDemo } from "../helpers/demo";
import { freePort } from "../helpers/net";
import { repoRoot } from "../helpers/runtime";

const referenceFlow = path.join(repoRoot, "flows", "complete-maintenance-system.json");

describe("npm start", function () {
  this.timeout(60_000);
  let demo: Demo;

  before(async () => {
    // As a user runs it, on a port other than 1880 (PDM_PORT).
    demo = await startDemo({ port: await freePort() });
  });

  after(() => demo?.stop());

  it("deploys the reference flow with every node type known", async () => {
    const response = await fetch(`${demo.url}/flows`, { headers: { Accept: "application/json" } });
    assert.equal(response.status, 200);
    const flows = (await response.json()) as Array<{ id: string; type: string; baseUrl?: string }>;
    const reference = JSON.parse(fs.readFileSync(referenceFlow, "utf8")) as unknown[];
    assert.equal(flows.length, reference.length);
    assert.ok(flows.some((node) => node.type === "pdm-replay"));
    // The demo ERP is an endpoint of the flow itself: its connection follows the port.
    assert.equal(flows.find((node) => node.id === "erp-demo")?.baseUrl, `http://127.0.0.1:${demo.port}`);
    assert.doesNotMatch(demo.log(), /missing types|Waiting for missing/);
    assert.doesNotMatch(demo.log(), /\[error\]/);
  });

  it("serves the demo ERP's production orders the way pdm-erp-pull asks a REST ERP", async () => {
    const from = new Date("2026-03-02T00:00:00"), to = new Date("2026-03-04T00:00:00");
    const response = await fetch(`${demo.url}/demo-erp/production-orders?plant=1010&from=${from.toISOString()}&to=${to.toISOString()}`);
    assert.equal(response.status, 200);
    const orders = (await response.json()) as Array<{ order: string; plant: string; workCenter: string; start: string; end: string }>;
    // Two orders a day per machine; the CWRU motor's second order of 1 March runs into 2 March.
    assert.equal(orders.length, 9);
    for (const o of orders) {
      assert.equal(o.plant, "1010");
      assert.ok(Date.parse(o.start) < to.getTime() && Date.parse(o.end) > from.getTime(), `${o.order} overlaps the range`);
    }
    assert.deepEqual(new Set(orders.map((o) => o.workCenter)), new Set(["femto-bearing1_1", "cwru-drive-end"]));
  });

  it("serves the editor on loopback and the dashboard at /ui", async () => {
    assert.match(demo.url, /^http:\/\/127\.0\.0\.1:/);
    assert.equal((await fetch(`${demo.url}/`)).status, 200);
    assert.equal((await fetch(`${demo.url}/ui/`)).status, 200);
  });
});
