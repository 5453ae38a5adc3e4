/**
 * The rule engine of pdm-rules: turns RUL, anomaly and stock events into maintenance
 * tasks (and purchase requests) with a table of rules. A rule fires on one kind of event
 * when all its conditions on the event's fields hold (and, with `count`, when that has
 * happened often enough within a time window on one asset). One open task per asset and
 * cause: a rule that fires again while its task is open adds nothing. Framework-free; the
 * open tasks live in a TaskStore (task-store.ts).
 */
import {
  AnomalyMessage,
  MaintenanceTask,
  PRIORITIES,
  PartRequirement,
  Priority,
  RulMessage,
} from "../shared/contract";
import { Check, arrayOf, boolean, fail, finiteNumber, isRecord, nonEmptyString, object, oneOf, optional } from "../shared/validate";
import { HOUR_MS, SparePart } from "./instance";

export const EVENT_KINDS = ["rul", "anomaly"] as const;
export type EventKind = (typeof EVENT_KINDS)[number];
export const OPERATORS = ["<", "<=", ">", ">=", "==", "!="] as const;
export type Operator = (typeof OPERATORS)[number];

export interface Condition {
  /** A field of the event, dotted for nested ones (`pFail.7d`), or `partsInStock` (every spare part of the asset in stock). */
  field: string;
  op: Operator;
  value: number | string | boolean;
}

export interface Rule {
  /** Also the task's cause: one open task per asset and rule. */
  id: string;
  on: EventKind;
  conditions: Condition[];
  /** Fire only when the conditions held on at least `atLeast` events of one asset within `withinH` hours. */
  count?: { atLeast: number; withinH: number };
  action: string;
  priority: Priority;
  /** The task is due this many hours after the event (for RUL in hours: also at the latest `safetyMarginH` before the predicted failure). */
  dueH: number;
  durationH: number;
  skills: string[];
  /** Also request the purchase of the asset's spare parts that are out of stock. */
  purchase: boolean;
}

export interface RulesSettings {
  /** Spare parts each asset's repair needs, e.g. `{ "pump-1": [{ part: "bearing-6205", quantity: 2 }] }`. */
  assetParts: Record<string, PartRequirement[]>;
  /** Deadlines of RUL tasks are at least this long before the predicted failure. */
  safetyMarginH: number;
}

/** The seeds' rules, shipped as the defaults. */
export const DEFAULT_RULES: Rule[] = [
  {
    id: "rul-low-no-parts",
    on: "rul",
    conditions: [
      { field: "unit", op: "==", value: "h" },
      { field: "rul", op: "<", value: 120 },
      { field: "partsInStock", op: "==", value: false },
    ],
    action: "inspect the asset and order its spare parts",
    priority: "high",
    dueH: 24,
    durationH: 1,
    skills: ["mechanical"],
    purchase: true,
  },
  {
    id: "repeated-anomaly",
    on: "anomaly",
    conditions: [{ field: "anomaly", op: "==", value: true }],
    count: { atLeast: 3, withinH: 24 },
    action: "work order: find and fix the cause of repeated anomalies",
    priority: "high",
    dueH: 48,
    durationH: 2,
    skills: ["mechanical"],
    purchase: false,
  },
];

const checkCondition: Check<Condition> = (value, path) => {
  const c = object({ field: nonEmptyString, op: oneOf(OPERATORS) })(value, path);
  const v = isRecord(value) ? value.value : undefined;
  if (typeof v !== "number" && typeof v !== "string" && typeof v !== "boolean") fail(`${path}.value`, "a number, string or true/false", v);
  return { field: c.field, op: c.op, value: v };
};

export const checkRule: Check<Rule> = (value, path) => {
  const r = object({
    id: nonEmptyString,
    on: oneOf(EVENT_KINDS),
    conditions: arrayOf(checkCondition),
    count: optional(object({ atLeast: finiteNumber({ min: 1, integer: true }), withinH: finiteNumber({ above: 0 }) })),
    action: nonEmptyString,
    priority: oneOf(PRIORITIES),
    dueH: finiteNumber({ above: 0 }),
    durationH: finiteNumber({ above: 0 }),
    skills: arrayOf(nonEmptyString),
    purchase: optional(boolean),
  })(value, path);
  const count = r.count ? { atLeast: r.count.atLeast, withinH: r.count.withinH } : undefined;
  return { id: r.id, on: r.on, conditions: r.conditions, count, action: r.action, priority: r.priority, dueH: r.dueH, durationH: r.durationH, skills: r.skills, purchase: r.purchase ?? false };
};

export function checkRules(value: unknown, path: string): Rule[] {
  const rules = arrayOf(checkRule)(value, path);
  const ids = new Set<string>();
  rules.forEach((rule, i) => {
    if (ids.has(rule.id)) fail(`${path}[${i}].id`, "a rule id used once", rule.id);
    ids.add(rule.id);
  });
  return rules;
}

