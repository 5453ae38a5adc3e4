import { isRecord } from "../shared/validate";

/**
 * A control message to a RUL node: msg.topic (or a string msg.payload) names one of the node's
 * commands; the asset it is for is msg.payload.asset, or msg.payload itself when that is a
 * string other than the command's name; none means every asset.
 */
export interface Command<Name extends string> {
  name: Name;
  asset?: string;
}

/** The command `msg` carries, or undefined when it is a data message. */
export function commandOf<Name extends string>(msg: { topic?: unknown; payload?: unknown }, names: readonly Name[]): Command<Name> | undefined {
  const name = names.find((c) => c === msg.topic || c === msg.payload);
  if (name === undefined) return undefined;
  const p = msg.payload;
  if (typeof p === "string" && p.trim() && !names.includes(p as Name)) return { name, asset: p };
  return { name, asset: isRecord(p) && typeof p.asset === "string" && p.asset ? p.asset : undefined };
}
