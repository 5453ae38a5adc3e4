/**
 * Later areas (anomaly, health index) consume features by name, and docs/features.md is
 * where those names are promised: every name the node can send must be listed there.
 */
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { FeatureExtractor } from "../../nodes/features/extractor";
import { readSignalColumn } from "../../nodes/ingest/recordings";
import { repoRoot } from "../helpers/runtime";

describe("features: names are documented", () => {
  it("docs/features.md lists every feature of the full set", () => {
    const docs = fs.readFileSync(path.join(repoRoot, "docs", "features.md"), "utf8");
    const window = readSignalColumn(path.join(repoRoot, "data", "cwru", "12k_OR007at6_0_130.csv")).subarray(0, 4096);
    const orders = { bpfo: 3.5848, bpfi: 5.4152, bsf: 2.357, ftf: 0.39828 };
    const result = new FeatureExtractor({ bearing: true, iso: true, orders, bands: [{ lowHz: 500, highHz: 2000 }] }).compute(window, 12_000, 1796);
    const generic = Object.keys(result.features).map((name) =>
      name
        .replace(/^band_.*$/, "band_<low>_<high>")
        .replace(/^(bpfo|bpfi|bsf|ftf)_hz$/, "<d>_hz")
        .replace(/^env_(bpfo|bpfi|bsf|ftf)_/, "env_<d>_")
        .replace(/_ratio_h\d+$/, "_ratio_h<H>"),
    );
    const missing = [...new Set(generic)].filter((name) => !docs.includes(`\`${name}\``));
    assert.deepEqual(missing, [], `not in docs/features.md: ${missing.join(", ")}`);
  });
});