export interface PurchaseRequest {
  id: string;
  part: string;
  quantity: number;
  asset: string;
  taskId: string;
  reason: string;
  createdAt: number;
}

/** What one event produced. */
export interface RuleOutcome {
  tasks: MaintenanceTask[];
  purchases: PurchaseRequest[];
}

/** Where the rule engine keeps its open tasks; pdm-rules persists it. */
export interface OpenTasks {
  find(asset: string, cause: string): MaintenanceTask | undefined;
  add(task: MaintenanceTask): void;
}

type Event = { kind: "rul"; message: RulMessage } | { kind: "anomaly"; message: AnomalyMessage };

function fieldValue(message: object, field: string): unknown {
  let value: unknown = message;
  for (const key of field.split(".")) value = isRecord(value) ? value[key] : undefined;
  return value;
}

function holds(actual: unknown, op: Operator, expected: Condition["value"]): boolean {
  if (op === "==") return actual === expected;
  if (op === "!=") return actual !== expected;
  if (typeof actual !== "number" || typeof expected !== "number") return false;
  return op === "<" ? actual < expected : op === "<=" ? actual <= expected : op === ">" ? actual > expected : actual >= expected;
}

export class RuleEngine {
  private readonly stock = new Map<string, number>();
  /** Times (event t0) at which each rule's conditions held, per asset, for counting rules. */
  private readonly hits = new Map<string, number[]>();

  constructor(
    private readonly rules: Rule[],
    private readonly settings: RulesSettings,
    private readonly open: OpenTasks,
  ) {}

  updateStock(parts: SparePart[]): void {
    for (const p of parts) this.stock.set(p.part, p.stock);
  }

  private partsInStock(asset: string): boolean {
    return (this.settings.assetParts[asset] ?? []).every((need) => (this.stock.get(need.part) ?? 0) >= need.quantity);
  }

  handle(event: Event): RuleOutcome {
    const outcome: RuleOutcome = { tasks: [], purchases: [] };
    const { message } = event;
    const fields = { ...message, partsInStock: this.partsInStock(message.asset) };
    for (const rule of this.rules) {
      if (rule.on !== event.kind) continue;
      if (!rule.conditions.every((c) => holds(fieldValue(fields, c.field), c.op, c.value))) continue;
      if (rule.count && !this.countReached(rule, message.asset, message.t0)) continue;
      if (this.open.find(message.asset, rule.id)) continue;
      const task = this.taskFor(rule, event);
      this.open.add(task);
      outcome.tasks.push(task);
      if (rule.purchase) outcome.purchases.push(...this.purchasesFor(task));
    }
    return outcome;
  }

  private countReached(rule: Rule, asset: string, t0: number): boolean {
    const { atLeast, withinH } = rule.count ?? { atLeast: 1, withinH: 0 };
    const key = `${rule.id}|${asset}`;
    const recent = [...(this.hits.get(key) ?? []), t0].filter((t) => t > t0 - withinH * HOUR_MS);
    this.hits.set(key, recent);
    return recent.length >= atLeast;
  }

  private taskFor(rule: Rule, event: Event): MaintenanceTask {
    const { message } = event;
    let deadline = message.t0 + rule.dueH * HOUR_MS;
    let pFail: number | undefined;
    if (event.kind === "rul") {
      pFail = event.message.pFail["7d"];
      if (event.message.unit === "h") {
        const failureDeadline = message.t0 + (event.message.rul - this.settings.safetyMarginH) * HOUR_MS;
        deadline = Math.max(message.t0 + rule.durationH * HOUR_MS, Math.min(deadline, failureDeadline));
      }
    }
    const task: MaintenanceTask = {
      id: `${rule.id}-${message.asset}-${message.t0}`,
      asset: message.asset,
      cause: rule.id,
      action: rule.action,
      priority: rule.priority,
      durationH: rule.durationH,
      skills: rule.skills,
      parts: this.settings.assetParts[message.asset] ?? [],
      earliestStart: message.t0,
      deadline,
    };
    if (pFail !== undefined) task.pFail = pFail;
    return task;
  }

  private purchasesFor(task: MaintenanceTask): PurchaseRequest[] {
    return task.parts
      .filter((need) => (this.stock.get(need.part) ?? 0) < need.quantity)
      .map((need) => ({
        id: `pr-${task.id}-${need.part}`,
        part: need.part,
        quantity: need.quantity - (this.stock.get(need.part) ?? 0),
        asset: task.asset,
        taskId: task.id,
        reason: `${task.cause}: ${task.action}`,
        createdAt: task.earliestStart,
      }));
  }
}
