/**
 * A local OData V2 server on 127.0.0.1 that behaves like SAP Gateway where it matters to a
 * client that must not lose or duplicate records: CSRF tokens bound to session cookies
 * (fetch with `X-CSRF-Token: Fetch`, 403 "CSRF token validation failed" otherwise), Basic or
 * OAuth2 bearer authentication, OData V2 JSON and error bodies, `$filter` on simple
 * equality and date comparisons, server-driven paging with `__next`. Faults can be injected
 * per POST (reset, lost answer after commit, timeout, 500, 503/429 with Retry-After, expired
 * session or token) and the listener can be taken down (connection refused) and up again.
 * Reusable: `start(options)` returns `{ url, records, stop, … }`.
 */
import * as http from "node:http";
import * as https from "node:https";
import { randomBytes } from "node:crypto";
import type { AddressInfo, Socket } from "node:net";

export const FAULTS = [
  "reset-before-commit",
  "lost-response",
  "reset-mid-response",
  "timeout",
  "500",
  "503",
  "429",
  "expire-session",
  "expire-token",
] as const;
export type Fault = (typeof FAULTS)[number];

export interface CreatedRecord {
  entitySet: string;
  id: string;
  body: Record<string, unknown>;
  /** Repeatability-Request-ID header of the POST that created it. */
  requestId?: string;
}

export interface GatewayOptions {
  /** Delay before every answer, ms. */
  latencyMs?: number;
  /** Basic-auth users allowed; without users and without oauth, no authentication. */
  users?: Array<{ user: string; password: string }>;
  /** OAuth2 client credentials accepted at /oauth/token; bearer tokens then required. */
  oauth?: { clientId: string; clientSecret: string; tokenLifetimeS?: number };
  /** SAP client (Mandant) the server insists on when set. */
  sapClient?: string;
  /** Business validation: a message rejects the record with 400, like an unknown equipment. */
  reject?(entitySet: string, body: Record<string, unknown>): string | undefined;
  /** Fault to inject into this POST (called after CSRF validation, before commit). */
  fault?(post: { entitySet: string; body: Record<string, unknown>; count: number }): Fault | undefined;
  /** Retry-After seconds of 503 and 429 faults. */
  retryAfterS?: number;
  /** Answer a repeated Repeatability-Request-ID with the first answer, as SAP RAP does (default off: a dumb server). */
  repeatability?: boolean;
  /** Read-only collections served for GET, e.g. { A_ProductionOrder_2: [...] }. */
  collections?: Record<string, Array<Record<string, unknown>>>;
  /** Server-driven page size of GET answers. */
  pageSize?: number;
  /** Serve HTTPS with this key and certificate (PEM) instead of HTTP. */
  tls?: { key: string; cert: string };
}

export interface GatewayServer {
  url: string;
  /** Every record created, in commit order. */
  records: CreatedRecord[];
  /** Bodies the server rejected with 400 (business validation). */
  rejected: Array<{ entitySet: string; body: Record<string, unknown>; message: string }>;
  stats: { posts: number; csrfFetches: number; tokensIssued: number; gets: number; faults: Record<string, number> };
  /** Stop accepting connections (clients get ECONNREFUSED) and drop open ones. */
  down(): Promise<void>;
  up(): Promise<void>;
  /** Forget all sessions, as after an SAP Gateway session timeout. */
  expireSessions(): void;
  expireTokens(): void;
  stop(): Promise<void>;
}

interface Session {
  token: string;
}

