/**
 * What gets recorded: an event from a message (an explicit `{ type, asset?, actor?, payload }`
 * or any plain payload recorded as-is under the configured type), and a Node-RED deploy
 * from what the runtime reports about it. No Node-RED import.
 */
import { createHash } from "node:crypto";
import { isRecord, nonEmptyString, object, optional } from "../shared/validate";
import { canonicalize } from "./canonical-json";
import type { AuditEvent } from "./store";

/** An event before the log gives it a time: the time is the moment it is appended. */
export type PendingEvent = Omit<AuditEvent, "ts">;

export interface EventDefaults {
  type: string;
  actor: string;
}

/** Large detail to keep off-log; only its hash goes into the record. */
export interface DetailInput {
  value: unknown;
  mediaType?: string;
}

export interface IncomingEvent {
  event: PendingEvent;
  detail?: DetailInput;
}

const checkExplicit = object({
  type: nonEmptyString,
  asset: optional(nonEmptyString),
  actor: optional(nonEmptyString),
  detailType: optional(nonEmptyString),
});

/** An explicit event names its type and carries its data in `payload` or `detail`. */
export function isExplicitEvent(payload: unknown): payload is Record<string, unknown> {
  return isRecord(payload) && typeof payload.type === "string" && ("payload" in payload || "detail" in payload);
}

/**
 * Map a message to an event; a payload that is not JSON is an error naming the message field. Explicit: `msg.payload = { type, asset?, actor?, payload?, detail?, detailType? }`.
 * Plain: `msg.payload` is recorded as it is, with the configured type, `msg.actor` or the
 * configured actor, the payload's own `asset` if it has one, and `msg.detail` (with
 * `msg.detailType`) kept off-log.
 */
export function eventFromMessage(msg: { payload?: unknown; actor?: unknown; detail?: unknown; detailType?: unknown }, defaults: EventDefaults): IncomingEvent {
  if (isExplicitEvent(msg.payload)) {
    const explicit = checkExplicit(msg.payload, "msg.payload");
    const event: PendingEvent = { type: explicit.type, actor: explicit.actor ?? defaults.actor, payload: msg.payload.payload ?? null };
    canonicalize(event.payload, "msg.payload.payload");
    if (explicit.asset) event.asset = explicit.asset;
    const detail = "detail" in msg.payload && msg.payload.detail !== undefined ? { value: msg.payload.detail, mediaType: explicit.detailType } : undefined;
    return { event, detail };
  }
  if (msg.payload === undefined) throw new Error("msg.payload: expected the event to record, got nothing (missing)");
  const event: PendingEvent = {
    type: defaults.type,
    actor: typeof msg.actor === "string" && msg.actor.trim() ? msg.actor : defaults.actor,
    payload: msg.payload,
  };
  canonicalize(event.payload, "msg.payload");
  if (isRecord(msg.payload) && typeof msg.payload.asset === "string" && msg.payload.asset.trim()) event.asset = msg.payload.asset;
  const mediaType = optional(nonEmptyString)(msg.detailType, "msg.detailType");
  return { event, detail: msg.detail === undefined ? undefined : { value: msg.detail, mediaType } };
}

/** Put the reference to off-log detail into the payload, as its `detail` member. */
export function withDetailReference(event: PendingEvent, reference: object): PendingEvent {
  const payload = event.payload === null || event.payload === undefined ? {} : event.payload;
  if (!isRecord(payload)) throw new Error("payload: expected an object (or nothing) when detail is stored off-log, so the detail's hash can go into it");
  if ("detail" in payload) throw new Error("payload.detail: already set; off-log detail puts its reference there, so rename this field");
  return { ...event, payload: { ...payload, detail: reference } };
}

// --- Deploys -----------------------------------------------------------------------

/** What Node-RED's 'flows:started' event carries (runtime/lib/flows/index.js). */
export interface FlowsStartedInfo {
  type?: string;
  config?: { flows?: unknown[]; rev?: string };
  diff?: { added?: string[]; changed?: string[]; removed?: string[]; rewired?: string[] };
}

/** Who asked for a deploy, from the runtime's "flows.set" audit log entry (only with adminAuth is there a user). */
export interface DeployRequest {
  user?: string;
  ip?: string;
}

interface FlowNodeSummary {
  id: string;
  type?: string;
  name?: string;
}

function summarize(ids: string[] | undefined, byId: Map<string, FlowNodeSummary>): FlowNodeSummary[] {
  return (ids ?? []).map((id) => byId.get(id) ?? { id });
}

/**
 * The record of a deploy: its type, the flow revision, the SHA-256 of the canonical flow
 * configuration (credentials are never part of it), and which nodes were added, changed,
 * removed or rewired. On Node-RED start there is no diff: the record says so.
 */
export function deployEvent(info: FlowsStartedInfo, request: DeployRequest | undefined, runtimeActor: string): PendingEvent {
  const flows = Array.isArray(info.config?.flows) ? info.config.flows : [];
  const byId = new Map<string, FlowNodeSummary>();
  for (const node of flows) {
    if (isRecord(node) && typeof node.id === "string") {
      const summary: FlowNodeSummary = { id: node.id };
      if (typeof node.type === "string") summary.type = node.type;
      if (typeof node.name === "string" && node.name) summary.name = node.name;
      byId.set(node.id, summary);
    }
  }
  const payload: Record<string, unknown> = {
    deployType: info.diff ? (info.type ?? "full") : "start",
    revision: info.config?.rev ?? null,
    flowsSha256: createHash("sha256").update(canonicalize(flows, "flows")).digest("hex"),
    nodeCount: flows.length,
  };
  if (info.diff) {
    payload.added = summarize(info.diff.added, byId);
    payload.changed = summarize(info.diff.changed, byId);
    payload.removed = (info.diff.removed ?? []).map((id) => ({ id }));
    payload.rewired = summarize(info.diff.rewired, byId);
  }
  if (request?.ip) payload.ip = request.ip;
  return { type: "configuration-change", actor: request?.user ?? runtimeActor, payload };
}
