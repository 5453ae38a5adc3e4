import { strict as assert } from "node:assert";
import { linkSignal } from "../../nodes/ingest/link";

describe("link signals", () => {
  it("reads msg.link and refuses anything else there", () => {
    assert.equal(linkSignal({ link: true }), true);
    assert.equal(linkSignal({ link: "down" }), false);
    assert.equal(linkSignal({ payload: 1 }), undefined);
    assert.throws(() => linkSignal({ link: 1 }), /msg.link: expected true, false, "up" or "down", got 1/);
  });

  it("reads a Status node's report of an MQTT out node, ignoring connecting", () => {
    const source = { id: "n1", type: "mqtt out" };
    assert.equal(linkSignal({ status: { text: "node-red:common.status.disconnected", source } }), false);
    assert.equal(linkSignal({ status: { text: "node-red:common.status.connected", source } }), true);
    assert.equal(linkSignal({ status: { text: "node-red:common.status.connecting", source } }), undefined);
    assert.equal(linkSignal({ status: { text: "node-red:common.status.error", source } }), false);
    // A status object that is not a Status node's report (no source) is data.
    assert.equal(linkSignal({ status: { text: "connected" } }), undefined);
  });
});
