import { strict as assert } from "node:assert";
import { ORDERS, REGISTER_TYPES, RegisterFormat, decodeRegisters, encodeRegisters } from "../../nodes/ingest/registers";

describe("Modbus register decoding", () => {
  it("decodes a float32 in all four word and byte orders (ABCD, CDAB, BADC, DCBA)", () => {
    // 12.5 as IEEE 754 single: 0x41480000 -> bytes 41 48 00 00
    const cases: Array<[RegisterFormat["wordOrder"], RegisterFormat["byteOrder"], number[]]> = [
      ["big", "big", [0x4148, 0x0000]],
      ["little", "big", [0x0000, 0x4148]],
      ["big", "little", [0x4841, 0x0000]],
      ["little", "little", [0x0000, 0x4841]],
    ];
    for (const [wordOrder, byteOrder, registers] of cases) {
      assert.equal(decodeRegisters(registers, 0, { type: "float32", wordOrder, byteOrder }), 12.5, `${wordOrder}/${byteOrder}`);
    }
  });

  it("decodes signed and unsigned integers, with signed register words accepted", () => {
    assert.equal(decodeRegisters([0xfffe], 0, { type: "int16", wordOrder: "big", byteOrder: "big" }), -2);
    assert.equal(decodeRegisters([0xfffe], 0, { type: "uint16", wordOrder: "big", byteOrder: "big" }), 65534);
    assert.equal(decodeRegisters([-2], 0, { type: "uint16", wordOrder: "big", byteOrder: "big" }), 65534);
    assert.equal(decodeRegisters([0x0001, 0x0002], 0, { type: "uint32", wordOrder: "big", byteOrder: "big" }), 0x00010002);
    assert.equal(decodeRegisters([0xffff, 0xfffd], 0, { type: "int32", wordOrder: "big", byteOrder: "big" }), -3);
  });

  it("round-trips every type and order through encodeRegisters", () => {
    const samples: Record<string, number> = { int16: -1234, uint16: 54321, int32: -123456789, uint32: 3_000_000_000, float32: -0.15625, float64: Math.PI };
    for (const type of REGISTER_TYPES) {
      for (const wordOrder of ORDERS) {
        for (const byteOrder of ORDERS) {
          const format = { type, wordOrder, byteOrder };
          const registers = [7, ...encodeRegisters(samples[type], format)];
          assert.equal(decodeRegisters(registers, 1, format), samples[type], `${type} ${wordOrder}/${byteOrder}`);
        }
      }
    }
  });

  it("names the registers when the read is too short or a register is not a 16-bit word", () => {
    assert.throws(() => decodeRegisters([1, 2, 3], 2, { type: "float32", wordOrder: "big", byteOrder: "big" }), /float32 at register 2 needs registers 2\.\.3, the read has 0\.\.2/);
    assert.throws(() => decodeRegisters([70000], 0, { type: "uint16", wordOrder: "big", byteOrder: "big" }), /register 0: expected an integer 0\.\.65535, got 70000/);
    assert.throws(() => decodeRegisters([NaN], 0, { type: "uint16", wordOrder: "big", byteOrder: "big" }), /register 0: expected an integer/);
  });
});
