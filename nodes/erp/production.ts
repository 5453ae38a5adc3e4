/**
 * Production orders as the planner's production windows: when an asset is busy making
 * something, so maintenance goes elsewhere. From SAP's API_PRODUCTION_ORDER_2_SRV
 * (A_ProductionOrder_2) or from a REST service that already speaks windows.
 */
import { isRecord } from "../shared/validate";

export const SAP_PRODUCTION_ORDERS = "/sap/opu/odata/sap/API_PRODUCTION_ORDER_2_SRV/A_ProductionOrder_2";

export interface ProductionWindow {
  order: string;
  plant: string;
  /** Epoch ms. */
  start: number;
  end: number;
  material?: string;
  quantity?: number;
  unit?: string;
  workCenter?: string;
}

const DAY_MS = 86_400_000;

/** An OData date: V2 "/Date(ms)/" or "/Date(ms+0000)/", or ISO 8601 (V4 and REST), or epoch ms. */
export function parseDate(value: unknown): number | undefined {
  if (typeof value === "number" && Number.isFinite(value)) return value;
  if (typeof value !== "string") return undefined;
  const v2 = /^\/Date\((-?\d+)(?:[+-]\d{4})?\)\/$/.exec(value);
  if (v2) return Number(v2[1]);
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : ms;
}

/** An OData V2 Edm.Time such as "PT08H30M00S" as ms after midnight. */
export function parseTime(value: unknown): number {
  const match = typeof value === "string" ? /^PT(\d+)H(\d+)M(\d+)S$/.exec(value) : null;
  return match ? ((Number(match[1]) * 60 + Number(match[2])) * 60 + Number(match[3])) * 1000 : 0;
}

/** OData V2 datetime literal of a UTC day start. */
function datetimeLiteral(ms: number): string {
  return `datetime'${new Date(ms).toISOString().slice(0, 19)}'`;
}

/**
 * $filter for orders of a plant that overlap [from, to): planned start before `to`, planned end
 * after `from`. SAP keeps date and time apart, so the filter works on whole days and
 * `windowsFromSap` trims to the exact range.
 */
export function sapOrderFilter(plant: string, from: number, to: number): string {
  const firstDay = Math.floor(from / DAY_MS) * DAY_MS;
  const lastDay = Math.floor(to / DAY_MS) * DAY_MS;
  return `ProductionPlant eq '${plant.replace(/'/g, "''")}' and MfgOrderPlannedStartDate le ${datetimeLiteral(lastDay)} and MfgOrderPlannedEndDate ge ${datetimeLiteral(firstDay)}`;
}

function text(value: unknown): string | undefined {
  return typeof value === "string" && value.trim() ? value.trim() : undefined;
}

/** A_ProductionOrder_2 rows as windows overlapping [from, to), by start time. */
export function windowsFromSap(rows: unknown[], from: number, to: number): ProductionWindow[] {
  const windows: ProductionWindow[] = [];
  for (const row of rows) {
    if (!isRecord(row)) continue;
    const startDay = parseDate(row.MfgOrderPlannedStartDate);
    const endDay = parseDate(row.MfgOrderPlannedEndDate);
    const order = text(row.ManufacturingOrder);
    if (startDay === undefined || endDay === undefined || !order) continue;
    const window: ProductionWindow = {
      order,
      plant: text(row.ProductionPlant) ?? "",
      start: startDay + parseTime(row.MfgOrderPlannedStartTime),
      end: endDay + parseTime(row.MfgOrderPlannedEndTime),
    };
    const material = text(row.Material);
    const quantity = Number(row.TotalQuantity);
    const unit = text(row.ProductionUnit);
    const workCenter = text(row.WorkCenter);
    if (material) window.material = material;
    if (row.TotalQuantity !== undefined && Number.isFinite(quantity)) window.quantity = quantity;
    if (unit) window.unit = unit;
    if (workCenter) window.workCenter = workCenter;
    if (window.start < to && window.end > from) windows.push(window);
  }
  return windows.sort((a, b) => a.start - b.start || a.order.localeCompare(b.order));
}

/** Rows of a REST service that already gives { order, plant?, start, end, … } (dates as ISO or epoch ms). */
export function windowsFromRest(rows: unknown[], plant: string, from: number, to: number): ProductionWindow[] {
  const windows: ProductionWindow[] = [];
  rows.forEach((row, i) => {
    const start = isRecord(row) ? parseDate(row.start) : undefined;
    const end = isRecord(row) ? parseDate(row.end) : undefined;
    const order = isRecord(row) ? (text(row.order) ?? (typeof row.order === "number" ? String(row.order) : undefined)) : undefined;
    if (!isRecord(row) || start === undefined || end === undefined || !order) {
      throw new Error(`row ${i} of the production orders: expected { order, start, end }, got ${JSON.stringify(row).slice(0, 80)}`);
    }
    const window: ProductionWindow = { ...(row as object), order, plant: text(row.plant) ?? plant, start, end };
    if (start < to && end > from) windows.push(window);
  });
  return windows.sort((a, b) => a.start - b.start || a.order.localeCompare(b.order));
}
