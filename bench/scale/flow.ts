/**
 * The flow the scale benchmark runs: flow 1 ("Complete maintenance system",
 * flows/complete-maintenance-system.json) without its dashboard, with the processing
 * chain of one of its two machines replicated per asset. Built from the flow file itself
 * at run time, so the bench runs flow 1's real node configs and follows later edits of
 * it (new nodes downstream of the chain are kept or replicated by the same rules).
 *
 * The rules, in order:
 * 1. Dashboard: every ui_* node (tabs, groups, widgets) is dropped, and then, repeatedly,
 *    every node that is not a pdm node and whose outputs all go to dropped nodes (function
 *    nodes that only format for a chart, the status node that only feeds a text widget).
 *    pdm nodes are always kept, their dashboard wires removed. Comments are dropped.
 * 2. The chain of a machine is what its replay node (replay-femto, replay-cwru) reaches
 *    and the other machine's replay and the shared roots (master data inject, HTTP in,
 *    audit verify timer) do not reach, plus the config nodes it names (asset-femto,
 *    asset-cwru). Everything reachable from both machines or from a shared root (rules,
 *    alarms, planner, work orders, ERP push, audit) is shared and kept once, as in flow 1.
 * 3. The other machine's chain and its asset config are dropped.
 * 4. The chain is copied once per asset: ids get the suffix "~<k>", wires inside the
 *    chain point to the copy, wires to shared nodes stay, the asset config node gets the
 *    asset id "<asset id>-<k>", and pdm-rules' asset-to-parts table gets the copies'
 *    ids with the original's parts.
 * 5. The replay node of each copy becomes a junction with the same wires: the bench
 *    injects the recorded blocks there at the real-time rate (scale/child.ts), which is
 *    what pdm-replay does in flow 1 (it cannot play FEMTO as a continuous 25.6 kHz
 *    stream: FEMTO recordings are 0.1 s snapshots).
 * 6. The ERP connection's base URL points at this Node-RED (flow 1 has 127.0.0.1:1880,
 *    the default port of a local Node-RED; the bench's runs on a free port).
 *
 * The reference flow is the same thing with every copy of the chain replaced by one
 * function node that passes the block on ("return msg;"): the injector and Node-RED's
 * own message passing of the same blocks, with the same shared nodes deployed.
 */

export type FlowNode = Record<string, unknown> & { id: string; type: string; wires?: string[][] };

export type ChannelKind = "femto" | "cwru";

export const MACHINES: Record<ChannelKind, { replay: string; other: string }> = {
  femto: { replay: "replay-femto", other: "replay-cwru" },
  cwru: { replay: "replay-cwru", other: "replay-femto" },
};

export interface ScaleFlow {
  nodes: FlowNode[];
  /** Per asset: its id and the id of the junction the blocks are injected at. */
  assets: Array<{ asset: string; source: string }>;
  /** Ids of the nodes the injected blocks go to first (each copy's). */
  entries: string[];
  /** What was done to flow 1, for the report. */
  summary: { droppedDashboard: string[]; droppedOtherMachine: string[]; chain: string[]; shared: string[] };
}

const CONFIG_TYPES = new Set(["pdm-asset", "pdm-erp-connection"]);
const isPdm = (node: FlowNode) => node.type.startsWith("pdm-");
const isDashboard = (node: FlowNode) => node.type.startsWith("ui_");
const targets = (node: FlowNode) => (node.wires ?? []).flat();

/** Ids reachable by wires from `roots` (the roots included). */
function reach(byId: Map<string, FlowNode>, roots: string[]): Set<string> {
  const seen = new Set<string>();
  const stack = [...roots];
  while (stack.length > 0) {
    const id = stack.pop() as string;
    if (seen.has(id) || !byId.has(id)) continue;
    seen.add(id);
    stack.push(...targets(byId.get(id) as FlowNode));
  }
  return seen;
}

/** Flow 1 without the dashboard (rule 1). */
export function withoutDashboard(flow: FlowNode[]): { nodes: FlowNode[]; dropped: string[] } {
  const dropped = new Set(flow.filter((n) => isDashboard(n) || n.type === "comment").map((n) => n.id));
  for (let changed = true; changed; ) {
    changed = false;
    for (const node of flow) {
      if (dropped.has(node.id) || isPdm(node) || node.type === "tab") continue;
      const out = targets(node);
      const feedsOnlyDashboard = out.length > 0 && out.every((id) => dropped.has(id));
      // A status node with all its targets gone does nothing either.
      if (feedsOnlyDashboard) {
        dropped.add(node.id);
        changed = true;
      }
    }
  }
  const nodes = flow
    .filter((n) => !dropped.has(n.id))
    .map((n) => (n.wires ? { ...n, wires: n.wires.map((port) => port.filter((id) => !dropped.has(id))) } : { ...n }));
  return { nodes, dropped: [...dropped] };
}

/** Config node ids a node refers to (fields holding the id of a config node). */
function configRefs(node: FlowNode, configIds: Set<string>): string[] {
  return Object.entries(node)
    .filter(([key, value]) => key !== "id" && key !== "z" && typeof value === "string" && configIds.has(value))
    .map(([, value]) => value as string);
}

export interface BuildOptions {
  kind: ChannelKind;
  assets: number;
  /** Replace each copy of the chain by one pass-through function node. */
  reference: boolean;
  erpBaseUrl: string;
  /** Overlap in percent of the chain's pdm-window nodes instead of flow 1's (CWRU; FEMTO has no window node). */
  overlapPercent?: number;
}

