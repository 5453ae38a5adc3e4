/**
 * From a suite message to the body the ERP expects: one JSONata expression per system and
 * record kind, with a default for each that the user can replace in the push node. The
 * expression sees the message payload as input and these bindings:
 *   $ref      the record's 20-character idempotency reference (put it in an external reference field)
 *   $key      the readable idempotency key, e.g. "workOrder:wo-17"
 *   $source   "task" | "anomaly" | "rul" | "workOrder" | "inspection" | "oee"
 *   $odataDate(ms)      OData V2 JSON date for Edm.DateTime, "/Date(ms)/"
 *   $odataDateTime(ms)  OData V2 JSON date for Edm.DateTimeOffset, "/Date(ms+0000)/"
 *   $sapPriority()      the record's priority as SAP's 1 (very high) … 4 (low)
 * docs/erp.md lists every default field by field.
 */
import jsonata from "jsonata";
import { ErpSystem } from "./erp-client";
import { ClassifiedRecord, RecordKind } from "./record";

/** Where a kind of record goes and how its body is built. */
export interface Target {
  /** Entity set path below the base URL. */
  path: string;
  /** JSONata expression producing the request body. */
  expression: string;
  /** Body field holding $ref, looked up before a repeated attempt; empty when the entity has none. */
  refField: string;
}

const SAP_NOTIFICATION = `(
  $text := $source = "task" ? action
    : $source = "rul" ? "RUL " & $string($round(rul, 0)) & " " & unit & " left, health " & $string($round(healthIndex, 0)) & " %"
    : "Anomaly score " & $string($round(score, 2)) & " above " & $string($round(threshold, 2));
  {
    "NotificationType": "M2",
    "NotificationText": $substring($text, 0, 40),
    "MaintNotifLongTextForEdit": $text & " (asset " & asset & ", " & $key & ")",
    "TechnicalObject": asset,
    "TechObjIsEquipOrFuncnlLoc": "EAMS_EQUI",
    "MaintPriority": $sapPriority(),
    "MalfunctionStartDate": $odataDate($source = "task" ? earliestStart : t0),
    "RequiredEndDate": $source = "task" ? $odataDate(deadline) : undefined,
    "MaintNotifExtReferenceNumber": $ref
  }
)`;

const SAP_ORDER = `{
  "MaintenanceOrderType": "PM01",
  "MaintenanceOrderDesc": $substring(action, 0, 40),
  "Equipment": asset,
  "MaintPriority": $sapPriority(),
  "MaintOrdBasicStartDateTime": $odataDateTime(start),
  "MaintOrdBasicEndDateTime": $odataDateTime(end),
  "PersonResponsible": technician
}`;

const SAP_INSPECTION = `{
  "InspectionLot": inspectionLot,
  "InspPlanOperationInternalID": operation ? operation : "1",
  "InspectionCharacteristic": characteristic,
  "InspectionResultMeanValue": value,
  "InspectionValuationResult": accepted ? "A" : "R",
  "InspectionResultText": text ? $substring(text, 0, 40) : undefined
}`;

/** OEE has no standard S/4HANA create API: the default posts to a custom service (see docs/erp.md). */
const OEE_BODY = `{
  "Asset": asset,
  "WindowStart": $odataDateTime(start),
  "WindowEnd": $odataDateTime(end),
  "Availability": availability,
  "Performance": performance,
  "Quality": quality,
  "Oee": oee,
  "ProducedQuantity": produced,
  "GoodQuantity": good,
  "Failures": failures,
  "MtbfHours": mtbfH,
  "MttrHours": mttrH,
  "ExternalReference": $ref
}`;

const DYNAMICS_NOTIFICATION = `{
  "msdyn_description": $source = "task" ? action : $source = "rul" ? "RUL " & $string($round(rul, 0)) & " " & unit & " left" : "Anomaly score " & $string($round(score, 2)),
  "msdyn_alerttime": $fromMillis($source = "task" ? earliestStart : t0),
  "msdyn_alertdata": $string($),
  "msdyn_alerttoken": $ref
}`;