function v2Error(res: http.ServerResponse, status: number, code: string, message: string, headers: Record<string, string> = {}): void {
  const body = JSON.stringify({ error: { code, message: { lang: "en", value: message }, innererror: { transactionid: randomBytes(8).toString("hex") } } });
  res.writeHead(status, { "content-type": "application/json", ...headers });
  res.end(body);
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

function cookiesOf(req: http.IncomingMessage): Map<string, string> {
  const jar = new Map<string, string>();
  for (const part of (req.headers.cookie ?? "").split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0) jar.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  return jar;
}

/** The comparable value of an OData V2 JSON field: "/Date(ms)/" becomes ms. */
function comparable(value: unknown): unknown {
  const match = typeof value === "string" ? /^\/Date\((-?\d+)(?:[+-]\d{4})?\)\/$/.exec(value) : null;
  return match ? Number(match[1]) : value;
}

/** A filter literal: 'text', datetime'2026-11-24T00:00:00', or a number. */
function literal(text: string): unknown {
  const dt = /^datetime'([^']+)'$/.exec(text);
  if (dt) return Date.parse(`${dt[1]}Z`);
  const str = /^'((?:[^']|'')*)'$/.exec(text);
  if (str) return str[1].replace(/''/g, "'");
  return Number(text);
}

/** The subset of $filter that clients of this suite use: comparisons joined by "and". */
export function parseFilter(filter: string | null): (row: Record<string, unknown>) => boolean {
  if (!filter) return () => true;
  const clauses = filter.split(/\s+and\s+/).map((clause) => {
    const match = /^\(?\s*(\w+)\s+(eq|ne|ge|gt|le|lt)\s+(.+?)\s*\)?$/.exec(clause.trim());
    if (!match) throw new Error(`unsupported $filter clause: ${clause}`);
    return { field: match[1], op: match[2], right: literal(match[3]) as number | string };
  });
  return (row) => clauses.every(({ field, op, right }) => {
    const left = comparable(row[field]) as number | string;
    switch (op) {
      case "eq": return left === right;
      case "ne": return left !== right;
      case "ge": return left >= right;
      case "gt": return left > right;
      case "le": return left <= right;
      default: return left < right;
    }
  });
}

