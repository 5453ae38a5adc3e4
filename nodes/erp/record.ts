/**
 * What pdm-erp-push accepts and how each message becomes one ERP record: its kind, its
 * asset (records of one asset are sent in order) and its idempotency key, derived from the
 * record itself so the same message sent twice is one record in the ERP.
 */
import { createHash } from "node:crypto";
import {
  AnomalyMessage,
  MaintenanceTask,
  RulMessage,
  WorkOrder,
  checkAnomalyMessage,
  checkMaintenanceTask,
  checkRulMessage,
  checkWorkOrder,
} from "../shared/contract";
import { Check, ValidationError, boolean, fail, finiteNumber, isRecord, nonEmptyString, object, optional } from "../shared/validate";
import { OeeReport, checkOeeReport } from "./oee";

/** The ERP objects the push node creates. */
export const RECORD_KINDS = ["notification", "workOrder", "inspection", "oee"] as const;
export type RecordKind = (typeof RECORD_KINDS)[number];

/** The suite messages a record can come from. */
export const SOURCES = ["task", "anomaly", "rul", "workOrder", "inspection", "oee"] as const;
export type Source = (typeof SOURCES)[number];

/** A quality inspection result of one characteristic of an inspection lot. */
export interface InspectionResult {
  asset: string;
  inspectionLot: string;
  characteristic: string;
  /** Measured mean value, for quantitative characteristics. */
  value?: number;
  accepted: boolean;
  ts: number;
  /** Inspection operation (node), when the lot has several; SAP's default is "1". */
  operation?: string;
  text?: string;
}

export const checkInspectionResult: Check<InspectionResult> = object({
  asset: nonEmptyString,
  inspectionLot: nonEmptyString,
  characteristic: nonEmptyString,
  value: optional(finiteNumber()),
  accepted: boolean,
  ts: finiteNumber({ min: 0 }),
  operation: optional(nonEmptyString),
  text: optional(nonEmptyString),
});

type Payload = MaintenanceTask | AnomalyMessage | RulMessage | WorkOrder | InspectionResult | OeeReport;

export interface ClassifiedRecord {
  kind: RecordKind;
  source: Source;
  asset: string;
  /** Readable idempotency key, e.g. "workOrder:wo-17". */
  key: string;
  /** The key as the ERP sees it: 20 characters (SAP's external reference fields are CHAR 20). */
  ref: string;
  payload: Payload;
}

const KIND_OF: Record<Source, RecordKind> = {
  task: "notification",
  anomaly: "notification",
  rul: "notification",
  workOrder: "workOrder",
  inspection: "inspection",
  oee: "oee",
};

/** Which contract shape a payload has, from the fields only that shape carries. */
function sourceOf(payload: Record<string, unknown>): Source {
  if ("technician" in payload && "taskId" in payload) return "workOrder";
  if ("cause" in payload && "deadline" in payload) return "task";
  if ("rul" in payload && "healthIndex" in payload) return "rul";
  if ("score" in payload && "threshold" in payload) return "anomaly";
  if ("inspectionLot" in payload) return "inspection";
  if ("availability" in payload && "performance" in payload) return "oee";
  throw new ValidationError(
    "msg.payload",
    "a maintenance task, work order, anomaly, RUL, inspection result or OEE report",
    "an object of none of these shapes",
  );
}

const CHECKS: Record<Source, Check<Payload>> = {
  task: checkMaintenanceTask,
  anomaly: checkAnomalyMessage,
  rul: checkRulMessage,
  workOrder: checkWorkOrder,
  inspection: checkInspectionResult,
  oee: checkOeeReport,
};

/** The natural identity of each source: what makes two messages the same record. */
function naturalKey(source: Source, p: Payload): string {
  switch (source) {
    case "task":
    case "workOrder":
      return `${source}:${(p as MaintenanceTask | WorkOrder).id}`;
    case "anomaly":
    case "rul":
      return `${source}:${p.asset}:${(p as AnomalyMessage | RulMessage).t0}`;
    case "inspection": {
      const r = p as InspectionResult;
      return `inspection:${r.inspectionLot}:${r.operation ?? "1"}:${r.characteristic}`;
    }
    case "oee": {
      const r = p as OeeReport;
      return `oee:${r.asset}:${r.start}:${r.end}`;
    }
  }
}

/** The 20-character ERP reference of a key: "PDM" and 17 hex digits of its SHA-256 (collisions: ~1 in 10^20). */
export function referenceOf(key: string): string {
  return `PDM${createHash("sha256").update(key).digest("hex").slice(0, 17).toUpperCase()}`;
}

/**
 * Validate msg.payload as one of the accepted shapes and derive kind, asset and key.
 * `givenKey` (msg.idempotencyKey) replaces the derived key when the flow knows better.
 */
export function classify(payload: unknown, givenKey?: unknown): ClassifiedRecord {
  if (!isRecord(payload)) return fail("msg.payload", "an object", payload);
  const source = sourceOf(payload);
  const checked = CHECKS[source](payload, "msg.payload");
  const key = givenKey === undefined ? naturalKey(source, checked) : nonEmptyString(givenKey, "msg.idempotencyKey");
  return { kind: KIND_OF[source], source, asset: checked.asset, key, ref: referenceOf(key), payload: checked };
}
