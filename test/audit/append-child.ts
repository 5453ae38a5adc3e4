/**
 * Child process for the kill -9 test: appends records to the log file given as argv[2]
 * until it is killed, and writes "ack <seq>" to stdout after each append returned, i.e.
 * only for records the log reports durable. Odd rounds append batches of three.
 */
import { AuditLog } from "../../nodes/audit/store";
import { plantEvent } from "./log-fixture";

const log = new AuditLog(process.argv[2]);
const batch = Number(process.argv[3] ?? 1);
for (;;) {
  const first = log.size + 1;
  const records = log.append(Array.from({ length: batch }, (_, i) => plantEvent(first + i)));
  process.stdout.write(`ack ${records[records.length - 1].seq}\n`);
}