const DYNAMICS_ORDER = `{
  "msdyn_name": $ref,
  "msdyn_instructions": action & " (asset " & asset & ", technician " & technician & ")",
  "msdyn_timefrompromised": $fromMillis(start),
  "msdyn_timetopromised": $fromMillis(end)
}`;

const REST_BODY = `$merge([$, { "kind": $source, "reference": $ref }])`;

export const DEFAULT_TARGETS: Record<ErpSystem, Record<RecordKind, Target>> = {
  sap: {
    notification: { path: "/sap/opu/odata/sap/API_MAINTNOTIFICATION/MaintenanceNotification", expression: SAP_NOTIFICATION, refField: "MaintNotifExtReferenceNumber" },
    workOrder: { path: "/sap/opu/odata/sap/API_MAINTENANCEORDER/MaintenanceOrder", expression: SAP_ORDER, refField: "" },
    inspection: { path: "/sap/opu/odata/sap/API_INSPECTIONLOT_SRV/A_InspectionResult", expression: SAP_INSPECTION, refField: "" },
    oee: { path: "/sap/opu/odata/sap/ZPDM_OEE_SRV/OeeReportSet", expression: OEE_BODY, refField: "ExternalReference" },
  },
  dynamics: {
    notification: { path: "/api/data/v9.2/msdyn_iotalerts", expression: DYNAMICS_NOTIFICATION, refField: "msdyn_alerttoken" },
    workOrder: { path: "/api/data/v9.2/msdyn_workorders", expression: DYNAMICS_ORDER, refField: "msdyn_name" },
    inspection: { path: "/api/data/v9.2/pdm_inspectionresults", expression: REST_BODY, refField: "reference" },
    oee: { path: "/api/data/v9.2/pdm_oeereports", expression: OEE_BODY, refField: "ExternalReference" },
  },
  rest: {
    notification: { path: "/notifications", expression: REST_BODY, refField: "" },
    workOrder: { path: "/work-orders", expression: REST_BODY, refField: "" },
    inspection: { path: "/inspection-results", expression: REST_BODY, refField: "" },
    oee: { path: "/oee-reports", expression: REST_BODY, refField: "" },
  },
};

const SAP_PRIORITY: Record<string, string> = { urgent: "1", critical: "1", high: "2", medium: "3", low: "4", none: "4" };

/** SAP priority of a record: from its priority or severity; RUL by the 7-day failure probability. */
function sapPriority(record: ClassifiedRecord): string {
  const p = record.payload as { priority?: string; severity?: string; pFail?: unknown };
  if (p.priority) return SAP_PRIORITY[p.priority] ?? "3";
  if (p.severity) return SAP_PRIORITY[p.severity] ?? "3";
  if (record.source === "rul") {
    const p7d = (p.pFail as { "7d": number })["7d"];
    return p7d >= 0.5 ? "1" : p7d >= 0.2 ? "2" : p7d >= 0.05 ? "3" : "4";
  }
  return "3";
}

/** A compiled mapping: evaluate it per record. */
export class Mapping {
  private readonly expression: jsonata.Expression;

  constructor(readonly source: string) {
    try {
      this.expression = jsonata(source);
    } catch (err) {
      const e = err as { message?: string; position?: number };
      throw new Error(`mapping: ${e.message ?? String(err)}${e.position === undefined ? "" : ` at character ${e.position}`}`);
    }
  }

  async apply(record: ClassifiedRecord): Promise<Record<string, unknown>> {
    const body: unknown = await this.expression.evaluate(record.payload, {
      ref: record.ref,
      key: record.key,
      source: record.source,
      odataDate: (ms: number) => `/Date(${Math.round(ms)})/`,
      odataDateTime: (ms: number) => `/Date(${Math.round(ms)}+0000)/`,
      sapPriority: () => sapPriority(record),
    });
    if (typeof body !== "object" || body === null || Array.isArray(body)) {
      throw new Error(`mapping of ${record.key}: expected the expression to give an object, got ${body === undefined ? "nothing" : typeof body}`);
    }
    // JSON round trip: drops undefined fields and the JSONata sequence markers.
    return JSON.parse(JSON.stringify(body)) as Record<string, unknown>;
  }
}
