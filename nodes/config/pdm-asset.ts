/**
 * pdm-asset: a config node describing one machine. Processing nodes refer to it and call
 * `assetFromConfig` to get the validated AssetConfig (or a clear error about it).
 */
import type { Node, NodeAPI, NodeDef } from "../shared/node-red";
import { errorOf } from "../shared/node-red";
import { AssetConfig, AssetEditorConfig, parseAssetConfig } from "./asset";

export interface AssetNode extends Node {
  /** The validated asset, when the config is valid. */
  asset?: AssetConfig;
  /** Why the config is invalid, when it is. */
  configError?: Error;
}

/** The asset a processing node refers to by id; throws a clear error if missing or invalid. */
export function assetFromConfig(RED: NodeAPI, id: unknown): AssetConfig {
  const node = typeof id === "string" && id ? (RED.nodes.getNode(id) as AssetNode | null) : null;
  if (!node) throw new Error("no asset configured: open the node and choose a pdm-asset");
  if (!node.asset) throw new Error(`asset "${node.name ?? node.id}" is invalid: ${node.configError?.message}`);
  return node.asset;
}

export default function register(RED: NodeAPI): void {
  function PdmAssetNode(this: AssetNode, config: NodeDef & AssetEditorConfig) {
    RED.nodes.createNode(this, config);
    try {
      this.asset = parseAssetConfig(config);
    } catch (err) {
      this.configError = errorOf(err);
      this.error(`pdm-asset: ${this.configError.message}`);
    }
  }
  RED.nodes.registerType("pdm-asset", PdmAssetNode);
}
