/**
 * The settings of one ERP connection as the pdm-erp-connection editor stores them, checked
 * and turned into client options. Secrets come from Node-RED credentials, never the flow.
 */
import { Auth, OAuthClientCredentials, basicAuth, bearerAuth, noAuth } from "./auth";
import { ERP_SYSTEMS, ErpClient, ErpConnectionOptions } from "./erp-client";
import { HttpClient } from "./http";
import { fail, finiteNumber, nonEmptyString, oneOf } from "../shared/validate";

export const AUTH_TYPES = ["none", "basic", "oauth2", "bearer"] as const;

export interface ConnectionEditorConfig {
  system?: unknown;
  baseUrl?: unknown;
  authType?: unknown;
  tokenUrl?: unknown;
  scope?: unknown;
  timeoutS?: unknown;
  sapClient?: unknown;
  ca?: unknown;
  verifyTls?: unknown;
}

export interface ConnectionCredentials {
  user?: string;
  password?: string;
  clientId?: string;
  clientSecret?: string;
  token?: string;
}

function url(value: unknown, field: string): URL {
  const text = nonEmptyString(value, field).trim();
  try {
    const parsed = new URL(text);
    if (parsed.protocol === "http:" || parsed.protocol === "https:") return parsed;
  } catch {
    // reported below
  }
  return fail(field, "an http:// or https:// URL", text);
}

/** Validate the editor's settings and build the client; errors name the setting. */
export function createClient(raw: ConnectionEditorConfig, credentials: ConnectionCredentials): ErpClient {
  const system = oneOf(ERP_SYSTEMS)(raw.system ?? "sap", "system");
  const baseUrl = url(raw.baseUrl, "baseUrl");
  const timeoutS = raw.timeoutS === undefined || raw.timeoutS === "" ? 30 : finiteNumber({ above: 0 })(Number(raw.timeoutS), "timeoutS");
  const ca = typeof raw.ca === "string" && raw.ca.trim() ? raw.ca.trim() : undefined;
  if (ca && !ca.includes("-----BEGIN CERTIFICATE-----")) fail("ca", "PEM certificates (-----BEGIN CERTIFICATE-----)", "other text");
  const tls = { ...(ca ? { ca } : {}), rejectUnauthorized: raw.verifyTls !== false && raw.verifyTls !== "false" };
  const sapClient = typeof raw.sapClient === "string" && raw.sapClient.trim() ? raw.sapClient.trim() : undefined;
  if (sapClient && !/^\d{3}$/.test(sapClient)) fail("sapClient", "three digits, e.g. 100", sapClient);

  const options: ErpConnectionOptions = { system, baseUrl, auth: noAuth, timeoutMs: timeoutS * 1000, tls, ...(sapClient ? { sapClient } : {}) };
  const client = new ErpClient(options);
  // The token request goes through the client's own agent, so it gets the same TLS settings.
  options.auth = authOf(oneOf(AUTH_TYPES)(raw.authType ?? "basic", "authType"), raw, credentials, client.http, options.timeoutMs);
  return client;
}

function authOf(type: (typeof AUTH_TYPES)[number], raw: ConnectionEditorConfig, credentials: ConnectionCredentials, http: HttpClient, timeoutMs: number): Auth {
  switch (type) {
    case "none":
      return noAuth;
    case "basic":
      return basicAuth(nonEmptyString(credentials.user, "user"), credentials.password ?? "");
    case "bearer":
      return bearerAuth(nonEmptyString(credentials.token, "token"));
    case "oauth2":
      return new OAuthClientCredentials(
        {
          tokenUrl: url(raw.tokenUrl, "tokenUrl"),
          clientId: nonEmptyString(credentials.clientId, "clientId"),
          clientSecret: nonEmptyString(credentials.clientSecret, "clientSecret"),
          ...(typeof raw.scope === "string" && raw.scope.trim() ? { scope: raw.scope.trim() } : {}),
        },
        http,
        timeoutMs,
      );
  }
}
