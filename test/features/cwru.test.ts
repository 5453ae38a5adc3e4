/**
 * Evaluation on the CWRU recordings: the envelope analysis must point at the inner race
 * for the inner-race files, at the outer race for the outer-race files and at no fault
 * for the normal file, window by window. The ball-fault files are reported, not judged:
 * their labels are known to be unreliable (data/cwru/README.md, Smith & Randall 2015).
 */
import { strict as assert } from "node:assert";
import * as path from "node:path";
import { bearingDefectMultipliers } from "../../nodes/config/asset";
import { Fault } from "../../nodes/features/bearing";
import { FeatureExtractor } from "../../nodes/features/extractor";
import { readManifest, readSignalColumn } from "../../nodes/ingest/recordings";
import { repoRoot } from "../helpers/runtime";

const cwru = path.join(repoRoot, "data", "cwru");
/** SKF 6205-2RS, the drive-end bearing of the CWRU rig. */
const orders = bearingDefectMultipliers({ balls: 9, ballDiameter: 0.3126, pitchDiameter: 1.537, contactAngleDeg: 0 });
const EXPECTED: Record<string, Fault | undefined> = { normal: "none", inner_race: "inner_race", outer_race: "outer_race", ball: undefined };
/** Share of windows that must point at the right answer. */
const REQUIRED = 0.95;

describe("CWRU evaluation: the envelope analysis points at the seeded fault", () => {
  const rows = readManifest(path.join(cwru, "manifest.csv"));
  const table: string[] = [];
  after(() => console.log(`      window-by-window verdicts (4096-point FFT at 12 kHz):\n${table.map((line) => `        ${line}`).join("\n")}`));

  for (const row of rows) {
    const expected = EXPECTED[row.label];
    it(`${row.file} (${row.label}${expected ? "" : ", reported only"})`, () => {
      const fs = Number(row.sampling_rate_hz);
      const rpm = Number(row.rpm_in_file);
      // The 48 kHz file is decimated by 4 so every window covers the same 0.34 s at 12 kHz;
      // its 2.5 s recording then gives 7 windows side by side, so its windows overlap by 3/4.
      const decimation = fs / 12_000;
      const windowLength = 4096 * decimation;
      const hop = 4096;
      const extractor = new FeatureExtractor({ time: false, spectral: false, bearing: true, orders, fftSize: 4096, decimation });
      const samples = readSignalColumn(path.join(cwru, row.file));
      const verdicts = new Map<Fault, number>();
      let windows = 0;
      for (let start = 0; start + windowLength <= samples.length; start += hop) {
        const result = extractor.compute(samples.subarray(start, start + windowLength), fs, rpm);
        const fault = result.indicatedFault as Fault;
        verdicts.set(fault, (verdicts.get(fault) ?? 0) + 1);
        windows++;
      }
      table.push(`${row.file.padEnd(28)} ${row.label.padEnd(11)} ${[...verdicts].map(([fault, count]) => `${fault} ${count}`).join(", ")} of ${windows}`);
      if (expected) {
        const right = verdicts.get(expected) ?? 0;
        assert.ok(windows >= 25, `enough windows (${windows})`);
        assert.ok(right / windows >= REQUIRED, `${right} of ${windows} windows say ${expected}: ${JSON.stringify([...verdicts])}`);
      }
    });
  }
});
