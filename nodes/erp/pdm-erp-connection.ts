/**
 * pdm-erp-connection: a config node holding one ERP connection (system, URL, auth, TLS,
 * timeouts, SAP client). Push and pull nodes share its client: one CSRF session, one
 * token cache and one keep-alive pool per ERP.
 */
import type { Node, NodeAPI, NodeDef } from "../shared/node-red";
import { errorOf } from "../shared/node-red";
import { ConnectionCredentials, ConnectionEditorConfig, createClient } from "./connection";
import { ErpClient } from "./erp-client";

export interface ErpConnectionNode extends Node {
  client?: ErpClient;
  configError?: Error;
}

/** The client of the connection a node refers to; throws a clear error if missing or invalid. */
export function erpClientFromConfig(RED: NodeAPI, id: unknown): ErpClient {
  const node = typeof id === "string" && id ? (RED.nodes.getNode(id) as ErpConnectionNode | null) : null;
  if (!node) throw new Error("no ERP connection configured: open the node and choose a pdm-erp-connection");
  if (!node.client) throw new Error(`ERP connection "${node.name ?? node.id}" is invalid: ${node.configError?.message}`);
  return node.client;
}

export default function register(RED: NodeAPI): void {
  function PdmErpConnectionNode(this: ErpConnectionNode, config: NodeDef & ConnectionEditorConfig) {
    RED.nodes.createNode(this, config);
    try {
      this.client = createClient(config, ((this as { credentials?: unknown }).credentials ?? {}) as ConnectionCredentials);
    } catch (err) {
      this.configError = errorOf(err);
      this.error(`pdm-erp-connection: ${this.configError.message}`);
    }
    this.on("close", (_removed: boolean, done: () => void) => {
      this.client?.close();
      done();
    });
  }
  RED.nodes.registerType("pdm-erp-connection", PdmErpConnectionNode, {
    credentials: {
      user: { type: "text" },
      password: { type: "password" },
      clientId: { type: "text" },
      clientSecret: { type: "password" },
      token: { type: "password" },
    },
  });
}
