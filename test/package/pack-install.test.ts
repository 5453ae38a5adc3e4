/**
 * The palette-install path: `npm pack` this package, `npm install <tarball>` into a plain
 * Node-RED 4 userDir (only the npm registry, as in a plant), start Node-RED as a user
 * would (red.js with a settings file) and check through the admin API that every node
 * type of package.json registered without error or warning, that the editor gets the
 * script the node dialogs share, and that the reference flows are offered under
 * Import > Examples.
 */
import { strict as assert } from "node:assert";
import { execFileSync, spawn, ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { repoRoot } from "../helpers/runtime";
import { freePort } from "../helpers/net";

const packageJson = JSON.parse(fs.readFileSync(path.join(repoRoot, "package.json"), "utf8")) as {
  name: string;
  "node-red": { nodes: Record<string, string> };
};
const npm = process.platform === "win32" ? "npm.cmd" : "npm";


async function getJson(url: string): Promise<unknown> {
  const response = await fetch(url, { headers: { Accept: "application/json" } });
  assert.equal(response.status, 200, `GET ${url}`);
  return response.json();
}

interface NodeSet {
  id: string;
  module: string;
  types: string[];
  enabled: boolean;
  err?: string;
}

describe("npm pack and install into a plain Node-RED userDir", function () {
  // npm install compiles better-sqlite3 from source when no prebuilt binary can be fetched.
  this.timeout(480_000);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "pdm-pack-"));
  const userDir = path.join(work, "userDir");
  let nodeRed: ChildProcess | undefined;
  let log = "";
  let baseUrl = "";

  before(async () => {
    const tarball = execFileSync(npm, ["pack", "--ignore-scripts", "--pack-destination", work], { cwd: repoRoot, encoding: "utf8" })
      .trim()
      .split("\n")
      .pop() as string;
    fs.mkdirSync(userDir);
    fs.writeFileSync(path.join(userDir, "package.json"), JSON.stringify({ name: "node-red-project", private: true }));
    execFileSync(npm, ["install", "--no-audit", "--no-fund", path.join(work, tarball)], { cwd: userDir, stdio: "pipe" });

    const port = await freePort();
    const settings = path.join(userDir, "settings.js");
    fs.writeFileSync(settings, `module.exports = { uiHost: "127.0.0.1", uiPort: ${port}, flowFile: "flows.json", logging: { console: { level: "info" } } };\n`);
    nodeRed = spawn(process.execPath, [require.resolve("node-red/red.js"), "--userDir", userDir, "--settings", settings], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    nodeRed.stdout?.on("data", (chunk: Buffer) => (log += chunk.toString()));
    nodeRed.stderr?.on("data", (chunk: Buffer) => (log += chunk.toString()));
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`Node-RED did not start:\n${log}`)), 60_000);
      const poll = setInterval(() => {
        if (/Started flows|Server now running/.test(log)) {
          clearInterval(poll);
          clearTimeout(timer);
          resolve();
        }
      }, 100);
      nodeRed?.once("exit", (code) => reject(new Error(`Node-RED exited with ${code}:\n${log}`)));
    });
    baseUrl = `http://127.0.0.1:${port}`;
  });

  after(() => {
    nodeRed?.kill("SIGTERM");
    fs.rmSync(work, { recursive: true, force: true });
  });

  it("ships only built code, examples, models and the bundled recordings", () => {
    const installed = path.join(userDir, "node_modules", packageJson.name);
    for (const file of Object.values(packageJson["node-red"].nodes)) {
      assert.ok(fs.existsSync(path.join(installed, file)), `${file} is in the package`);
      assert.ok(fs.existsSync(path.join(installed, file.replace(/\.js$/, ".html"))), `${file}'s editor HTML is beside it`);
    }
    assert.ok(!fs.existsSync(path.join(installed, "nodes")), "no TypeScript sources");
    assert.ok(!fs.existsSync(path.join(installed, "build", "test")), "no compiled tests");
    assert.ok(!fs.existsSync(path.join(installed, "data", "cmapss")), "no evaluation-only data");
    assert.ok(fs.existsSync(path.join(installed, "data", "femto", "Bearing1_1", "manifest.csv")), "the replay's recording");
  });

  it("registers every node type of package.json, with no error", async () => {
    const sets = (await getJson(`${baseUrl}/nodes`)) as NodeSet[];
    const ours = sets.filter((set) => set.module === packageJson.name);
    const registered = new Set(ours.flatMap((set) => set.types));
    for (const type of Object.keys(packageJson["node-red"].nodes)) {
      assert.ok(registered.has(type), `${type} registered (got ${[...registered].join(", ")})`);
    }
    for (const set of ours) {
      assert.equal(set.err, undefined, `${set.id}: ${set.err}`);
      assert.equal(set.enabled, true, `${set.id} enabled`);
    }
  });

  it("logs no warning or error about our nodes", () => {
    const ourTypes = Object.keys(packageJson["node-red"].nodes);
    const complaints = log
      .split("\n")
      .filter((line) => /\[(warn|error)\]/.test(line))
      .filter((line) => line.includes(packageJson.name) || ourTypes.some((type) => line.includes(type)));
    assert.deepEqual(complaints, []);
  });

  it("serves the script the edit dialogs share, which every node's HTML loads", async () => {
    const script = `resources/${packageJson.name}/pdm-editor.js`;
    const response = await fetch(`${baseUrl}/${script}`);
    assert.equal(response.status, 200, `GET ${script}`);
    assert.match(await response.text(), /window\.PdmEditor = /);
    const html = await (await fetch(`${baseUrl}/nodes`, { headers: { Accept: "text/html" } })).text();
    const loads = html.split(`<script src="${script}"></script>`).length - 1;
    assert.equal(loads, Object.keys(packageJson["node-red"].nodes).length, "every node's HTML loads it");
  });

  it("offers the reference flows under Import > Examples", async () => {
    const modules = (await getJson(`${baseUrl}/library/examples/flows/`)) as string[];
    assert.ok(modules.includes(packageJson.name), `examples of ${packageJson.name} listed: ${modules.join(", ")}`);
    const names = fs.readdirSync(path.join(repoRoot, "flows")).filter((f) => f.endsWith(".json"));
    assert.ok(names.length > 0);
    for (const name of names) {
      const flow = (await getJson(`${baseUrl}/library/examples/flows/${packageJson.name}/${name.replace(/\.json$/, "")}`)) as unknown[];
      assert.ok(Array.isArray(flow) && flow.length > 0, `${name} is served as a flow`);
    }
  });
});
