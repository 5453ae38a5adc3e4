/**
 * Writes the training data of the anomaly autoencoder (models/anomaly/training-windows.csv):
 * robust z-scores of the 18 default pdm-features features of healthy windows, each
 * relative to its own recording's baseline exactly as the detector standardises them
 * (RobustScaler), clipped to ±10. Healthy data: the first half of the CWRU normal
 * recording (the second half stays held out for the evaluation's false alarms) and the
 * first 20 % of FEMTO Bearing1_1's life, both channels.
 *
 *   npm run build && node build/eval/anomaly/training-windows.js
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { matrixFromRows } from "../../nodes/anomaly/isolation-forest";
import { RobustScaler } from "../../nodes/anomaly/robust";
import { FEMTO_SAMPLE_RATE_HZ, readFemtoSnapshot, readManifest, readSignalColumn } from "../../nodes/ingest/recordings";
import type { FeaturesMessage } from "../../nodes/shared/contract";
import { dataDir, modelsDir } from "../../nodes/shared/paths";
import { featureWindows } from "./windows";

/** The input clip of the autoencoder (the scorer clips the same way). */
const AUTOENCODER_CLIP = 10;

function zScores(messages: FeaturesMessage[], names: string[]): number[][] {
  const rows = messages.map((m) => names.map((name) => m.features[name]));
  const scaler = new RobustScaler(matrixFromRows(rows, names.length));
  const z = new Float64Array(names.length);
  return rows.map((row) => Array.from(scaler.standardise(row, z), (v) => Math.max(-AUTOENCODER_CLIP, Math.min(AUTOENCODER_CLIP, v))));
}

function main(): void {
  const source = { asset: "train", sensor: "de", t0: 0 };
  const normal = readSignalColumn(path.join(dataDir, "cwru", "48k_Normal_0_097_partA.csv"));
  const cwru = featureWindows(normal, 48_000, 12_000, { size: 1024, hop: 64 }, source, 0, Math.floor(normal.length / 2));
  const names = Object.keys(cwru[0].features);
  const groups: Array<{ name: string; messages: FeaturesMessage[] }> = [{ name: "cwru-normal-first-half", messages: cwru }];
  const femto = path.join(dataDir, "femto", "Bearing1_1");
  const rows = readManifest(path.join(femto, "manifest.csv"));
  const life = Math.max(...rows.map((r) => Number(r.elapsed_s) + Number(r.time_to_end_of_test_s)));
  for (const channel of ["horizontal", "vertical"] as const) {
    const messages = rows
      .filter((r) => Number(r.elapsed_s) <= 0.2 * life)
      .flatMap((r) => featureWindows(readFemtoSnapshot(path.join(femto, r.file))[channel], FEMTO_SAMPLE_RATE_HZ, FEMTO_SAMPLE_RATE_HZ, { size: 1024, hop: 512 }, source));
    groups.push({ name: `femto-bearing1_1-${channel}-first-20pct`, messages });
  }
  const lines = [["source", ...names].join(",")];
  for (const group of groups) for (const z of zScores(group.messages, names)) lines.push([group.name, ...z.map((v) => v.toPrecision(6))].join(","));
  const file = path.join(modelsDir, "anomaly", "training-windows.csv");
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, `${lines.join("\n")}\n`);
  console.log(`${file}: ${lines.length - 1} windows, ${names.length} features (${groups.map((g) => `${g.name} ${g.messages.length}`).join(", ")})`);
}

main();
