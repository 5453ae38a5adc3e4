import { strict as assert } from "node:assert";
import * as path from "node:path";
import { buildNodes, collect, errorOf, helper, nodeModule, onTab } from "../helpers/runtime";
import { GatewayServer, start } from "./sap-gateway-server";

const connectionNode = nodeModule(path.join(buildNodes, "erp", "pdm-erp-connection.js"));
const pullNode = nodeModule(path.join(buildNodes, "erp", "pdm-erp-pull.js"));
const DEC_1 = Date.UTC(2026, 11, 1);
const DAY = 86_400_000;

/** 30 orders: odd ones in plant 1010, even ones in 1020; order i runs 06:00-14:00 on day floor(i/2) after 1 Dec. */
const orders = Array.from({ length: 30 }, (_, i) => ({
  ManufacturingOrder: String(1_000_000 + i),
  ProductionPlant: i % 2 ? "1010" : "1020",
  Material: "FG-PUMP-HOUSING",
  TotalQuantity: "120",
  ProductionUnit: "PC",
  MfgOrderPlannedStartDate: `/Date(${DEC_1 + Math.floor(i / 2) * DAY})/`,
  MfgOrderPlannedStartTime: "PT06H00M00S",
  MfgOrderPlannedEndDate: `/Date(${DEC_1 + Math.floor(i / 2) * DAY})/`,
  MfgOrderPlannedEndTime: "PT14H00M00S",
}));

function flow(url: string) {
  return onTab([
    { id: "erp", type: "pdm-erp-connection", system: "sap", baseUrl: url, authType: "basic", timeoutS: "2", sapClient: "100" },
    { id: "pull", type: "pdm-erp-pull", connection: "erp", plant: "1010", intervalMin: 0, wires: [["out"]] },
    { id: "out", type: "helper" },
    { id: "caught", type: "helper" },
    { id: "catcher", type: "catch", scope: ["pull"], uncaught: false, wires: [["caught"]] },
  ]);
}

describe("pdm-erp-pull node against a local SAP Gateway", () => {
  let server: GatewayServer | undefined;
  afterEach(async () => {
    await helper.unload();
    await server?.stop();
  });

  it("pulls a plant's production orders in the range, page by page, as windows", async () => {
    server = await start({ users: [{ user: "u", password: "p" }], sapClient: "100", collections: { A_ProductionOrder_2: orders }, pageSize: 2 });
    await helper.load([connectionNode, pullNode], flow(server.url), { erp: { user: "u", password: "p" } });
    const out = collect(helper.getNode("out"), 1);
    helper.getNode("pull").receive({ payload: { from: DEC_1 + 2 * DAY, to: DEC_1 + 5 * DAY } });
    const [msg] = (await out) as Array<{ topic: string; payload: { plant: string; windows: Array<Record<string, unknown>> } }>;
    assert.equal(msg.topic, "production-windows/1010");
    assert.deepEqual(msg.payload.windows.map((w) => w.order), ["1000005", "1000007", "1000009"]);
    assert.deepEqual(msg.payload.windows[0], {
      order: "1000005",
      plant: "1010",
      start: DEC_1 + 2 * DAY + 6 * 3_600_000,
      end: DEC_1 + 2 * DAY + 14 * 3_600_000,
      material: "FG-PUMP-HOUSING",
      quantity: 120,
      unit: "PC",
    });
    assert.equal(server.stats.gets, 2, "the day filter gave 4 orders, two pages of 2; the last day's order starts after the range and is dropped");
  });

  it("takes the plant from the message", async () => {
    server = await start({ users: [{ user: "u", password: "p" }], sapClient: "100", collections: { A_ProductionOrder_2: orders } });
    await helper.load([connectionNode, pullNode], flow(server.url), { erp: { user: "u", password: "p" } });
    const out = collect(helper.getNode("out"), 1);
    helper.getNode("pull").receive({ payload: { plant: "1020", from: DEC_1, to: DEC_1 + DAY } });
    const [msg] = (await out) as Array<{ payload: { windows: Array<{ order: string }> } }>;
    assert.deepEqual(msg.payload.windows.map((w) => w.order), ["1000000"], "plant 1020, first day only");
  });

  it("pulls on deploy and on its schedule without an input message", async () => {
    server = await start({ users: [{ user: "u", password: "p" }], sapClient: "100", collections: { A_ProductionOrder_2: orders } });
    const scheduled = flow(server.url).map((node) => (node.id === "pull" ? { ...node, intervalMin: 0.005, daysBack: 36_500, daysAhead: 36_500 } : node));
    await helper.load([connectionNode, pullNode], scheduled, { erp: { user: "u", password: "p" } });
    const messages = (await collect(helper.getNode("out"), 2)) as Array<{ payload: { windows: unknown[] } }>;
    for (const msg of messages) assert.equal(msg.payload.windows.length, 15, "all orders of plant 1010");
  });

  it("reports an unreachable ERP to a Catch node", async () => {
    server = await start({ users: [{ user: "u", password: "p" }], sapClient: "100" });
    const url = server.url;
    await server.down();
    await helper.load([connectionNode, pullNode], flow(url), { erp: { user: "u", password: "p" } });
    const caught = collect(helper.getNode("caught"), 1);
    helper.getNode("pull").receive({ payload: "now" });
    const [msg] = await caught;
    assert.match(errorOf(msg).message, /ECONNREFUSED/);
  });
});
