/**
 * Talks to one ERP: SAP S/4HANA (OData V2 through SAP Gateway), Microsoft Dynamics 365 /
 * Dataverse (Web API, OData V4) or a plain REST/JSON service. `create` posts one record and
 * says what became of it; `getAll` reads a collection page by page.
 *
 * SAP Gateway protects changing requests with a CSRF token bound to the session cookies:
 * GET the service with `X-CSRF-Token: Fetch`, keep the cookies, send token and cookies with
 * the POST; when the session expired the POST gets 403 with `X-CSRF-Token: Required`, and the
 * token is fetched once more.
 */
import { Auth } from "./auth";
import { CookieJar, HttpClient, HttpNetworkError, HttpResponse, TlsOptions, headerText } from "./http";
import { errorMessage, quote, readPage } from "./odata";
import { parseRetryAfter, verdictOf } from "./retry";

export const ERP_SYSTEMS = ["sap", "dynamics", "rest"] as const;
export type ErpSystem = (typeof ERP_SYSTEMS)[number];

export interface ErpConnectionOptions {
  system: ErpSystem;
  /** Scheme, host and port, e.g. https://s4.example.com:44300 (paths are per record). */
  baseUrl: URL;
  auth: Auth;
  timeoutMs: number;
  /** SAP client (Mandant), sent as the sap-client query parameter. */
  sapClient?: string;
  tls?: TlsOptions;
  /** Parallel connections to the ERP. */
  maxSockets?: number;
}

export interface CreateRequest {
  /** Entity set path below the base URL. */
  path: string;
  body: unknown;
  /** Idempotency reference of the record, sent as headers and (by the mapping) in the payload. */
  ref: string;
  /** Payload field holding `ref`, for the look-up before a repeated attempt (OData systems). */
  refField?: string;
  /** A previous attempt may have reached the ERP: look the record up before posting again. */
  mayExist: boolean;
  signal?: AbortSignal;
}

export type CreateResult =
  | { outcome: "sent"; status: number; erpId?: string; found?: boolean }
  | { outcome: "retry"; status?: number; error: string; retryAfterMs?: number; maybeCreated: boolean }
  | { outcome: "reject"; status: number; error: string };

/** Was this 403 SAP Gateway asking for a fresh CSRF token (rather than a missing authorisation)? */
function csrfRejected(response: HttpResponse): boolean {
  return response.status === 403 && (/required/i.test(headerText(response.headers, "x-csrf-token") ?? "") || /CSRF token validation failed/i.test(response.body));
}

/** Where the created entity lives: Location / OData-EntityId header, V2 __metadata.uri, or an id field. */
function createdId(response: HttpResponse): string | undefined {
  const header = headerText(response.headers, "location") ?? headerText(response.headers, "odata-entityid");
  if (header) return header;
  try {
    const json = JSON.parse(response.body) as { d?: { __metadata?: { uri?: unknown } }; id?: unknown };
    const uri = json.d?.__metadata?.uri ?? json.id;
    return typeof uri === "string" || typeof uri === "number" ? String(uri) : undefined;
  } catch {
    return undefined;
  }
}

export class ErpClient {
  readonly http: HttpClient;
  private readonly cookies = new CookieJar();
  private csrfToken?: string;
  private csrfPending?: Promise<string>;
  /** CSRF tokens fetched so far (for tests and the status). */
  csrfFetches = 0;

  constructor(readonly options: ErpConnectionOptions) {
    this.http = new HttpClient(options.tls, options.maxSockets ?? 16);
  }

  /** The full URL of a path, with sap-client for SAP. */
  url(path: string, query: Record<string, string> = {}): URL {
    const url = new URL(path, this.options.baseUrl);
    for (const [name, value] of Object.entries(query)) url.searchParams.set(name, value);
    if (this.options.system === "sap" && this.options.sapClient) url.searchParams.set("sap-client", this.options.sapClient);
    return url;
  }