export async function start(options: GatewayOptions = {}): Promise<GatewayServer> {
  const sessions = new Map<string, Session>();
  const tokens = new Set<string>();
  const byRequestId = new Map<string, CreatedRecord>();
  const sockets = new Set<Socket>();
  const records: CreatedRecord[] = [];
  const rejected: GatewayServer["rejected"] = [];
  const stats: GatewayServer["stats"] = { posts: 0, csrfFetches: 0, tokensIssued: 0, gets: 0, faults: {} };
  let nextId = 10_000_000;
  const latency = () => new Promise<void>((resolve) => (options.latencyMs ? setTimeout(resolve, options.latencyMs) : setImmediate(resolve)));

  function authorised(req: http.IncomingMessage): boolean {
    const header = req.headers.authorization ?? "";
    if (options.oauth) return header.startsWith("Bearer ") && tokens.has(header.slice(7));
    if (options.users) {
      if (!header.startsWith("Basic ")) return false;
      const [user, password] = Buffer.from(header.slice(6), "base64").toString("utf8").split(":");
      return options.users.some((u) => u.user === user && u.password === password);
    }
    return true;
  }

  function issueToken(req: http.IncomingMessage, body: string, res: http.ServerResponse): void {
    const oauth = options.oauth;
    const basic = Buffer.from((req.headers.authorization ?? "").replace(/^Basic /, ""), "base64").toString("utf8");
    const [id, secret] = basic.split(":").map(decodeURIComponent);
    if (!oauth || id !== oauth.clientId || secret !== oauth.clientSecret || new URLSearchParams(body).get("grant_type") !== "client_credentials") {
      res.writeHead(401, { "content-type": "application/json" });
      res.end(JSON.stringify({ error: "invalid_client", error_description: "client authentication failed" }));
      return;
    }
    const token = randomBytes(16).toString("hex");
    tokens.add(token);
    stats.tokensIssued++;
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ access_token: token, token_type: "Bearer", expires_in: oauth.tokenLifetimeS ?? 3600 }));
  }

  function collection(entitySet: string): Array<Record<string, unknown>> {
    const rows: Array<Record<string, unknown>> = [];
    for (const record of records) if (record.entitySet === entitySet) rows.push(record.body);
    return options.collections?.[entitySet] ?? rows;
  }

  function get(url: URL, service: string, entitySet: string, req: http.IncomingMessage, res: http.ServerResponse): void {
    stats.gets++;
    if (entitySet === "" || entitySet === "$metadata") {
      const headers: Record<string, string> = { "content-type": "application/json" };
      if (/^fetch$/i.test(String(req.headers["x-csrf-token"] ?? ""))) {
        const sessionId = randomBytes(12).toString("hex");
        const token = randomBytes(12).toString("base64");
        sessions.set(sessionId, { token });
        stats.csrfFetches++;
        headers["x-csrf-token"] = token;
        res.setHeader("set-cookie", [`SAP_SESSIONID_PDM_${options.sapClient ?? "100"}=${sessionId}; path=/; HttpOnly`, `sap-usercontext=sap-client=${options.sapClient ?? "100"}; path=/`]);
      }
      res.writeHead(200, headers);
      res.end(JSON.stringify({ d: { EntitySets: Object.keys(options.collections ?? {}) } }));
      return;
    }
    let rows: Array<Record<string, unknown>>;
    try {
      rows = collection(entitySet).filter(parseFilter(url.searchParams.get("$filter")));
    } catch (err) {
      return v2Error(res, 400, "/IWBEP/CM_MGW_RT/000", (err as Error).message);
    }
    const skip = Number(url.searchParams.get("$skiptoken") ?? url.searchParams.get("$skip") ?? 0);
    const top = url.searchParams.has("$top") ? Number(url.searchParams.get("$top")) : Infinity;
    const pageSize = Math.min(top, options.pageSize ?? Infinity);
    const page = rows.slice(skip, skip + pageSize);
    const d: Record<string, unknown> = { results: page.map((row) => ({ __metadata: { uri: `${service}${entitySet}('${String(row.id ?? "")}')` }, ...row })) };
    if (skip + page.length < Math.min(rows.length, top === Infinity ? rows.length : top) && page.length > 0) {
      const next = new URL(url.toString());
      next.searchParams.set("$skiptoken", String(skip + page.length));
      next.searchParams.delete("$skip");
      d.__next = `${url.pathname}?${next.searchParams.toString()}`.replace(/^\/sap\/opu\/odata\/sap\/[^/]+\//, "");
    }
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ d }));
  }

  async function post(service: string, entitySet: string, req: http.IncomingMessage, res: http.ServerResponse, text: string): Promise<void> {
    const session = sessions.get(cookiesOf(req).get(`SAP_SESSIONID_PDM_${options.sapClient ?? "100"}`) ?? "");
    if (!session || req.headers["x-csrf-token"] !== session.token) {
      return v2Error(res, 403, "/IWFND/CM_COS/000", "CSRF token validation failed", { "x-csrf-token": "Required" });
    }
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(text) as Record<string, unknown>;
    } catch {
      return v2Error(res, 400, "/IWBEP/CM_MGW_RT/021", "The request body is not valid JSON");
    }
    stats.posts++;
    const fault = options.fault?.({ entitySet, body, count: stats.posts });
    if (fault) stats.faults[fault] = (stats.faults[fault] ?? 0) + 1;
    switch (fault) {
      case "reset-before-commit": return void req.socket.destroy();
      case "timeout": return; // never answer; the client's timeout decides
      case "500": return v2Error(res, 500, "/IWBEP/CM_MGW_RT/001", "Internal server error: short dump");
      case "503": return v2Error(res, 503, "/IWFND/CM_BEC/026", "Service unavailable", { "retry-after": String(options.retryAfterS ?? 1) });
      case "429": return v2Error(res, 429, "/IWFND/CM_CONSUMER/003", "Too many requests", { "retry-after": String(options.retryAfterS ?? 1) });
      case "expire-session":
        sessions.clear();
        return v2Error(res, 403, "/IWFND/CM_COS/000", "CSRF token validation failed", { "x-csrf-token": "Required" });
      case "expire-token":
        tokens.clear();
        return v2Error(res, 401, "/IWFND/CM_SEC/001", "Unauthorized: token expired");
      default:
    }
    const requestId = typeof req.headers["repeatability-request-id"] === "string" ? req.headers["repeatability-request-id"] : undefined;
    const repeated = options.repeatability && requestId ? byRequestId.get(requestId) : undefined;
    let record = repeated;
    if (!record) {
      const message = options.reject?.(entitySet, body);
      if (message) {
        rejected.push({ entitySet, body, message });
        return v2Error(res, 400, "BAPI/E/001", message);
      }
      record = { entitySet, id: String(nextId++), body: { ...body, id: "" }, ...(requestId ? { requestId } : {}) };
      record.body.id = record.id;
      records.push(record);
      if (requestId) byRequestId.set(requestId, record);
    }
    const uri = `${service}${entitySet}('${record.id}')`;
    const answer = JSON.stringify({ d: { __metadata: { uri, type: `${entitySet}Type` }, ...record.body } });
    if (fault === "lost-response") return void req.socket.destroy();
    res.writeHead(201, { "content-type": "application/json", location: uri, "content-length": String(Buffer.byteLength(answer)) });
    if (fault === "reset-mid-response") {
      res.write(answer.slice(0, answer.length >> 1));
      setImmediate(() => req.socket.destroy());
      return;
    }
    res.end(answer);
  }

  const handler: http.RequestListener = (req, res) => {
    void (async () => {
      const text = await readBody(req);
      await latency();
      const url = new URL(req.url ?? "/", "http://127.0.0.1");
      if (req.method === "POST" && url.pathname === "/oauth/token") return issueToken(req, text, res);
      const match = /^(\/sap\/opu\/odata\/sap\/[A-Z0-9_]+\/)([A-Za-z0-9_$]*)$/.exec(url.pathname);
      if (!match) return v2Error(res, 404, "/IWFND/MED/170", `No service found for namespace, name ${url.pathname}`);
      if (!authorised(req)) {
        res.writeHead(401, { "www-authenticate": options.oauth ? "Bearer" : 'Basic realm="SAP NetWeaver Application Server"' });
        return void res.end("Unauthorized");
      }
      if (options.sapClient && url.searchParams.get("sap-client") !== options.sapClient) {
        return v2Error(res, 401, "/IWFND/CM_SEC/002", `sap-client ${url.searchParams.get("sap-client")} is not allowed`);
      }
      const [, service, entitySet] = match;
      if (req.method === "GET") return get(url, service, entitySet, req, res);
      if (req.method === "POST" && entitySet) return post(service, entitySet, req, res, text);
      return v2Error(res, 405, "/IWBEP/CM_MGW_RT/004", `Method ${req.method} not allowed`);
    })().catch((err: unknown) => {
      if (!res.headersSent) v2Error(res, 500, "TEST/SERVER", String(err));
    });
  };
  const server = options.tls ? https.createServer(options.tls, handler) : http.createServer(handler);
  server.on(options.tls ? "secureConnection" : "connection", (socket: Socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });

  const listen = (port: number) => new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  await listen(0);
  const port = (server.address() as AddressInfo).port;
  let listening = true;

  const down = async () => {
    if (!listening) return;
    listening = false;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const socket of sockets) socket.destroy();
    await closed;
  };

  return {
    url: `${options.tls ? "https" : "http"}://127.0.0.1:${port}`,
    records,
    rejected,
    stats,
    down,
    up: async () => {
      if (listening) return;
      await listen(port);
      listening = true;
    },
    expireSessions: () => sessions.clear(),
    expireTokens: () => tokens.clear(),
    stop: down,
  };
}
