/**
 * The editor as an engineer meets it: npm start's Node-RED (with an empty flow) opened in
 * headless Chromium. For every node type the package registers, through the editor's own
 * RED API: it is in the palette (config nodes: registered), its help has the sections users
 * look for, a node with its defaults (plus what the user must fill in) is valid, and clearly
 * bad values of validated fields (the runtime would refuse them at deploy) make it invalid,
 * naming the field. The pdm nodes of the reference flows are valid; a few edit dialogs are
 * opened; and the whole run must leave no browser error that comes from pdm code.
 */
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { Browser, Page, chromium } from "playwright-core";
import { Demo, startDemo } from "../helpers/demo";
import { repoRoot } from "../helpers/runtime";

const chromiumPath = "/usr/bin/chromium";
const packageJson = JSON.parse(fs.readFileSync(path.join(repoRoot, "package.json"), "utf8")) as {
  name: string;
  "node-red": { nodes: Record<string, string> };
};
const nodeTypes = Object.keys(packageJson["node-red"].nodes);
const sharedScript = `resources/${packageJson.name}/pdm-editor.js`;

/** A valid ERP connection the nodes that need one are given. */
const connection = { id: "editor-test-erp", type: "pdm-erp-connection", baseUrl: "https://s4.example.com:44300" };

interface EditorCase {
  /** What the user must fill in, beyond the defaults, before the node is valid (none: the defaults are). */
  fill?: Record<string, unknown>;
  /** Clearly bad values of fields the editor validates, each checked on its own. */
  bad: Array<{ field: string; value: unknown }>;
}

/** Keyed by node type; the test fails if a registered type is missing here. */
const cases: Record<string, EditorCase> = {
  // A 6205 bearing by its geometry; the runtime takes contact angles of 0-45°.
  "pdm-asset": {
    fill: { assetId: "pump-07", nominalRpm: "0", bearingSpec: "geometry", balls: "9", ballDiameter: "7.94", pitchDiameter: "39.04" },
    bad: [{ field: "contactAngle", value: "60" }],
  },
  "pdm-replay": { bad: [{ field: "speed", value: -1 }] },
  // A band-pass pre-filter needs both cut-offs; harmonics are counted; FFT sizes are powers of two.
  "pdm-features": {
    fill: { prefilter: "bandpass", prefilterLow: "500", prefilterHigh: "5000" },
    bad: [
      { field: "prefilterHigh", value: "" },
      { field: "harmonics", value: "2.5" },
      { field: "fftSize", value: "1000" },
    ],
  },
  "pdm-audit": { bad: [{ field: "checkpointMinutes", value: -5 }] },
  "pdm-audit-verify": { bad: [{ field: "trustedKeys", value: "not-a-key" }] },
  "pdm-ingest": {
    fill: { tags: [{ tag: "ns=2;s=Pump07.Vib", asset: "pump-07", sensor: "acc" }] },
    // Two rows feeding the same asset/sensor stream.
    bad: [{ field: "tags", value: [{ tag: "a", asset: "pump-07", sensor: "acc" }, { tag: "b", asset: "pump-07", sensor: "acc" }] }],
  },
  "pdm-window": { bad: [{ field: "size", value: -1024 }] },
  "pdm-buffer": { bad: [{ field: "maxMessages", value: "lots" }] },
  "pdm-planner": { bad: [{ field: "horizonH", value: 0 }] },
  "pdm-rules": {
    fill: { assetParts: '{"pump-07": [{"part": "bearing-6205", "quantity": 2}]}' },
    bad: [{ field: "assetParts", value: '{"pump-07": "bearing-6205"}' }], // JSON, but not a list of parts
  },
  "pdm-health-index": { bad: [{ field: "failureValues", value: "rms" }] }, // a feature without its value
  "pdm-rul": { bad: [{ field: "forgetting", value: 1.5 }] },
  "pdm-erp-connection": { fill: { baseUrl: connection.baseUrl }, bad: [{ field: "baseUrl", value: "s4.example.com" }] },
  "pdm-erp-push": { fill: { connection: connection.id }, bad: [{ field: "concurrency", value: 0 }] },
  "pdm-erp-pull": { fill: { connection: connection.id }, bad: [{ field: "daysAhead", value: -1 }] },
  "pdm-oee": { bad: [{ field: "idealCycleS", value: "one minute" }] },
  "pdm-anomaly": {
    bad: [
      { field: "quantile", value: 1.5 },
      { field: "persistK", value: 6 }, // 6 of the last 5 windows
    ],
  },
};