export function buildScaleFlow(flow1: FlowNode[], options: BuildOptions): ScaleFlow {
  const { nodes, dropped } = withoutDashboard(flow1);
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const machine = MACHINES[options.kind];
  for (const id of [machine.replay, machine.other]) if (!byId.has(id)) throw new Error(`flow 1 has no node "${id}"`);

  const sharedRoots = nodes
    .filter((n) => n.id !== machine.replay && n.id !== machine.other && n.type !== "tab" && !CONFIG_TYPES.has(n.type) && n.z !== undefined)
    .filter((n) => !nodes.some((m) => targets(m).includes(n.id)))
    .map((n) => n.id);
  const fromShared = reach(byId, sharedRoots);
  const fromOther = reach(byId, [machine.other]);
  const fromThis = reach(byId, [machine.replay]);
  const configIds = new Set(nodes.filter((n) => CONFIG_TYPES.has(n.type)).map((n) => n.id));

  const chainIds = new Set([...fromThis].filter((id) => !fromOther.has(id) && !fromShared.has(id)));
  const otherIds = new Set([...fromOther].filter((id) => !fromThis.has(id) && !fromShared.has(id)));
  const chainConfigs = new Set([...chainIds].flatMap((id) => configRefs(byId.get(id) as FlowNode, configIds)));
  const otherConfigs = new Set([...otherIds].flatMap((id) => configRefs(byId.get(id) as FlowNode, configIds)).filter((id) => !chainConfigs.has(id)));
  // The shared nodes: everything else (config nodes they name stay too).
  const shared = nodes.filter((n) => !chainIds.has(n.id) && !chainConfigs.has(n.id) && !otherIds.has(n.id) && !otherConfigs.has(n.id));

  const copyId = (id: string, k: number) => `${id}~${k}`;
  const assetIdOf = (k: number) => `${assetBase(nodes, chainConfigs, byId.get(machine.replay) as FlowNode)}-${String(k).padStart(3, "0")}`;
  const replayTargets = targets(byId.get(machine.replay) as FlowNode);

  const out: FlowNode[] = shared.map((n) => ({ ...n }));
  const assets: ScaleFlow["assets"] = [];
  const entries: string[] = [];
  for (let k = 0; k < options.assets; k++) {
    const asset = assetIdOf(k);
    const source = copyId(machine.replay, k);
    assets.push({ asset, source });
    const replay = byId.get(machine.replay) as FlowNode;
    if (options.reference) {
      const pass = copyId("pass", k);
      out.push({ id: source, type: "junction", z: replay.z, x: 0, y: 0, wires: [[pass]] });
      out.push({ id: pass, type: "function", z: replay.z, name: "pass the block on", func: "return msg;", outputs: 1, timeout: 0, noerr: 0, initialize: "", finalize: "", libs: [], x: 0, y: 0, wires: [[]] });
      entries.push(pass);
      continue;
    }
    const rename = (id: string) => (chainIds.has(id) || chainConfigs.has(id) ? copyId(id, k) : id);
    for (const id of chainConfigs) {
      const config = byId.get(id) as FlowNode;
      out.push({ ...config, id: copyId(id, k), name: `${String(config.name ?? id)} #${k}`, ...(config.type === "pdm-asset" ? { assetId: asset } : {}) });
    }
    for (const id of chainIds) {
      const node = byId.get(id) as FlowNode;
      const copy: FlowNode = { ...node, id: copyId(id, k) };
      if (node.type === "pdm-window" && options.overlapPercent !== undefined) copy.overlap = options.overlapPercent;
      for (const [key, value] of Object.entries(node)) if (key !== "id" && typeof value === "string" && chainConfigs.has(value)) copy[key] = rename(value);
      if (node.wires) copy.wires = node.wires.map((port) => port.map(rename));
      if (id === machine.replay) {
        out.push({ id: copy.id, type: "junction", z: node.z, x: node.x, y: node.y, wires: copy.wires });
      } else {
        out.push(copy);
      }
    }
    entries.push(...replayTargets.map((id) => copyId(id, k)));
  }

  // pdm-rules: the copies' spare parts are the original asset's.
  const originalAsset = assetBase(nodes, chainConfigs, byId.get(machine.replay) as FlowNode);
  for (const node of out) {
    if (node.type === "pdm-rules" && typeof node.assetParts === "string" && node.assetParts.trim()) {
      const parts = JSON.parse(node.assetParts) as Record<string, unknown>;
      if (parts[originalAsset] !== undefined) for (const { asset } of assets) parts[asset] = parts[originalAsset];
      node.assetParts = JSON.stringify(parts);
    }
    if (node.type === "pdm-erp-connection") node.baseUrl = options.erpBaseUrl;
  }

  return {
    nodes: out,
    assets,
    entries,
    summary: {
      droppedDashboard: dropped,
      droppedOtherMachine: [...otherIds, ...otherConfigs],
      chain: [...chainConfigs, ...chainIds],
      shared: shared.filter((n) => n.type !== "tab").map((n) => n.id),
    },
  };
}

/** The asset id of the machine in flow 1: its replay node's `asset`, else its asset config's `assetId`. */
function assetBase(nodes: FlowNode[], chainConfigs: Set<string>, replay: FlowNode): string {
  if (typeof replay.asset === "string" && replay.asset.trim()) return replay.asset.trim();
  const config = nodes.find((n) => chainConfigs.has(n.id) && n.type === "pdm-asset");
  return String(config?.assetId ?? "asset");
}
