import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Outbox, serializeMessage } from "../../nodes/ingest/outbox";

function append(outbox: Outbox, ...msgs: object[]): void {
  for (const msg of msgs) outbox.stage(serializeMessage(msg));
  outbox.flush();
}

describe("store-and-forward outbox", () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "pdm-outbox-"));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("keeps messages in order across a reopen of the file", () => {
    const file = path.join(dir, "q.sqlite");
    const first = new Outbox({ file, maxMessages: 10, policy: "reject" });
    for (let i = 0; i < 5; i++) append(first, { payload: i });
    first.remove(first.peek(2)[1].seq);
    first.close();
    const second = new Outbox({ file, maxMessages: 10, policy: "reject" });
    assert.equal(second.size, 3);
    append(second, { payload: 5 });
    assert.deepEqual(second.peek(10).map((m) => m.msg.payload), [2, 3, 4, 5]);
    second.close();
  });

  it("drops the oldest when full and counts them, persistently", () => {
    const file = path.join(dir, "q.sqlite");
    const outbox = new Outbox({ file, maxMessages: 3, policy: "drop-oldest" });
    for (let i = 0; i < 5; i++) append(outbox, { payload: i });
    assert.deepEqual(outbox.peek(10).map((m) => m.msg.payload), [2, 3, 4]);
    assert.equal(outbox.dropped, 2);
    outbox.close();
    const reopened = new Outbox({ file, maxMessages: 3, policy: "drop-oldest" });
    assert.equal(reopened.dropped, 2);
    reopened.close();
  });

  it("refuses new messages when full with the reject policy, keeping what is stored", () => {
    const outbox = new Outbox({ file: path.join(dir, "q.sqlite"), maxMessages: 2, policy: "reject" });
    append(outbox, { payload: 1 });
    append(outbox, { payload: 2 });
    assert.throws(() => append(outbox, { payload: 3 }), /buffer full: 2 messages are waiting for the link; message refused/);
    assert.deepEqual(outbox.peek(10).map((m) => m.msg.payload), [1, 2]);
    outbox.close();
  });

  it("writes staged messages in one go, applying the bound to them as a whole", () => {
    const dropping = new Outbox({ file: path.join(dir, "drop.sqlite"), maxMessages: 3, policy: "drop-oldest" });
    append(dropping, { payload: 0 }, { payload: 1 });
    append(dropping, { payload: 2 }, { payload: 3 }, { payload: 4 }, { payload: 5 });
    assert.deepEqual(dropping.peek(10).map((m) => m.msg.payload), [3, 4, 5]);
    assert.equal(dropping.dropped, 3);
    dropping.close();
    const rejecting = new Outbox({ file: path.join(dir, "reject.sqlite"), maxMessages: 3, policy: "reject" });
    append(rejecting, { payload: 0 }, { payload: 1 });
    rejecting.stage(serializeMessage({ payload: 2 }));
    assert.throws(() => rejecting.stage(serializeMessage({ payload: 3 })), /buffer full/);
    assert.equal(rejecting.size, 3);
    assert.deepEqual(rejecting.peek(10).map((m) => m.msg.payload), [0, 1, 2]);
    rejecting.close();
  });

  it("refuses messages it cannot store, saying why", () => {
    const circular: Record<string, unknown> = { payload: 1 };
    circular.self = circular;
    assert.throws(() => serializeMessage(circular), /msg cannot be stored as JSON: Converting circular structure/);
    assert.throws(() => serializeMessage({ payload: 10n }), /msg cannot be stored as JSON: Do not know how to serialize a BigInt/);
    assert.throws(() => serializeMessage({ payload: { values: new Array(10_000_000) } }), /msg.payload.values: expected at most 2000000 samples to store, got 10000000/);
  });

  it("puts failed messages back before the waiting ones, in the order they were sent", () => {
    const outbox = new Outbox({ file: path.join(dir, "q.sqlite"), maxMessages: 100, policy: "reject" });
    append(outbox, { payload: "stored later" });
    outbox.requeue({ payload: "sent 8" }, 8);
    outbox.requeue({ payload: "sent 7" }, 7);
    append(outbox, { payload: "stored last" });
    assert.deepEqual(outbox.peek(10).map((m) => m.msg.payload), ["sent 7", "sent 8", "stored later", "stored last"]);
    outbox.endOutage();
    outbox.remove(outbox.peek(10)[3].seq);
    assert.equal(outbox.size, 0);
    outbox.close();
  });
});
