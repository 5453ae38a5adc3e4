/**
 * The cost of the contract check on a sample block, beside a bare loop that only reads
 * every sample: the check must stay close to reading the data once.
 */
import { checkSampleBlock } from "../nodes/shared/contract";
import { BenchReport, throughput } from "./report";

export function run(report: BenchReport): void {
  const values = Array.from({ length: 4096 }, (_, i) => Math.sin(i / 7));
  const block = { asset: "a", sensor: "s", t0: 0, fs: 25_600, values };
  const checks = throughput(() => checkSampleBlock(block, "msg.payload"));
  const reads = throughput(() => {
    let sum = 0;
    for (let i = 0; i < values.length; i++) sum += values[i];
    return sum;
  });
  report.add({
    name: "contract check, 4096-sample block",
    value: checks * values.length,
    unit: "samples/s",
    reference: "a loop summing the samples",
    referenceValue: reads * values.length,
    higherIsBetter: true,
  });
}
