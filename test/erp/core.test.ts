import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { AnomalyMessage, RulMessage, WorkOrder } from "../../nodes/shared/contract";
import { CreateRequest, CreateResult } from "../../nodes/erp/erp-client";
import { DEFAULT_TARGETS, Mapping } from "../../nodes/erp/mapping";
import { errorMessage, readPage } from "../../nodes/erp/odata";
import { OeeWindow, computeOee } from "../../nodes/erp/oee";
import { NewRecord, Outbox } from "../../nodes/erp/outbox";
import { classify, referenceOf } from "../../nodes/erp/record";
import { backoffDelayMs, parseRetryAfter, verdictOf } from "../../nodes/erp/retry";
import { OutboxSender } from "../../nodes/erp/sender";

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "pdm-erp-core-"));
let files = 0;
const freshFile = () => path.join(tmp, `outbox-${++files}.sqlite`);
const record = (i: number, asset = "A"): NewRecord => ({ key: `k${i}`, asset, kind: "notification", path: "/x", body: { i } });

describe("erp retry policy", () => {
  it("backs off exponentially with jitter between half and all of the cap", () => {
    const policy = { baseMs: 100, maxMs: 1_000 };
    assert.deepEqual([1, 2, 3, 4, 5].map((a) => backoffDelayMs(a, policy, 0)), [50, 100, 200, 400, 500]);
    assert.deepEqual([1, 2, 3, 4, 5].map((a) => backoffDelayMs(a, policy, 0.999_999)), [100, 200, 400, 800, 1000]);
  });

  it("reads Retry-After as seconds or as an HTTP date", () => {
    assert.equal(parseRetryAfter("120", 0), 120_000);
    assert.equal(parseRetryAfter("Wed, 21 Oct 2026 07:28:30 GMT", Date.parse("Wed, 21 Oct 2026 07:28:00 GMT")), 30_000);
    assert.equal(parseRetryAfter(undefined, 0), undefined);
    assert.equal(parseRetryAfter("soon", 0), undefined);
  });

  it("retries what the server or the way there broke, dead-letters what the ERP refuses", () => {
    const verdicts = Object.fromEntries([200, 201, 204, 400, 401, 403, 404, 408, 409, 422, 429, 500, 502, 503, 504].map((s) => [s, verdictOf(s)]));
    assert.deepEqual(verdicts, {
      200: "sent", 201: "sent", 204: "sent", 400: "reject", 401: "retry", 403: "reject", 404: "reject", 408: "retry",
      409: "reject", 422: "reject", 429: "retry", 500: "retry", 502: "retry", 503: "retry", 504: "retry",
    });
  });
});

describe("erp outbox", () => {
  it("gives each asset's records in order, one at a time, and refuses a known key", () => {
    const outbox = new Outbox(freshFile(), "process");
    outbox.addAll([record(1, "A"), record(2, "B"), record(3, "A")], 0);
    assert.equal(outbox.add(record(1, "A"), 0), "duplicate");
    const first = outbox.due(0, new Set(), 10);
    assert.deepEqual(first.map((r) => r.key), ["k1", "k2"]);
    outbox.markSent(first[0], "id-1", 1);
    assert.deepEqual(outbox.due(1, new Set(["B"]), 10).map((r) => r.key), ["k3"]);
    assert.equal(outbox.add(record(1, "A"), 2), "duplicate", "a sent key stays known");
    assert.deepEqual(outbox.counts(), { pending: 2, sent: 1, dead: 0 });
    outbox.close();
  });

  it("keeps pending records and retry counts across a reopen; a reopened head may have been in flight", () => {
    const file = freshFile();
    let outbox = new Outbox(file);
    outbox.addAll([record(1), record(2), record(3, "B")], 0);
    const [head] = outbox.due(0, new Set(), 1);
    assert.equal(head.uncertain, false);
    outbox.markAttempt(head);
    outbox.markRetry(head, 0, "ECONNRESET", true);
    outbox.markAttempt(head);
    outbox.close();
    outbox = new Outbox(file);
    const heads = outbox.due(0, new Set(), 5);
    assert.deepEqual(heads.map((r) => [r.key, r.attempts, r.uncertain, r.lastError]), [["k1", 1, true, "ECONNRESET"], ["k3", 0, true, undefined]]);
    const again = heads[0];
    assert.deepEqual(again.body, { i: 1 });
    outbox.markRetry(again, 500, "HTTP 503", false);
    assert.deepEqual(outbox.due(499, new Set(["B"]), 1), []);
    assert.equal(outbox.nextDueAt(new Set(["B"])), 500);
    outbox.markDead(again, 400, "no such equipment", 600);
    assert.deepEqual(outbox.deadLetters().map((d) => [d.key, d.status, d.error]), [["k1", 400, "no such equipment"]]);
    assert.deepEqual(outbox.due(600, new Set(), 5).map((r) => r.key), ["k3", "k2"]);
    outbox.close();
  });
});

