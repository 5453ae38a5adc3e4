/**
 * `npm run eval:rul`: the RUL methods on public run-to-failure data, through the same
 * core as the pdm-rul node (RulService) with the shipped models.
 *
 *   npm run eval:rul                                   FD001 and FD002 with the repo's data, then FEMTO Bearing1_1
 *   npm run eval:rul -- --subset FD001 --test <test_FD001.txt> --truth <RUL_FD001.txt> [--model <sidecar.json>]
 *   npm run eval:rul -- --femto <folder> [--at <snapshot file or index>] [--plot <file.svg>]
 *
 * C-MAPSS: one prediction per test engine at its last cycle, RMSE and PHM08 score against
 * the true RUL as given (not capped); targets were capped at 125 cycles in training.
 */
import * as path from "node:path";
import { dataDir, modelsDir } from "../nodes/shared/paths";
import { RulService } from "../nodes/rul/rul-service";
import { SequenceRulModel } from "../nodes/rul/sequence-model";
import { phm08Score, readCmapss, readTrueRul, rmse } from "../nodes/rul/cmapss";
import { femtoEvaluation } from "./rul/femto";

interface Args {
  subset?: string;
  test?: string;
  truth?: string;
  model?: string;
  femto?: string;
  at?: string;
  plot?: string;
}

function parseArgs(argv: string[]): Args {
  const args: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const key = argv[i];
    if (!key.startsWith("--") || i + 1 >= argv.length) throw new Error(`usage: see eval/rul.ts (unexpected "${key}")`);
    args[key.slice(2)] = argv[++i];
  }
  const known = ["subset", "test", "truth", "model", "femto", "at", "plot"];
  for (const key of Object.keys(args)) if (!known.includes(key)) throw new Error(`unknown option --${key}; known: ${known.map((k) => `--${k}`).join(" ")}`);
  return args;
}

export interface CmapssResult {
  subset: string;
  engines: number;
  rmse: number;
  score: number;
  /** Share of engines whose true RUL lies in the 5-95 % interval. */
  coverage: number;
  backend: string;
}

export async function evaluateCmapss(subset: string, testFile: string, truthFile: string, sidecarFile: string): Promise<CmapssResult> {
  const model = await SequenceRulModel.load(sidecarFile);
  try {
    const service = new RulService({ method: "onnx", unit: "cycles", model });
    const engines = readCmapss(testFile);
    const truth = readTrueRul(truthFile);
    if (truth.length !== engines.length) throw new Error(`${truthFile}: ${truth.length} values for ${engines.length} test engines`);
    const predicted: number[] = [];
    let covered = 0;
    for (const [i, engine] of engines.entries()) {
      let last;
      for (const record of engine.cycles) {
        last = await service.update({ asset: `${subset}-${engine.unit}`, t0: 0, cycle: record.cycle, features: record });
      }
      if (!last?.ok) throw new Error(`engine ${engine.unit}: no estimate (${last && !last.ok ? last.reason : "no cycles"})`);
      predicted.push(last.message.rul);
      if (last.message.lower <= truth[i] && truth[i] <= last.message.upper) covered++;
    }
    return { subset, engines: engines.length, rmse: rmse(predicted, truth), score: phm08Score(predicted, truth), coverage: covered / engines.length, backend: model.backend };
  } finally {
    await model.release();
  }
}

function defaultSidecar(subset: string): string {
  return path.join(modelsDir, "rul", `cmapss-${subset.toLowerCase()}.json`);
}

function printCmapss(r: CmapssResult): void {
  console.log(
    `C-MAPSS ${r.subset}: ${r.engines} test engines, last cycle: RMSE ${r.rmse.toFixed(2)} cycles, PHM08 score ${r.score.toFixed(0)}, ` +
      `5-95 % interval covers ${(100 * r.coverage).toFixed(0)} % of true RUL (${r.backend})`,
  );
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  if (args.femto) {
    await femtoEvaluation(args.femto, { at: args.at, plot: args.plot });
    return;
  }
  if (args.subset || args.test || args.truth) {
    if (!args.subset || !args.test || !args.truth) throw new Error("--subset, --test and --truth go together");
    printCmapss(await evaluateCmapss(args.subset, args.test, args.truth, args.model ?? defaultSidecar(args.subset)));
    return;
  }
  for (const subset of ["FD001", "FD002"]) {
    const dir = path.join(dataDir, "cmapss");
    printCmapss(await evaluateCmapss(subset, path.join(dir, `test_${subset}.txt.gz`), path.join(dir, `RUL_${subset}.txt`), defaultSidecar(subset)));
  }
  await femtoEvaluation(path.join(dataDir, "femto", "Bearing1_1"), { plot: path.resolve(__dirname, "..", "..", "docs", "img", "rul-femto-bearing1_1.svg") });
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
