/**
 * Child process for the kill -9 test: appends records to the log file given as argv[2]
 * until it is killed, and writes "ack <seq>" to stdout after each append returned, i.e.
 * only for records the log reports durable. argv[3] is the number of records per append.
 * Does nothing when loaded by mocha (`npx mocha build/test/audit` loads every file).
 */
import { AuditLog } from "../../nodes/audit/store";
import { plantEvent } from "./log-fixture";

function appendUntilKilled(file: string, batch: number): never {
  const log = new AuditLog(file);
  for (;;) {
    const first = log.size + 1;
    const records = log.append(Array.from({ length: batch }, (_, i) => plantEvent(first + i)));
    process.stdout.write(`ack ${records[records.length - 1].seq}\n`);
  }
}

if (require.main === module) appendUntilKilled(process.argv[2], Number(process.argv[3] ?? 1));
