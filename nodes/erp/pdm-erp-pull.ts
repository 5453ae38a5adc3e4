/**
 * pdm-erp-pull: production orders of a plant for a date range, as production windows for the
 * planner; on a schedule and on demand. Paging through __next / @odata.nextLink is the client's.
 */
import { Node, NodeAPI, NodeDef, onInput, status } from "../shared/node-red";
import { finiteNumber, isRecord, nonEmptyString, optional } from "../shared/validate";
import { erpClientFromConfig } from "./pdm-erp-connection";
import { ProductionWindow, SAP_PRODUCTION_ORDERS, sapOrderFilter, windowsFromRest, windowsFromSap } from "./production";

interface PullConfig extends NodeDef {
  connection: string;
  path?: string;
  plant?: string;
  daysBack?: string | number;
  daysAhead?: string | number;
  intervalMin?: string | number;
  maxRows?: string | number;
}

const DAY_MS = 86_400_000;

export default function register(RED: NodeAPI): void {
  function PdmErpPullNode(this: Node, config: PullConfig) {
    RED.nodes.createNode(this, config);
    const node = this;
    const num = (value: unknown, fallback: number, field: string) =>
      value === undefined || value === "" ? fallback : finiteNumber({ min: 0 })(Number(value), field);
    let timer: NodeJS.Timeout | undefined;
    let closed = false;

    /** Fetch the windows of a plant and range; the range defaults to the configured days around now. */
    const pull = async (request: { plant?: string; from?: number; to?: number }) => {
      const client = erpClientFromConfig(RED, config.connection);
      const plant = nonEmptyString(request.plant ?? config.plant, "plant");
      const now = Date.now();
      const from = request.from ?? now - num(config.daysBack, 0, "daysBack") * DAY_MS;
      const to = request.to ?? now + num(config.daysAhead, 7, "daysAhead") * DAY_MS;
      if (!(to > from)) throw new Error(`msg.payload.to: expected a time after from (${from}), got ${to}`);
      const maxRows = num(config.maxRows, 10_000, "maxRows");
      const sap = client.options.system === "sap";
      const path = config.path?.trim() || (sap ? SAP_PRODUCTION_ORDERS : "/production-orders");
      status.busy(node, `pulling ${plant}`);
      const query: Record<string, string> = sap
        ? { $filter: sapOrderFilter(plant, from, to) }
        : { plant, from: new Date(from).toISOString(), to: new Date(to).toISOString() };
      const rows = await client.getAll(path, query, maxRows);
      const windows: ProductionWindow[] = sap ? windowsFromSap(rows, from, to) : windowsFromRest(rows, plant, from, to);
      status.ok(node, `${windows.length} orders ${plant}`);
      return { topic: `production-windows/${plant}`, payload: { plant, from, to, windows } };
    };

    onInput(node, async (msg, send) => {
      const p = isRecord(msg.payload) ? msg.payload : {};
      const request = {
        plant: optional(nonEmptyString)(p.plant, "msg.payload.plant"),
        from: optional(finiteNumber({ min: 0 }))(p.from, "msg.payload.from"),
        to: optional(finiteNumber({ min: 0 }))(p.to, "msg.payload.to"),
      };
      send({ ...msg, ...(await pull(request)) });
    });

    const intervalMin = Number(config.intervalMin || 0);
    if (intervalMin > 0) {
      const scheduled = () => {
        if (closed) return;
        pull({}).then(
          (msg) => !closed && node.send(msg),
          (err: unknown) => {
            const message = err instanceof Error ? err.message : String(err);
            node.error(`pdm-erp-pull: ${message}`);
            status.error(node, message);
          },
        );
      };
      timer = setInterval(scheduled, intervalMin * 60_000);
      setImmediate(scheduled);
    }

    node.on("close", (_removed: boolean, done: () => void) => {
      closed = true;
      clearInterval(timer);
      done();
    });
  }
  RED.nodes.registerType("pdm-erp-pull", PdmErpPullNode);
}