/** A scripted ERP: answers per key in turn, remembers the order of requests. */
class ScriptedErp {
  readonly requests: CreateRequest[] = [];
  constructor(private readonly answers: Map<string, CreateResult[]>) {}
  async create(req: CreateRequest): Promise<CreateResult> {
    this.requests.push(req);
    const key = (req.body as { key: string }).key;
    return this.answers.get(key)?.shift() ?? { outcome: "sent", status: 201 };
  }
}

describe("erp outbox sender", () => {
  it("sends in order per asset, retries with backoff, holds everyone on 429 Retry-After, dead-letters a 400", async () => {
    const outbox = new Outbox(freshFile(), "process");
    const rec = (key: string, asset: string): NewRecord => ({ key, asset, kind: "notification", path: "/x", body: { key } });
    outbox.addAll([rec("a1", "A"), rec("b1", "B"), rec("a2", "A"), rec("b2", "B")], 0);
    const erp = new ScriptedErp(
      new Map<string, CreateResult[]>([
        ["a1", [{ outcome: "retry", status: 429, error: "HTTP 429", retryAfterMs: 5_000, maybeCreated: false }]],
        ["b1", [{ outcome: "reject", status: 400, error: "HTTP 400: bad" }]],
      ]),
    );
    let now = 0;
    const log: string[] = [];
    let settled = 0;
    const sender = new OutboxSender(outbox, erp, { concurrency: 4, backoff: { baseMs: 100, maxMs: 1_000 }, refFieldOf: () => "ref", uncertainDelayMs: 2_000 }, {
      sent: (r) => log.push(`sent ${r.key}`),
      dead: (r, status) => log.push(`dead ${r.key} ${status}`),
      retry: (r, _e, delay) => log.push(`retry ${r.key} in ${delay}`),
      settled: () => settled++,
    }, { now: () => now, random: () => 0 });
    const drain = async () => {
      for (let i = 0; i < 20 && sender.sending > 0; i++) await new Promise((resolve) => setImmediate(resolve));
    };
    assert.equal(sender.fill(), undefined, "two in flight, nothing else due");
    await drain();
    assert.deepEqual(log, ["retry a1 in 5000", "dead b1 400"]);
    assert.equal(sender.fill(), 5_000, "everyone waits for Retry-After, also asset B");
    await drain();
    assert.equal(erp.requests.length, 2);
    now = 5_000;
    sender.fill();
    await drain();
    sender.fill();
    await drain();
    assert.deepEqual(erp.requests.map((r) => (r.body as { key: string }).key), ["a1", "b1", "a1", "b2", "a2"]);
    assert.ok(erp.requests.findIndex((r) => (r.body as { key: string }).key === "a2") > 2, "a2 only after a1 went through");
    assert.equal(erp.requests[2].mayExist, false, "a 429 created nothing: no look-up");
    assert.equal(erp.requests[2].ref, referenceOf("a1"));
    assert.deepEqual(outbox.counts(), { pending: 0, sent: 3, dead: 1 });
    assert.ok(settled >= 5);
    await sender.stop();
    outbox.close();
  });
});

