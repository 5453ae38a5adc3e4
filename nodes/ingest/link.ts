/**
 * Link signals for pdm-buffer: whether a message says the downstream link is up or down.
 * Framework-free.
 */
import { isRecord } from "../shared/validate";

/** A link signal: `msg.link` true/false/"up"/"down", or a Status node's report about the downstream node. */
export function linkSignal(msg: Record<string, unknown>): boolean | undefined {
  const link = msg.link;
  if (link === true || link === "up") return true;
  if (link === false || link === "down") return false;
  if (link !== undefined) throw new Error(`msg.link: expected true, false, "up" or "down", got ${JSON.stringify(link)}`);
  const report = msg.status;
  if (isRecord(report) && isRecord(report.source) && typeof report.text === "string") {
    // Node-RED's connection nodes report i18n keys such as "node-red:common.status.disconnected".
    if (/disconnected|not connected|\berror\b/i.test(report.text)) return false;
    if (/\bconnected\b/i.test(report.text)) return true;
  }
  return undefined;
}
