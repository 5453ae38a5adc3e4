/**
 * The reference flow end to end, as an engineer sees it: the demo runs on the recorded
 * data, and headless Chromium (Debian's chromium, driven by playwright-core) opens the
 * dashboard, checks that the machine tiles and charts show live values, that the faulty
 * CWRU recordings raise an alarm, clicks Acknowledge and finds the acknowledgement in
 * the audit log, and that work orders reach the (demo) ERP. Screenshots of every page go
 * to test-output/dashboard/.
 */
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import Database from "better-sqlite3";
import { Browser, Page, chromium } from "playwright-core";
import { completeMaintenanceSystem } from "../../scripts/flows/complete-maintenance-system";
import { Demo, startDemo } from "../helpers/demo";
import { freePort } from "../helpers/net";
import { repoRoot } from "../helpers/runtime";

const chromiumPath = "/usr/bin/chromium";
const screenshots = path.join(repoRoot, "test-output", "dashboard");

/** Poll `probe` until it returns a value, or fail with `what` after `timeoutMs`. */
async function eventually<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

describe("reference flow and dashboard in headless Chromium", function () {
  this.timeout(180_000);
  let demo: Demo;
  let browser: Browser;
  let page: Page;

  before(async function () {
    if (!fs.existsSync(chromiumPath)) {
      if (process.env.CI) throw new Error(`${chromiumPath} is missing: .ci/run installs Debian's chromium`);
      console.warn(`skipped: ${chromiumPath} not installed (apt-get install chromium)`);
      this.skip();
    }
    // The demo ERP lives in the flow itself; point the ERP connection at this run's port.
    const port = await freePort();
    const flows = completeMaintenanceSystem().map((node) =>
      node.type === "pdm-erp-connection" ? { ...node, baseUrl: `http://127.0.0.1:${port}` } : node,
    );
    demo = await startDemo({ port, seedFlows: flows });
    browser = await chromium.launch({
      executablePath: chromiumPath,
      args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    });
    page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    fs.mkdirSync(screenshots, { recursive: true });
  });

  after(async () => {
    await browser?.close();
    await demo?.stop();
  });

  it("shows a tile per machine with live values, and the CWRU faults raise an alarm", async () => {
    await page.goto(`${demo.url}/ui/#!/0`);
    const cwruTile = page.locator("#tile-cwru-drive-end");
    await cwruTile.waitFor({ timeout: 60_000 });
    await eventually("the CWRU alarm on its tile", async () => ((await cwruTile.getAttribute("class"))?.includes("pdm-alarm") ? true : undefined));
    assert.match(await cwruTile.innerText(), /ALARM/);
    const femtoTile = page.locator("#tile-femto-bearing1_1");
    await eventually("a RUL on the FEMTO tile", async () => (/RUL \d/.test(await femtoTile.innerText()) ? true : undefined));
    await page.screenshot({ path: path.join(screenshots, "overview.png") });
  });

  it("records an acknowledged alarm in the audit log", async () => {
    const button = page.locator("button.pdm-ack").first();
    await button.waitFor({ timeout: 30_000 });
    await button.click();
    await page.getByText("acknowledged", { exact: true }).first().waitFor({ timeout: 10_000 });
    const log = new Database(path.join(demo.userDir, "pdm", "audit", "plant.sqlite"), { readonly: true });
    try {
      const acknowledged = await eventually("the acknowledgement in the audit log", async () =>
        log.prepare("SELECT actor, payload FROM records WHERE type = 'alarm-acknowledged'").get() as { actor: string; payload: string } | undefined,
      10_000);
      assert.equal(acknowledged.actor, "operator (dashboard)");
      const raised = log.prepare("SELECT count(*) AS n FROM records WHERE type = 'alarm-raised'").get() as { n: number };
      assert.ok(raised.n >= 1, "the raised alarm is in the log too");
    } finally {
      log.close();
    }
  });

  it("draws the condition trends and the envelope spectrum with the defect lines", async () => {
    await page.goto(`${demo.url}/ui/#!/1`);
    await page.getByText("Vibration RMS (g)").first().waitFor({ timeout: 30_000 });
    const spectrum = page.locator("svg.pdm-spectrum polyline").first();
    await spectrum.waitFor({ timeout: 30_000 });
    const points = (await spectrum.getAttribute("points")) ?? "";
    assert.ok(points.split(" ").length > 50, `the envelope spectrum has points (${points.length} chars)`);
    assert.ok((await page.getByText(/BPFI \d+(\.\d)? Hz/).count()) > 0, "the BPFI line is marked");
    await page.screenshot({ path: path.join(screenshots, "asset-detail.png"), fullPage: true });
  });

  it("plans the work orders and pushes them to the ERP", async () => {
    await page.goto(`${demo.url}/ui/#!/2`);
    const received = await eventually("work orders at the demo ERP", async () => {
      const text = await page.locator("body").innerText();
      const match = /(\d+) records received/.exec(text);
      return match && Number(match[1]) > 0 ? Number(match[1]) : undefined;
    }, 90_000);
    assert.ok(received > 0);
    assert.ok((await page.locator("svg rect").count()) > 0, "the Gantt chart has bars");
    await page.screenshot({ path: path.join(screenshots, "maintenance.png") });
  });

  it("verifies the audit log on request", async () => {
    await page.goto(`${demo.url}/ui/#!/3`);
    await page.getByText("Verify now").click();
    await page.getByText(/intact: \d+ records/).waitFor({ timeout: 30_000 });
    await page.screenshot({ path: path.join(screenshots, "audit.png") });
  });
});
