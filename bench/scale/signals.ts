/**
 * The recorded signals the scale benchmark injects, as continuous streams per sensor:
 * - femto: FEMTO-ST Bearing1_1 (data/femto), its snapshots (2560 samples at 25.6 kHz,
 *   horizontal and vertical) one after the other in manifest order, cut into 4096-sample
 *   blocks (160 ms); an asset has the two sensors acc_h and acc_v, as in flow 1.
 * - cwru: the CWRU 12 kHz drive-end recordings (data/cwru, every 12k_* file in manifest
 *   order) one after the other, cut into the blocks flow 1's replay-cwru sends
 *   (0.08533 s = 1024 samples); an asset has the one sensor "de".
 */
import * as path from "node:path";
import { dataDir } from "../../nodes/shared/paths";
import { besideManifest, readManifest, readSignalColumn } from "../../nodes/ingest/recordings";
import { femtoReplay } from "../../nodes/ingest/replay";
import type { ChannelKind } from "./flow";

export interface ChannelSignal {
  fs: number;
  blockSize: number;
  /** One stream per sensor of an asset. */
  sensors: Array<{ sensor: string; values: Float64Array }>;
}

function concat(parts: ArrayLike<number>[]): Float64Array {
  const out = new Float64Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

export function loadSignal(kind: ChannelKind, cwruBlockSeconds: number): ChannelSignal {
  if (kind === "femto") {
    const replay = femtoReplay(path.join(dataDir, "femto", "Bearing1_1"), "acc");
    const steps = Array.from({ length: replay.length }, (_, i) => replay.step(i));
    const sensors = steps[0].blocks.map((b, j) => ({ sensor: b.sensor, values: concat(steps.map((s) => s.blocks[j].values)) }));
    return { fs: steps[0].blocks[0].fs, blockSize: 4096, sensors };
  }
  const manifest = path.join(dataDir, "cwru", "manifest.csv");
  const rows = readManifest(manifest).filter((r) => Number(r.sampling_rate_hz) === 12_000);
  const values = concat(rows.map((r) => readSignalColumn(besideManifest(manifest, r.file))));
  return { fs: 12_000, blockSize: Math.round(cwruBlockSeconds * 12_000), sensors: [{ sensor: "de", values }] };
}
