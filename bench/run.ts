/**
 * `npm run bench`: runs every area's benchmark (bench/<area>.bench.ts exporting
 * `run(report)`), each figure printed beside its reference from the same run.
 * `npm run bench -- features audit` runs only those areas. Results are also written to
 * bench-output/results.json.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { BenchReport } from "./report";

type BenchModule = { run(report: BenchReport): Promise<void> | void };

async function main(): Promise<void> {
  const only = process.argv.slice(2);
  const files = fs
    .readdirSync(__dirname)
    .filter((name) => name.endsWith(".bench.js"))
    .filter((name) => only.length === 0 || only.includes(name.replace(/\.bench\.js$/, "")));
  if (files.length === 0) throw new Error(`no benchmarks match ${only.join(", ")}`);
  const report = new BenchReport();
  for (const file of files) {
    console.log(`\n== ${file.replace(/\.bench\.js$/, "")}`);
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const bench = require(path.join(__dirname, file)) as BenchModule;
    await bench.run(report);
  }
  const outDir = path.resolve(__dirname, "..", "..", "bench-output");
  fs.mkdirSync(outDir, { recursive: true });
  fs.writeFileSync(path.join(outDir, "results.json"), JSON.stringify(report.rows, null, 2));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
