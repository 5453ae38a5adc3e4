/**
 * Runs `npm start`'s script as a user would, in a child process with its own userDir and
 * port, and waits until the flows have started.
 */
import { ChildProcess, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { repoRoot } from "./runtime";

export interface Demo {
  url: string;
  port: number;
  userDir: string;
  log(): string;
  /** Stops the child, waits for it to exit, then removes its userDir. */
  stop(): Promise<void>;
}


/**
 * Start the demo. `seedFlows` (a flow array) is written as the userDir's flows.json first,
 * for tests that adapt the reference flow (e.g. its demo ERP URL to the chosen port).
 */
export async function startDemo(options: { port?: number; seedFlows?: unknown[] } = {}): Promise<Demo> {
  const userDir = fs.mkdtempSync(path.join(os.tmpdir(), "pdm-demo-"));
  if (options.seedFlows) fs.writeFileSync(path.join(userDir, "flows.json"), JSON.stringify(options.seedFlows));
  const child: ChildProcess = spawn(process.execPath, [path.join(repoRoot, "build", "scripts", "start.js")], {
    env: { ...process.env, PDM_PORT: String(options.port ?? 0), PDM_USERDIR: userDir },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let log = "";
  child.stdout?.on("data", (chunk: Buffer) => (log += chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => (log += chunk.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the demo did not start:\n${log}`)), 45_000);
    const poll = setInterval(() => {
      const match = /editor:\s+(http:\/\/127\.0\.0\.1:\d+)/.exec(log);
      if (match && log.includes("Started flows")) {
        clearInterval(poll);
        clearTimeout(timer);
        resolve(match[1]);
      }
    }, 100);
    child.once("exit", (code) => reject(new Error(`the demo exited with ${code}:\n${log}`)));
  });
  return {
    url,
    port: Number(new URL(url).port),
    userDir,
    log: () => log,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once("exit", resolve));
        child.kill("SIGTERM");
        await exited;
      }
      fs.rmSync(userDir, { recursive: true, force: true });
    },
  };
}
