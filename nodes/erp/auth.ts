/**
 * How a connection proves who it is: HTTP Basic, a fixed bearer token, or OAuth 2.0 client
 * credentials (RFC 6749 §4.4) with the token cached until shortly before it expires and
 * fetched again when the ERP answers 401.
 */
import { HttpClient } from "./http";

export interface Auth {
  /** The Authorization header value, or undefined for none. */
  header(): Promise<string | undefined>;
  /** The ERP rejected the last header (401): forget any cached token. */
  invalidate(): void;
}

export const noAuth: Auth = { header: async () => undefined, invalidate: () => undefined };

export function basicAuth(user: string, password: string): Auth {
  const value = `Basic ${Buffer.from(`${user}:${password}`, "utf8").toString("base64")}`;
  return { header: async () => value, invalidate: () => undefined };
}

export function bearerAuth(token: string): Auth {
  return { header: async () => `Bearer ${token}`, invalidate: () => undefined };
}

export interface ClientCredentials {
  tokenUrl: URL;
  clientId: string;
  clientSecret: string;
  /** Space-separated scopes, e.g. "https://org.crm.dynamics.com/.default" for Dataverse. */
  scope?: string;
}

/** Fetch a new token this long before the cached one expires, so no request carries a token that dies on the way. */
const EXPIRY_MARGIN_MS = 60_000;

/**
 * OAuth 2.0 client-credentials token cache. Concurrent callers share one token request;
 * `now` is injectable so expiry can be tested without waiting.
 */
export class OAuthClientCredentials implements Auth {
  private token?: { value: string; expiresAt: number };
  private pending?: Promise<string>;
  /** Tokens fetched so far (for the status and tests). */
  fetched = 0;

  constructor(
    private readonly credentials: ClientCredentials,
    private readonly http: HttpClient,
    private readonly timeoutMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  async header(): Promise<string> {
    if (this.token && this.token.expiresAt > this.now()) return `Bearer ${this.token.value}`;
    this.pending ??= this.fetchToken().finally(() => (this.pending = undefined));
    return `Bearer ${await this.pending}`;
  }

  invalidate(): void {
    this.token = undefined;
  }

  private async fetchToken(): Promise<string> {
    const { tokenUrl, clientId, clientSecret, scope } = this.credentials;
    const form = new URLSearchParams({ grant_type: "client_credentials" });
    if (scope) form.set("scope", scope);
    const response = await this.http.request({
      method: "POST",
      url: tokenUrl,
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        accept: "application/json",
        // RFC 6749 §2.3.1: client id and secret form-encoded, then as HTTP Basic.
        authorization: `Basic ${Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(clientSecret)}`).toString("base64")}`,
      },
      body: form.toString(),
      timeoutMs: this.timeoutMs,
    });
    let parsed: { access_token?: unknown; expires_in?: unknown; error?: unknown; error_description?: unknown } = {};
    try {
      parsed = JSON.parse(response.body) as typeof parsed;
    } catch {
      // Not JSON: reported below with the status.
    }
    if (response.status !== 200 || typeof parsed.access_token !== "string") {
      const reason = typeof parsed.error_description === "string" ? parsed.error_description : typeof parsed.error === "string" ? parsed.error : response.body.slice(0, 200);
      throw new Error(`OAuth token request failed (HTTP ${response.status}): ${reason}`);
    }
    const lifetimeS = Number(parsed.expires_in ?? 3600);
    // Short-lived tokens (test systems) are renewed at half their life instead.
    const usableMs = Math.max(lifetimeS * 1000 - EXPIRY_MARGIN_MS, lifetimeS * 500);
    this.token = { value: parsed.access_token, expiresAt: this.now() + usableMs };
    this.fetched++;
    return parsed.access_token;
  }
}
