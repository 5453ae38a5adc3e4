/**
 * pdm-oee: OEE (availability × performance × quality), MTBF and MTTR per asset from machine
 * states and counts, reported per shift (on a schedule) or when asked. The arithmetic is in ./oee.
 */
import { Node, NodeAPI, NodeDef, onInput, status } from "../shared/node-red";
import { finiteNumber, isRecord, nonEmptyString, object, optional } from "../shared/validate";
import { OeeReport, OeeWindow, checkStateChange } from "./oee";

interface OeeConfig extends NodeDef {
  idealCycleS: string | number;
  reportEveryMin?: string | number;
}

const checkCount = object({
  asset: nonEmptyString,
  ts: finiteNumber({ min: 0 }),
  produced: finiteNumber({ min: 0 }),
  scrap: optional(finiteNumber({ min: 0 })),
});

export default function register(RED: NodeAPI): void {
  function PdmOeeNode(this: Node, config: OeeConfig) {
    RED.nodes.createNode(this, config);
    const node = this;
    const windows = new Map<string, OeeWindow>();
    const idealCycleS = Number(config.idealCycleS);
    let timer: NodeJS.Timeout | undefined;

    const windowOf = (asset: string, ts: number) => {
      let window = windows.get(asset);
      if (!window) windows.set(asset, (window = new OeeWindow(asset, ts)));
      return window;
    };

    const report = (assets: string[], end: number, cycleS: number): OeeReport[] =>
      assets.flatMap((asset) => {
        const window = windows.get(asset);
        return window ? [window.report(end, cycleS)] : [];
      });

    const sendReports = (reports: OeeReport[]) => {
      for (const r of reports) node.send({ topic: `oee/${r.asset}`, payload: r });
      if (reports.length > 0) {
        const last = reports[reports.length - 1];
        status.ok(node, `${last.asset} OEE ${(last.oee * 100).toFixed(1)} %`);
      }
    };

    onInput(node, (msg) => {
      if (!(idealCycleS > 0)) throw new Error(`idealCycleS: expected a number > 0, got ${config.idealCycleS}`);
      const payload = isRecord(msg.payload) ? msg.payload : {};
      if (msg.topic === "report") {
        const asset = optional(nonEmptyString)(payload.asset, "msg.payload.asset");
        const end = optional(finiteNumber({ min: 0 }))(payload.end, "msg.payload.end") ?? Date.now();
        const cycleS = optional(finiteNumber({ above: 0 }))(payload.idealCycleS, "msg.payload.idealCycleS") ?? idealCycleS;
        if (asset && !windows.has(asset)) throw new Error(`msg.payload.asset: no states or counts of "${asset}" yet`);
        sendReports(report(asset ? [asset] : [...windows.keys()], end, cycleS));
        return;
      }
      if (msg.topic === "reset") {
        const asset = optional(nonEmptyString)(payload.asset, "msg.payload.asset");
        if (asset) windows.delete(asset);
        else windows.clear();
        status.idle(node, "reset");
        return;
      }
      if ("state" in payload) {
        const change = checkStateChange(payload, "msg.payload");
        windowOf(change.asset, change.ts).state({ ts: change.ts, state: change.state });
        status.busy(node, `${change.asset}: ${change.state}`);
        return;
      }
      const count = checkCount(payload, "msg.payload");
      windowOf(count.asset, count.ts).count(count.produced, count.scrap ?? 0);
    });

    const everyMin = Number(config.reportEveryMin || 0);
    if (everyMin > 0) {
      timer = setInterval(() => {
        try {
          sendReports(report([...windows.keys()], Date.now(), idealCycleS));
        } catch (err) {
          node.error(`pdm-oee: ${err instanceof Error ? err.message : String(err)}`);
        }
      }, everyMin * 60_000);
    }

    node.on("close", (_removed: boolean, done: () => void) => {
      clearInterval(timer);
      done();
    });
  }
  RED.nodes.registerType("pdm-oee", PdmOeeNode);
}