  /** Post one record. Never throws for HTTP or network trouble: the result says sent, retry or reject. */
  async create(req: CreateRequest): Promise<CreateResult> {
    try {
      if (req.mayExist && req.refField && this.options.system !== "rest") {
        const existing = await this.findByRef(req.path, req.refField, req.ref, req.signal);
        if (existing.outcome !== "sent" || existing.found) return existing;
      }
      let response = await this.post(req, false);
      if (csrfRejected(response) || response.status === 401) {
        // The session or token expired between fetch and use: renew once, then believe the answer.
        if (response.status === 401) this.options.auth.invalidate();
        response = await this.post(req, true);
      }
      return this.resultOf(response);
    } catch (err) {
      // An earlier uncertain attempt stays uncertain until a look-up answered "not there".
      if (err instanceof HttpNetworkError) return { outcome: "retry", error: err.message, maybeCreated: req.mayExist || err.mayHaveArrived };
      // Token endpoint or CSRF fetch trouble: the record is fine, the way to the ERP is not.
      return { outcome: "retry", error: err instanceof Error ? err.message : String(err), maybeCreated: req.mayExist };
    }
  }

  /** GET a collection and every further page (`__next` / `@odata.nextLink`), up to `maxRows`. */
  async getAll(path: string, query: Record<string, string>, maxRows = 100_000, signal?: AbortSignal): Promise<unknown[]> {
    const rows: unknown[] = [];
    let url: URL | undefined = this.url(path, { ...query, ...(this.options.system === "sap" ? { $format: "json" } : {}) });
    while (url && rows.length < maxRows) {
      const response = await this.http.request({ method: "GET", url, headers: await this.readHeaders(), timeoutMs: this.options.timeoutMs, signal });
      if (response.status === 401) this.options.auth.invalidate();
      if (response.status !== 200) throw new Error(`GET ${url.pathname} failed (HTTP ${response.status}): ${errorMessage(response.body)}`);
      const page = readPage(JSON.parse(response.body));
      rows.push(...page.rows);
      url = page.next ? this.nextPageUrl(url, page.next) : undefined;
    }
    return rows.slice(0, maxRows);
  }

  close(): void {
    this.http.close();
  }

  /** A V2 __next may be relative to the collection and may lack sap-client: resolve and keep it. */
  private nextPageUrl(current: URL, next: string): URL {
    const url = new URL(next, current);
    if (this.options.system === "sap" && this.options.sapClient && !url.searchParams.has("sap-client")) {
      url.searchParams.set("sap-client", this.options.sapClient);
    }
    if (this.options.system === "sap" && !url.searchParams.has("$format")) url.searchParams.set("$format", "json");
    return url;
  }

  private async findByRef(path: string, field: string, ref: string, signal?: AbortSignal): Promise<CreateResult & { found?: boolean }> {
    const query: Record<string, string> = { $filter: `${field} eq ${quote(ref)}`, $top: "1" };
    if (this.options.system === "sap") query.$format = "json";
    const response = await this.http.request({ method: "GET", url: this.url(path, query), headers: await this.readHeaders(), timeoutMs: this.options.timeoutMs, signal });
    if (response.status === 401) this.options.auth.invalidate();
    if (response.status !== 200) {
      return { outcome: "retry", status: response.status, error: `look-up before repeating failed (HTTP ${response.status}): ${errorMessage(response.body)}`, maybeCreated: true };
    }
    const { rows } = readPage(JSON.parse(response.body));
    if (rows.length === 0) return { outcome: "sent", status: 200, found: false };
    const uri = (rows[0] as { __metadata?: { uri?: unknown } }).__metadata?.uri;
    return { outcome: "sent", status: 200, found: true, ...(typeof uri === "string" ? { erpId: uri } : {}) };
  }

  private async readHeaders(): Promise<Record<string, string>> {
    const headers: Record<string, string> = { accept: "application/json" };
    const authorization = await this.options.auth.header();
    if (authorization) headers.authorization = authorization;
    if (this.options.system === "dynamics") Object.assign(headers, { "odata-version": "4.0", "odata-maxversion": "4.0" });
    const cookie = this.cookies.header();
    if (cookie) headers.cookie = cookie;
    return headers;
  }

