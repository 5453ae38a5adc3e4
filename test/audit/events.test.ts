import { strict as assert } from "node:assert";
import { deployEvent, eventFromMessage, withDetailReference } from "../../nodes/audit/events";

const defaults = { type: "anomaly", actor: "pdm-anomaly" };

describe("audit: events from messages and deploys", () => {
  it("records a plain payload as it is, with the configured type, msg.actor and the payload's asset", () => {
    const payload = { asset: "pump-7", score: 4.2 };
    assert.deepEqual(eventFromMessage({ payload }, defaults), { event: { type: "anomaly", actor: "pdm-anomaly", asset: "pump-7", payload }, detail: undefined });
    assert.deepEqual(eventFromMessage({ payload: 42, actor: "operator.lee" }, defaults).event, { type: "anomaly", actor: "operator.lee", payload: 42 });
    assert.deepEqual(eventFromMessage({ payload: "ack", detail: Buffer.from("x"), detailType: "text/csv" }, defaults).detail, { value: Buffer.from("x"), mediaType: "text/csv" });
  });

  it("reads an explicit event and checks its fields by name", () => {
    const incoming = eventFromMessage({ payload: { type: "calibration", asset: "PT-101", actor: "qa", payload: { passed: true } } }, defaults);
    assert.deepEqual(incoming.event, { type: "calibration", asset: "PT-101", actor: "qa", payload: { passed: true } });
    assert.throws(() => eventFromMessage({ payload: { type: "", payload: 1 } }, defaults), /^ValidationError: msg\.payload\.type: expected a non-empty string, got ""$/);
    assert.throws(() => eventFromMessage({ payload: { type: "x", payload: { v: Infinity } } }, defaults), /msg\.payload\.payload\.v: Infinity is not a JSON number/);
    assert.throws(() => eventFromMessage({}, defaults), /msg\.payload: expected the event to record, got nothing/);
  });

  it("puts an off-log detail reference into an object payload only", () => {
    const reference = { sha256: "ab".repeat(32), bytes: 3, mediaType: "text/plain" };
    assert.deepEqual(withDetailReference({ type: "t", actor: "a", payload: { n: 1 } }, reference).payload, { n: 1, detail: reference });
    assert.deepEqual(withDetailReference({ type: "t", actor: "a", payload: null }, reference).payload, { detail: reference });
    assert.throws(() => withDetailReference({ type: "t", actor: "a", payload: [1] }, reference), /payload: expected an object/);
    assert.throws(() => withDetailReference({ type: "t", actor: "a", payload: { detail: 1 } }, reference), /payload\.detail: already set/);
  });

  it("describes a deploy from what the runtime reports, and a start without a diff", () => {
    const flows = [{ id: "b", type: "debug" }, { id: "a", type: "pdm-audit", name: "log" }];
    const deploy = deployEvent({ type: "flows", config: { flows, rev: "r1" }, diff: { added: ["a"], changed: [], removed: ["gone"], rewired: [] } }, { user: "alice" }, "node-red runtime");
    assert.equal(deploy.actor, "alice");
    assert.deepEqual({ ...(deploy.payload as object), flowsSha256: "-" }, {
      deployType: "flows",
      revision: "r1",
      flowsSha256: "-",
      nodeCount: 2,
      added: [{ id: "a", type: "pdm-audit", name: "log" }],
      changed: [],
      removed: [{ id: "gone" }],
      rewired: [],
    });
    const start = deployEvent({ type: "full", config: { flows } }, undefined, "node-red runtime");
    assert.deepEqual([start.actor, (start.payload as { deployType: string }).deployType], ["node-red runtime", "start"]);
    // The same configuration in another key order hashes the same (canonical JSON).
    const reordered = deployEvent({ type: "full", config: { flows: [{ type: "debug", id: "b" }, { name: "log", type: "pdm-audit", id: "a" }] } }, undefined, "x");
    assert.equal((reordered.payload as { flowsSha256: string }).flowsSha256, (start.payload as { flowsSha256: string }).flowsSha256);
  });
});