describe("erp outbox sender after an attempt that may have arrived", () => {
  it("waits at least the request timeout, then looks the record up before posting again", async () => {
    const outbox = new Outbox(freshFile(), "process");
    outbox.add({ key: "r1", asset: "A", kind: "notification", path: "/x", body: { key: "r1" } }, 0);
    const erp = new ScriptedErp(new Map([["r1", [{ outcome: "retry", error: "ECONNRESET", maybeCreated: true } as CreateResult]]]));
    const delays: number[] = [];
    let now = 0;
    const sender = new OutboxSender(outbox, erp, { concurrency: 1, backoff: { baseMs: 10, maxMs: 100 }, refFieldOf: () => "ref", uncertainDelayMs: 2_000 }, {
      sent: () => undefined,
      dead: () => undefined,
      retry: (_r, _e, delay) => delays.push(delay),
      settled: () => undefined,
    }, { now: () => now, random: () => 0.5 });
    sender.fill();
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(delays, [2_000]);
    assert.equal(sender.fill(), 2_000);
    now = 2_000;
    sender.fill();
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(erp.requests.map((r) => r.mayExist), [false, true]);
    assert.deepEqual(outbox.counts(), { pending: 0, sent: 1, dead: 0 });
    await sender.stop();
    outbox.close();
  });
});

const anomaly: AnomalyMessage = { asset: "P-7", t0: 1_767_225_600_000, score: 4.237, threshold: 3, anomaly: true, severity: "critical", contributions: [] };
const rul: RulMessage = { asset: "P-8", t0: 1_767_225_600_000, rul: 41.6, unit: "h", lower: 20, upper: 60, healthIndex: 23.4, pFail: { "24h": 0.1, "7d": 0.3, "30d": 0.9 } };
const workOrder: WorkOrder = { id: "wo-17", taskId: "t-3", asset: "P-9", technician: "MUELLER", start: 1_767_000_000_000, end: 1_767_007_200_000, priority: "urgent", action: "Replace the drive-end bearing of the main pump", parts: [] };

describe("erp record and mapping", () => {
  it("derives kind, asset and a stable key from each message shape", () => {
    assert.deepEqual(
      [anomaly, rul, workOrder].map((p) => { const c = classify(p); return [c.kind, c.source, c.asset, c.key]; }),
      [["notification", "anomaly", "P-7", "anomaly:P-7:1767225600000"], ["notification", "rul", "P-8", "rul:P-8:1767225600000"], ["workOrder", "workOrder", "P-9", "workOrder:wo-17"]],
    );
    assert.equal(classify(anomaly, "mine").key, "mine");
    assert.match(classify(anomaly).ref, /^PDM[0-9A-F]{17}$/);
    assert.throws(() => classify({ asset: "x" }), /msg.payload: expected a maintenance task, work order/);
  });

  it("maps an anomaly and a RUL estimate to S/4HANA maintenance notifications", async () => {
    const mapping = new Mapping(DEFAULT_TARGETS.sap.notification.expression);
    const fromAnomaly = await mapping.apply(classify(anomaly));
    assert.deepEqual(fromAnomaly, {
      NotificationType: "M2",
      NotificationText: "Anomaly score 4.24 above 3",
      MaintNotifLongTextForEdit: "Anomaly score 4.24 above 3 (asset P-7, anomaly:P-7:1767225600000)",
      TechnicalObject: "P-7",
      TechObjIsEquipOrFuncnlLoc: "EAMS_EQUI",
      MaintPriority: "1",
      MalfunctionStartDate: "/Date(1767225600000)/",
      MaintNotifExtReferenceNumber: referenceOf("anomaly:P-7:1767225600000"),
    });
    const fromRul = await mapping.apply(classify(rul));
    assert.equal(fromRul.NotificationText, "RUL 42 h left, health 23 %");
    assert.equal(fromRul.MaintPriority, "2", "7-day failure probability 0.3");
  });

  it("maps a work order to an S/4HANA maintenance order with a 40-character description", async () => {
    const body = await new Mapping(DEFAULT_TARGETS.sap.workOrder.expression).apply(classify(workOrder));
    assert.deepEqual(body, {
      MaintenanceOrderType: "PM01",
      MaintenanceOrderDesc: "Replace the drive-end bearing of the mai",
      Equipment: "P-9",
      MaintPriority: "1",
      MaintOrdBasicStartDateTime: "/Date(1767000000000+0000)/",
      MaintOrdBasicEndDateTime: "/Date(1767007200000+0000)/",
      PersonResponsible: "MUELLER",
    });
  });

  it("builds an object from every default mapping of every system", async () => {
    const samples = {
      notification: { id: "t1", asset: "P-1", cause: "rul-low", action: "Inspect", priority: "low", durationH: 1, skills: [], parts: [], earliestStart: 1, deadline: 2 },
      workOrder,
      inspection: { asset: "P-1", inspectionLot: "010000000123", characteristic: "0010", value: 4.2, accepted: true, ts: 5 },
      oee: computeOee({ asset: "P-1", start: 0, end: 3_600_000, initialState: "running", changes: [], produced: 50, scrap: 1, idealCycleS: 60 }),
    };
    for (const [system, targets] of Object.entries(DEFAULT_TARGETS)) {
      for (const [kind, target] of Object.entries(targets)) {
        const body = await new Mapping(target.expression).apply(classify(samples[kind as keyof typeof samples]));
        assert.ok(Object.keys(body).length >= 3, `${system} ${kind}: ${JSON.stringify(body)}`);
        if (target.refField) assert.equal(body[target.refField], referenceOf(classify(samples[kind as keyof typeof samples]).key), `${system} ${kind} carries $ref`);
      }
    }
  });

  it("says where a custom mapping is wrong, and that it must give an object", async () => {
    assert.throws(() => new Mapping('{ "a": '), /^Error: mapping: .* at character \d+/);
    await assert.rejects(new Mapping('"text"').apply(classify(anomaly)), /expected the expression to give an object, got string/);
    assert.deepEqual(await new Mapping('{ "Equipment": asset, "Ref": $ref }').apply(classify(anomaly, "k")), { Equipment: "P-7", Ref: referenceOf("k") });
  });
});

