/**
 * OData details the clients share: reading rows and the next-page link from a V2 or V4
 * JSON answer, the error message from an error body, and quoting filter literals.
 */
import { isRecord } from "../shared/validate";

export interface Page {
  rows: unknown[];
  /** Absolute or relative URL of the next page, when the server paged the result. */
  next?: string;
}

/**
 * V2 (SAP Gateway): `{ d: { results: [...], __next } }` (or `{ d: [...] }` from old services);
 * V4 (Dataverse): `{ value: [...], "@odata.nextLink" }`; plain REST: a JSON array.
 */
export function readPage(json: unknown): Page {
  if (Array.isArray(json)) return { rows: json };
  if (!isRecord(json)) throw new Error("expected an OData answer (a JSON object), got something else");
  if (isRecord(json.d)) {
    const rows = Array.isArray(json.d.results) ? json.d.results : [json.d];
    return { rows, ...(typeof json.d.__next === "string" ? { next: json.d.__next } : {}) };
  }
  if (Array.isArray(json.d)) return { rows: json.d };
  if (Array.isArray(json.value)) {
    const next = json["@odata.nextLink"];
    return { rows: json.value, ...(typeof next === "string" ? { next } : {}) };
  }
  throw new Error("expected an OData collection (d.results or value), got an object without one");
}

/**
 * The human-readable message of an error answer: OData V2 `error.message.value`,
 * V4 `error.message`, SAP's inner error details, or the start of the text.
 */
export function errorMessage(body: string): string {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return body.trim().slice(0, 300) || "(empty answer)";
  }
  if (isRecord(json) && isRecord(json.error)) {
    const { code, message } = json.error;
    const text = isRecord(message) ? message.value : message;
    const codeText = typeof code === "string" && code ? `${code}: ` : "";
    if (typeof text === "string") return `${codeText}${text}`;
  }
  return body.trim().slice(0, 300);
}

/** An OData string literal: single quotes doubled (OData ABNF, both versions). */
export function quote(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}