/** The editor-side view of a node type, read in the page. */
interface TypeReport {
  registered: boolean;
  config: boolean;
  inPalette: boolean;
  helpHeadings: string[];
  /** Text of the help before its first heading. */
  helpIntro: string;
  defaults: string[];
  credentials: string[];
}

/** Validation of one node, imported into the editor and checked with RED.editor.validateNode. */
interface Validation {
  valid: boolean;
  errors: unknown[];
}

interface EditorNode {
  id: string;
  type: string;
  name?: string;
  valid?: boolean;
  validationErrors?: unknown[];
  _def: { category?: string; defaults: Record<string, { value: unknown }>; credentials?: Record<string, unknown> };
}

/** The parts of the editor's RED used here. */
interface EditorRed {
  nodes: {
    getType(type: string): EditorNode["_def"] | undefined;
    getNodeHelp(type: string): string | undefined;
    node(id: string): EditorNode | undefined;
    import(nodes: unknown[], options?: { generateIds: boolean }): { nodes: EditorNode[] };
    remove(id: string): unknown;
  };
  editor: { validateNode(node: EditorNode): boolean; edit(node: EditorNode): void; editConfig(name: string, type: string, id: string): void };
  workspaces: { active(): string };
}
type EditorWindow = { RED: EditorRed; PdmEditor?: unknown };