describe("erp OData helpers", () => {
  it("reads V2, V4 and plain pages with their next links", () => {
    assert.deepEqual(readPage({ d: { results: [1, 2], __next: "next" } }), { rows: [1, 2], next: "next" });
    assert.deepEqual(readPage({ value: [3], "@odata.nextLink": "n4" }), { rows: [3], next: "n4" });
    assert.deepEqual(readPage([5]), { rows: [5] });
  });

  it("takes the message from V2 and V4 error bodies", () => {
    assert.equal(errorMessage('{"error":{"code":"X/1","message":{"lang":"en","value":"no"}}}'), "X/1: no");
    assert.equal(errorMessage('{"error":{"code":"0x8004","message":"bad field"}}'), "0x8004: bad field");
    assert.equal(errorMessage("Service Unavailable"), "Service Unavailable");
  });
});

describe("erp OEE, MTBF and MTTR", () => {
  const H = 3_600_000;
  it("computes availability × performance × quality over an 8-hour shift", () => {
    // 8 h shift, 30 min planned break, 1 h down in two failures, 6.5 h running; 1 min ideal cycle; 360 made, 18 scrap.
    const report = computeOee({
      asset: "press-1", start: 0, end: 8 * H, initialState: "running", produced: 360, scrap: 18, idealCycleS: 60,
      changes: [
        { ts: 1 * H, state: "down" }, { ts: 1.5 * H, state: "running" },
        { ts: 4 * H, state: "planned-stop" }, { ts: 4.5 * H, state: "running" },
        { ts: 6 * H, state: "down" }, { ts: 6.5 * H, state: "running" },
      ],
    });
    assert.equal(report.plannedH, 7.5);
    assert.equal(report.runningH, 6.5);
    assert.ok(Math.abs(report.availability - 6.5 / 7.5) < 1e-12);
    assert.ok(Math.abs(report.performance - 6 / 6.5) < 1e-12);
    assert.equal(report.quality, 0.95);
    assert.ok(Math.abs(report.oee - (6.5 / 7.5) * (6 / 6.5) * 0.95) < 1e-12);
    assert.deepEqual([report.failures, report.mtbfH, report.mttrH], [2, 3.25, 0.5]);
  });

  it("carries the last state into the next window and omits MTBF without failures", () => {
    const window = new OeeWindow("press-2", 0, "idle");
    window.state({ ts: 1 * H, state: "running" });
    window.count(100, 0);
    const first = window.report(2 * H, 36);
    assert.equal(first.availability, 0.5);
    assert.equal(first.performance, 1);
    assert.equal(first.mtbfH, undefined);
    const second = window.report(3 * H, 36);
    assert.equal(second.availability, 1, "running through the whole second window");
    assert.equal(second.produced, 0);
  });
});
