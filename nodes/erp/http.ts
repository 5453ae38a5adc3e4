/**
 * A small HTTP(S) client over node:http/https: timeouts, TLS options (custom CA,
 * verification on unless switched off), keep-alive, and a cookie jar for SAP session
 * cookies. Network failures come back as HttpNetworkError with the socket error code so
 * the outbox can tell "never reached the server" from "answer lost".
 */
import * as http from "node:http";
import * as https from "node:https";

export interface TlsOptions {
  /** PEM certificate(s) of the CA that signed the ERP's certificate, when not a public CA. */
  ca?: string;
  /** false only for test systems with self-signed certificates; on by default. */
  rejectUnauthorized?: boolean;
}

export interface HttpResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export interface HttpRequest {
  method: "GET" | "POST" | "PATCH" | "DELETE";
  url: URL;
  headers?: Record<string, string>;
  body?: string;
  timeoutMs: number;
  signal?: AbortSignal;
}

/** The request failed below HTTP: refused, reset, timed out, aborted, TLS. */
export class HttpNetworkError extends Error {
  constructor(
    message: string,
    /** Socket error code, e.g. ECONNREFUSED, ECONNRESET, ETIMEDOUT, ABORTED. */
    readonly code: string,
    /** false when the request certainly did not reach the server (connection refused). */
    readonly mayHaveArrived: boolean,
  ) {
    super(message);
    this.name = "HttpNetworkError";
  }
}

/** Session cookies of one server. One jar per connection: domain and path rules do not matter then. */
export class CookieJar {
  private readonly cookies = new Map<string, string>();

  store(setCookie: string[] | undefined): void {
    for (const line of setCookie ?? []) {
      const pair = line.split(";", 1)[0];
      const eq = pair.indexOf("=");
      if (eq <= 0) continue;
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      // An expired or emptied cookie is the server deleting it.
      if (value === "" || /;\s*max-age=0/i.test(line) || /expires=thu, 01 jan 1970/i.test(line)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  header(): string | undefined {
    if (this.cookies.size === 0) return undefined;
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join("; ");
  }

  clear(): void {
    this.cookies.clear();
  }
}

export class HttpClient {
  private readonly httpAgent: http.Agent;
  private readonly httpsAgent: https.Agent;

  constructor(tls: TlsOptions = {}, maxSockets = 16) {
    this.httpAgent = new http.Agent({ keepAlive: true, maxSockets });
    this.httpsAgent = new https.Agent({
      keepAlive: true,
      maxSockets,
      ...(tls.ca ? { ca: tls.ca } : {}),
      rejectUnauthorized: tls.rejectUnauthorized !== false,
    });
  }

  request(req: HttpRequest): Promise<HttpResponse> {
    const secure = req.url.protocol === "https:";
    const transport = secure ? https : http;
    const headers: Record<string, string> = { ...req.headers };
    if (req.body !== undefined) headers["content-length"] = String(Buffer.byteLength(req.body));
    return new Promise((resolve, reject) => {
      let settled = false;
      const finish = (fn: () => void) => {
        if (!settled) {
          settled = true;
          clearTimeout(timer);
          req.signal?.removeEventListener("abort", onAbort);
          fn();
        }
      };
      const outgoing = transport.request(req.url, { method: req.method, headers, agent: secure ? this.httpsAgent : this.httpAgent });
      const fail = (code: string, message: string) => {
        outgoing.destroy();
        finish(() => reject(new HttpNetworkError(`${req.method} ${req.url.pathname}: ${message}`, code, code !== "ECONNREFUSED")));
      };
      const timer = setTimeout(() => fail("ETIMEDOUT", `no answer within ${req.timeoutMs} ms`), req.timeoutMs);
      const onAbort = () => fail("ABORTED", "aborted");
      req.signal?.addEventListener("abort", onAbort);
      outgoing.on("error", (err: NodeJS.ErrnoException) => fail(err.code ?? "EIO", err.message));
      outgoing.on("response", (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("error", (err: NodeJS.ErrnoException) => fail(err.code ?? "ECONNRESET", err.message));
        res.on("aborted", () => fail("ECONNRESET", "connection reset while reading the answer"));
        res.on("end", () => {
          if (!res.complete) return fail("ECONNRESET", "connection closed before the answer was complete");
          finish(() => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString("utf8") }));
        });
      });
      if (req.signal?.aborted) return onAbort();
      outgoing.end(req.body);
    });
  }

  close(): void {
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }
}

/** A header that may come as a list (set-cookie) or a single string, as one string. */
export function headerText(headers: http.IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name.toLowerCase()];
  return Array.isArray(value) ? value.join(", ") : value;
}