describe("node editor in headless Chromium", function () {
  this.timeout(120_000);
  let demo: Demo;
  let browser: Browser;
  let page: Page;
  /** Browser errors, each with the step of the test it came in and the script URLs it names. */
  const browserErrors: Array<{ step: string; error: string; urls: string[] }> = [];
  let step = "loading the editor";
  /** Every node's .html loads the shared script: the first answer is 200, the others may be 304 (cached). */
  const sharedScriptStatuses: number[] = [];

  before(async function () {
    if (!fs.existsSync(chromiumPath)) {
      if (process.env.CI) throw new Error(`${chromiumPath} is missing: .ci/run installs Debian's chromium`);
      console.warn(`skipped: ${chromiumPath} not installed (apt-get install chromium)`);
      this.skip();
    }
    demo = await startDemo({ seedFlows: [] });
    browser = await chromium.launch({
      executablePath: chromiumPath,
      args: ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    });
    page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    page.on("console", (message) => {
      if (message.type() === "error") browserErrors.push({ step, error: `console: ${message.text()}`, urls: [message.location().url] });
    });
    page.on("pageerror", (error) => {
      const stack = error.stack ?? error.message;
      browserErrors.push({ step, error: `page error: ${stack}`, urls: stack.match(/https?:\/\/[^\s)]+/g) ?? [] });
    });
    page.on("response", (response) => {
      if (response.url().endsWith(sharedScript)) sharedScriptStatuses.push(response.status());
    });
    await page.goto(`${demo.url}/`);
    // The editor is ready when the palette shows our nodes and the (empty) flow has a tab.
    await page.waitForFunction(
      () => {
        const RED = (window as unknown as Partial<EditorWindow>).RED;
        return document.querySelector(".red-ui-palette-node[data-palette-type='pdm-window']") !== null && !!RED?.workspaces.active();
      },
      undefined,
      { timeout: 60_000 },
    );
    // Node-RED 4.1 asks a fresh userDir once whether to check for updates; the modal would
    // cover the edit dialogs.
    await page.getByRole("button", { name: "No, do not enable notifications" }).click({ timeout: 30_000 });
    await addNode(connection.type, { id: connection.id, baseUrl: connection.baseUrl });
  });

  after(async () => {
    await browser?.close();
    await demo?.stop();
  });

  it("has a test case for every node type in package.json", () => {
    assert.deepEqual(Object.keys(cases).sort(), [...nodeTypes].sort());
  });

  it("loads the shared editor script from the package's resources", async () => {
    assert.equal(sharedScriptStatuses[0], 200, `GET ${sharedScript}: ${sharedScriptStatuses.join(", ")}`);
    assert.ok(sharedScriptStatuses.every((status) => status === 200 || status === 304), sharedScriptStatuses.join(", "));
    assert.equal(await page.evaluate(() => typeof (window as unknown as EditorWindow).PdmEditor), "object");
  });

  it("registers every node type, shows it in the palette and gives it help", async () => {
    const reports = await page.evaluate((types) => {
      const RED = (window as unknown as EditorWindow).RED;
      return types.map((type): TypeReport => {
        const def = RED.nodes.getType(type);
        const help = document.createElement("div");
        help.innerHTML = RED.nodes.getNodeHelp(type) ?? "";
        const headings = Array.from(help.querySelectorAll("h3")).map((h) => h.textContent?.trim() ?? "");
        let intro = "";
        for (const child of Array.from(help.children)) {
          if (child.tagName === "H3") break;
          intro += child.textContent ?? "";
        }
        return {
          registered: def !== undefined,
          config: def?.category === "config",
          inPalette: document.querySelector(`.red-ui-palette-node[data-palette-type='${type}']`) !== null,
          helpHeadings: headings,
          helpIntro: intro.trim(),
          defaults: Object.keys(def?.defaults ?? {}),
          credentials: Object.keys(def?.credentials ?? {}),
        };
      });
    }, nodeTypes);
    const secret = /^(password|secret|clientSecret|token|privateKey|apiKey)$/i;
    nodeTypes.forEach((type, i) => {
      const report = reports[i];
      assert.ok(report.registered, `${type} is registered`);
      assert.ok(report.helpIntro.length >= 20, `${type}: the help starts with a description (${JSON.stringify(report.helpIntro)})`);
      if (report.config) {
        assert.ok(!report.inPalette, `${type} is a config node, not in the palette`);
      } else {
        assert.ok(report.inPalette, `${type} is in the palette`);
        for (const section of ["Inputs", "Outputs", "Details"]) {
          assert.ok(report.helpHeadings.includes(section), `${type}: help has ${section} (has ${report.helpHeadings.join(", ")})`);
        }
      }
      // Secrets belong in credentials, which Node-RED keeps out of flows.json and exports.
      for (const property of report.defaults) assert.doesNotMatch(property, secret, `${type}.${property} looks like a secret but is a flow property`);
    });
    assert.deepEqual(reports[nodeTypes.indexOf("pdm-erp-connection")].credentials.sort(), ["clientId", "clientSecret", "password", "token", "user"]);
    assert.deepEqual(reports[nodeTypes.indexOf("pdm-audit")].credentials, ["privateKey"]);
  });

  /** Import a node of `type` with its defaults and `properties` over them, validate it, remove it. */
  async function validate(type: string, properties: Record<string, unknown>): Promise<Validation> {
    const id = `validate-${type}`;
    await addNode(type, { id, ...properties });
    return page.evaluate((id) => {
      const RED = (window as unknown as EditorWindow).RED;
      const node = RED.nodes.node(id)!;
      const valid = RED.editor.validateNode(node);
      const errors = node.validationErrors ?? [];
      RED.nodes.remove(id);
      return { valid, errors };
    }, id);
  }

  for (const type of nodeTypes) {
    const testCase = cases[type];
    if (!testCase) continue; // reported by the first test
    const badText = testCase.bad.map((bad) => `${bad.field} = ${JSON.stringify(bad.value)}`).join(", ");
    it(`${type}: valid with its defaults${testCase.fill ? ` and ${Object.keys(testCase.fill).join(", ")}` : ""}; invalid with ${badText}`, async () => {
      const good = await validate(type, testCase.fill ?? {});
      assert.deepEqual(good, { valid: true, errors: [] });
      for (const { field, value } of testCase.bad) {
        const bad = await validate(type, { ...testCase.fill, [field]: value });
        assert.deepEqual(bad, { valid: false, errors: [field] }, `${field} = ${JSON.stringify(value)}`);
      }
    });
  }

  it("finds every pdm node of the reference flows valid, as Import > Examples gives them to a user", async () => {
    const files = fs.readdirSync(path.join(repoRoot, "flows")).filter((name) => name.endsWith(".json"));
    assert.ok(files.length > 0);
    for (const file of files) {
      step = `importing ${file}`;
      const flow = JSON.parse(fs.readFileSync(path.join(repoRoot, "flows", file), "utf8")) as unknown[];
      const checked = await page.evaluate((flow) => {
        const RED = (window as unknown as EditorWindow).RED;
        const { nodes } = RED.nodes.import(flow, { generateIds: true });
        return nodes
          .filter((node) => node.type.startsWith("pdm-"))
          .map((node) => ({ node: `${node.type} "${node.name ?? ""}"`, valid: RED.editor.validateNode(node), errors: node.validationErrors ?? [] }));
      }, flow);
      assert.ok(checked.length > 0, `${file} has pdm nodes`);
      assert.deepEqual(checked.filter((c) => !c.valid), [], file);
    }
  });

  it("marks a bad value in an edit dialog, renders the forms with lists, code editors and config nodes, and saves built rows", async () => {
    step = "the pdm-window dialog";
    // pdm-window: the engineer types a negative window size; the field turns red.
    await addNode("pdm-window", { id: "edit-window" });
    await openEditDialog("edit-window");
    const size = page.locator("#node-input-size");
    await size.waitFor({ state: "visible", timeout: 10_000 });
    assert.equal(await size.inputValue(), "1024");
    assert.ok(!(await size.getAttribute("class"))?.includes("input-error"));
    await size.fill("-1024");
    await size.dispatchEvent("change");
    assert.match((await size.getAttribute("class")) ?? "", /input-error/);
    await cancelEditDialog();

    // pdm-ingest (an editable list of tag rows), pdm-rules (a code editor), pdm-features (many
    // toggled rows).
    const dialogs: Array<{ type: string; properties: Record<string, unknown>; shows: string }> = [
      { type: "pdm-ingest", properties: { source: "modbus", tags: [{ tag: "40001", asset: "pump-07", sensor: "temp", address: "0" }] }, shows: ".pdm-ingest-address" },
      { type: "pdm-rules", properties: {}, shows: "#node-input-rules-editor .monaco-editor" },
      { type: "pdm-features", properties: { bearing: true }, shows: "#node-input-envelopeLow" },
    ];
    for (const dialog of dialogs) {
      const id = `edit-${dialog.type}`;
      step = `the ${dialog.type} dialog`;
      await addNode(dialog.type, { id, ...dialog.properties });
      await openEditDialog(id);
      await page.locator(dialog.shows).first().waitFor({ state: "visible", timeout: 10_000 });
      await cancelEditDialog();
    }
    assert.equal(await page.locator(".pdm-ingest-address").count(), 0, "the dialogs closed");

    // pdm-erp-push builds its four record sections in the dialog: they show the node's values,
    // and an edit is saved with Done.
    step = "the pdm-erp-push dialog";
    const workOrderPath = "API_MAINTENANCEORDER/MaintenanceOrder";
    await addNode("pdm-erp-push", { id: "edit-push", connection: connection.id, workOrderPath });
    await openEditDialog("edit-push");
    const pathInput = page.locator("#node-input-workOrderPath");
    await pathInput.waitFor({ state: "visible", timeout: 10_000 });
    assert.equal(await pathInput.inputValue(), workOrderPath);
    await page.locator("#node-input-oeeRefField").fill("-");
    await page.locator("#node-dialog-ok").click();
    await pathInput.waitFor({ state: "detached", timeout: 10_000 });
    const saved = await page.evaluate(() => {
      const node = (window as unknown as EditorWindow).RED.nodes.node("edit-push") as unknown as Record<string, unknown>;
      return [node.workOrderPath, node.oeeRefField, node.notificationMapping, node.connection];
    });
    assert.deepEqual(saved, [workOrderPath, "-", "", connection.id]);

    step = "the pdm-asset dialog";
    // A config node's own dialog: the bearing geometry rows show when geometry is chosen.
    await page.evaluate(() => (window as unknown as EditorWindow).RED.editor.editConfig("", "pdm-asset", "_ADD_"));
    await trayOpened();
    const spec = page.locator("#node-config-input-bearingSpec");
    await spec.waitFor({ state: "visible", timeout: 10_000 });
    assert.ok(!(await page.locator("#node-config-input-balls").isVisible()));
    await spec.selectOption("geometry");
    assert.ok(await page.locator("#node-config-input-balls").isVisible());
    await page.locator("#node-config-dialog-cancel").click();
    await spec.waitFor({ state: "detached", timeout: 10_000 });
  });

  it("left no browser error from pdm code", () => {
    // The node .html scripts run inline in the editor page, so an error of theirs names the
    // page (or the shared script) in its stack; only errors wholly inside the libraries the
    // editor ships (vendor/, e.g. Monaco when a dialog closes while it is still starting) are
    // not ours.
    const ours = browserErrors.filter((entry) => entry.urls.length === 0 || entry.urls.some((url) => !url.includes("/vendor/")));
    assert.deepEqual(ours, []);
    for (const entry of browserErrors) console.log(`      not from pdm code, during ${entry.step}: ${entry.error.split("\n")[0]}`);
  });

  async function openEditDialog(id: string): Promise<void> {
    await page.evaluate((id) => {
      const RED = (window as unknown as EditorWindow).RED;
      RED.editor.edit(RED.nodes.node(id)!);
    }, id);
    await trayOpened();
  }

  /**
   * The edit tray has finished sliding in (a 0.25 s CSS transition of its right edge): a
   * click during the slide can land where a button was a frame ago, which on a loaded
   * machine left the dialog open.
   */
  async function trayOpened(): Promise<void> {
    await page.waitForFunction(() => {
      const trays = document.querySelectorAll(".red-ui-tray");
      const tray = trays[trays.length - 1];
      return tray !== undefined && getComputedStyle(tray).right === "0px";
    }, undefined, { timeout: 10_000 });
  }

  async function cancelEditDialog(): Promise<void> {
    const cancel = page.locator("#node-dialog-cancel");
    await cancel.click();
    await cancel.waitFor({ state: "detached", timeout: 10_000 });
  }

  /** Add a node as a drop from the palette does (a copy of every default), with `properties` over the defaults. */
  function addNode(type: string, properties: Record<string, unknown> & { id: string }): Promise<void> {
    return page.evaluate(
      ({ type, properties }) => {
        const RED = (window as unknown as EditorWindow).RED;
        const def = RED.nodes.getType(type);
        if (!def) throw new Error(`${type} is not registered`);
        const node: Record<string, unknown> = { type };
        for (const [name, property] of Object.entries(def.defaults)) node[name] = JSON.parse(JSON.stringify(property.value));
        if (def.category !== "config") Object.assign(node, { z: RED.workspaces.active(), x: 300, y: 300, wires: [] });
        RED.nodes.import([{ ...node, ...properties }]);
        if (!RED.nodes.node(properties.id)) throw new Error(`${type} was not imported`);
      },
      { type, properties },
    );
  }
});
