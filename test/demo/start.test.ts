/**
 * `npm start` as a user runs it (the built start script in a child process, its own
 * userDir): the editor answers, the reference flow is deployed with every node type
 * known, the dashboard is served, and the replay is running on the recorded data.
 */
import { strict as assert } from "node:assert";
import { ChildProcess, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { repoRoot } from "../helpers/runtime";

describe("npm start", function () {
  this.timeout(60_000);
  const userDir = fs.mkdtempSync(path.join(os.tmpdir(), "pdm-start-"));
  let child: ChildProcess | undefined;
  let log = "";
  let url = "";

  before(async () => {
    child = spawn(process.execPath, [path.join(repoRoot, "build", "scripts", "start.js")], {
      env: { ...process.env, PDM_PORT: "0", PDM_USERDIR: userDir },
      stdio: ["ignore", "pipe", "pipe"],
    });
    child.stdout?.on("data", (chunk: Buffer) => (log += chunk.toString()));
    child.stderr?.on("data", (chunk: Buffer) => (log += chunk.toString()));
    url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no editor URL printed:\n${log}`)), 30_000);
      const poll = setInterval(() => {
        const match = /editor:\s+(http:\/\/127\.0\.0\.1:\d+)/.exec(log);
        if (match && log.includes("Started flows")) {
          clearInterval(poll);
          clearTimeout(timer);
          resolve(match[1]);
        }
      }, 100);
      child?.once("exit", (code) => reject(new Error(`start exited with ${code}:\n${log}`)));
    });
  });

  after(() => {
    child?.kill("SIGTERM");
  });

  it("deploys the reference flow with every node type known", async () => {
    const response = await fetch(`${url}/flows`, { headers: { Accept: "application/json" } });
    assert.equal(response.status, 200);
    const flows = (await response.json()) as Array<{ type: string }>;
    const reference = JSON.parse(fs.readFileSync(path.join(repoRoot, "flows", "complete-maintenance-system.json"), "utf8")) as unknown[];
    assert.equal(flows.length, reference.length);
    assert.ok(flows.some((node) => node.type === "pdm-replay"));
    assert.doesNotMatch(log, /missing types|Waiting for missing/);
    assert.doesNotMatch(log, /\[error\]/);
  });

  it("serves the editor on loopback and the dashboard at /ui", async () => {
    assert.match(url, /^http:\/\/127\.0\.0\.1:/);
    assert.equal((await fetch(`${url}/`)).status, 200);
    assert.equal((await fetch(`${url}/ui/`)).status, 200);
  });
});
