import { strict as assert } from "node:assert";
import { parseTagMap } from "../../nodes/ingest/tagmap";

describe("tag map", () => {
  it("reads the editor's string fields with defaults", () => {
    const map = parseTagMap("modbus", [
      { tag: "pump1", asset: "P1", sensor: "temp", unit: "°C", address: "100", type: "int16", scale: "0.1", offset: "" },
      { tag: "pump1", asset: "P1", sensor: "flow", address: "101", type: "float32", wordOrder: "little" },
    ]);
    const rows = map.byTag.get("pump1");
    assert.ok(rows);
    assert.deepEqual(rows[0], { tag: "pump1", asset: "P1", sensor: "temp", unit: "°C", address: 100, registerType: "int16", wordOrder: "big", byteOrder: "big", scale: 0.1, offset: 0, fs: 0 });
    assert.equal(rows[1].wordOrder, "little");
  });

  it("names the bad row and field", () => {
    assert.throws(() => parseTagMap("modbus", [{ tag: "t", asset: "a", sensor: "s" }]), /tags\[0\]\.address: expected an integer >= 0 <= 65535, got nothing/);
    assert.throws(() => parseTagMap("opcua", [{ tag: "t", asset: "a", sensor: "s", scale: "x" }]), /tags\[0\]\.scale: expected a finite number, got NaN/);
    assert.throws(() => parseTagMap("mqtt", []), /tags: expected at least one row/);
    assert.throws(() => parseTagMap("serial", [{}]), /source: expected one of "opcua", "modbus", "mqtt"/);
  });

  it("refuses two rows for one sensor, one OPC UA tag twice and overlapping registers", () => {
    assert.throws(() => parseTagMap("opcua", [{ tag: "a", asset: "P", sensor: "s" }, { tag: "b", asset: "P", sensor: "s" }]), /tags\[1\]\.sensor: expected one row per asset and sensor/);
    assert.throws(() => parseTagMap("opcua", [{ tag: "a", asset: "P", sensor: "s" }, { tag: "a", asset: "P", sensor: "t" }]), /tags\[1\]\.tag: expected one row per tag/);
    assert.throws(
      () => parseTagMap("modbus", [{ tag: "r", asset: "P", sensor: "s", address: 10, type: "float32" }, { tag: "r", asset: "P", sensor: "t", address: 11 }]),
      /tags\[1\]\.address: .*11\.\.11, overlapping s at 10\.\.11/,
    );
  });
});
