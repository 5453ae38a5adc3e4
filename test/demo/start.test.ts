/**
 * `npm start` as a user runs it (the built start script in a child process, its own
 * userDir): the editor answers, the reference flow is deployed with every node type
 * known, and the dashboard is served.
 */
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { Demo, startDemo } from "../helpers/demo";
import { repoRoot } from "../helpers/runtime";

describe("npm start", function () {
  this.timeout(60_000);
  let demo: Demo;

  before(async () => {
    demo = await startDemo();
  });

  after(() => demo?.stop());

  it("deploys the reference flow with every node type known", async () => {
    const response = await fetch(`${demo.url}/flows`, { headers: { Accept: "application/json" } });
    assert.equal(response.status, 200);
    const flows = (await response.json()) as Array<{ type: string }>;
    const reference = JSON.parse(fs.readFileSync(path.join(repoRoot, "flows", "complete-maintenance-system.json"), "utf8")) as unknown[];
    assert.equal(flows.length, reference.length);
    assert.ok(flows.some((node) => node.type === "pdm-replay"));
    assert.doesNotMatch(demo.log(), /missing types|Waiting for missing/);
    assert.doesNotMatch(demo.log(), /\[error\]/);
  });

  it("serves the editor on loopback and the dashboard at /ui", async () => {
    assert.match(demo.url, /^http:\/\/127\.0\.0\.1:/);
    assert.equal((await fetch(`${demo.url}/`)).status, 200);
    assert.equal((await fetch(`${demo.url}/ui/`)).status, 200);
  });
});