  private async post(req: CreateRequest, renewSession: boolean): Promise<HttpResponse> {
    const headers: Record<string, string> = {
      ...(await this.readHeaders()),
      "content-type": "application/json",
      // Idempotency: Repeatability-Request-ID (OData 4.01 / SAP RAP) and the de-facto Idempotency-Key.
      "repeatability-request-id": req.ref,
      "idempotency-key": req.ref,
    };
    if (this.options.system === "sap") {
      headers["x-csrf-token"] = await this.csrf(serviceRootOf(req.path), renewSession, req.signal);
      const cookie = this.cookies.header();
      if (cookie) headers.cookie = cookie;
    }
    if (this.options.system === "dynamics") headers.prefer = "return=representation";
    const response = await this.http.request({
      method: "POST",
      url: this.url(req.path),
      headers,
      body: JSON.stringify(req.body),
      timeoutMs: this.options.timeoutMs,
      signal: req.signal,
    });
    this.cookies.store(response.headers["set-cookie"]);
    return response;
  }

  /** The CSRF token of the current session; one fetch shared by all concurrent posts. */
  private async csrf(serviceRoot: string, renew: boolean, signal?: AbortSignal): Promise<string> {
    if (renew) {
      this.csrfToken = undefined;
      this.cookies.clear();
    }
    if (this.csrfToken) return this.csrfToken;
    this.csrfPending ??= this.fetchCsrf(serviceRoot, signal).finally(() => (this.csrfPending = undefined));
    return this.csrfPending;
  }

  private async fetchCsrf(serviceRoot: string, signal?: AbortSignal): Promise<string> {
    const headers = { ...(await this.readHeaders()), "x-csrf-token": "Fetch" };
    const response = await this.http.request({ method: "GET", url: this.url(serviceRoot), headers, timeoutMs: this.options.timeoutMs, signal });
    this.cookies.store(response.headers["set-cookie"]);
    const token = headerText(response.headers, "x-csrf-token");
    if (response.status === 401) this.options.auth.invalidate();
    if (response.status !== 200 || !token || /required/i.test(token)) {
      throw new CsrfFetchError(response);
    }
    this.csrfFetches++;
    this.csrfToken = token;
    return token;
  }

  private resultOf(response: HttpResponse): CreateResult {
    // Still no valid session after renewing (another request renewed it meanwhile): try again later.
    if (csrfRejected(response)) return { outcome: "retry", status: 403, error: "HTTP 403: CSRF token validation failed", maybeCreated: false };
    const verdict = verdictOf(response.status);
    if (verdict === "sent") {
      const erpId = createdId(response);
      return { outcome: "sent", status: response.status, ...(erpId ? { erpId } : {}) };
    }
    const error = `HTTP ${response.status}: ${errorMessage(response.body)}`;
    if (verdict === "reject") return { outcome: "reject", status: response.status, error };
    const retryAfterMs = parseRetryAfter(headerText(response.headers, "retry-after"), Date.now());
    return { outcome: "retry", status: response.status, error, maybeCreated: mayHaveCreated(response.status), ...(retryAfterMs === undefined ? {} : { retryAfterMs }) };
  }
}

/**
 * Could a failed answer hide a created record? 429, 503, 401, 407, 408 and 425 are refusals
 * before any work; SAP Gateway rolls a 500 back, but a 500/502/504 may come from a proxy in
 * front of an ERP that did commit, so those count as "maybe".
 */
function mayHaveCreated(status: number): boolean {
  return ![401, 407, 408, 425, 429, 503].includes(status);
}

/** The CSRF fetch failed: an HTTP problem on the way, so the record is retried. */
class CsrfFetchError extends Error {
  constructor(response: HttpResponse) {
    super(`CSRF token fetch failed (HTTP ${response.status}): ${errorMessage(response.body)}`);
    this.name = "CsrfFetchError";
  }
}

/** The service root of an entity set path: "/sap/opu/odata/sap/API_X/EntitySet" -> "/sap/opu/odata/sap/API_X/". */
function serviceRootOf(entitySetPath: string): string {
  const clean = entitySetPath.split("?", 1)[0].replace(/\/+$/, "");
  return clean.slice(0, clean.lastIndexOf("/") + 1) || "/";
}
