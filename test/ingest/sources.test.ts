import { strict as assert } from "node:assert";
import { DataType, DataValue, StatusCodes, Variant, VariantArrayType, coerceInt64, coerceUInt64 } from "node-opcua";
import { ScalarSample, checkSampleBlock, checkScalarSample } from "../../nodes/shared/contract";
import { ingestMessage, qualityOf, valueAtPath } from "../../nodes/ingest/sources";
import { encodeRegisters } from "../../nodes/ingest/registers";
import { parseTagMap } from "../../nodes/ingest/tagmap";

const NOW = Date.UTC(2026, 0, 1);

describe("ingest of connector messages", () => {
  describe("OPC UA (node-red-contrib-opcua client shapes)", () => {
    const map = parseTagMap("opcua", [
      { tag: "ns=1;s=Pump1.Vibration", asset: "P1", sensor: "vib", unit: "mm/s" },
      { tag: "ns=1;s=Pump1.Waveform", asset: "P1", sensor: "acc", unit: "g", fs: "25600", scale: "2" },
    ]);

    it("turns a read/subscribe message into a scalar sample at the source time", () => {
      const source = new Date(NOW - 5000);
      const msg = { topic: "ns=1;s=Pump1.Vibration", payload: 4.2, statusCode: StatusCodes.Good, sourceTimestamp: source, serverTimestamp: new Date(NOW - 4000) };
      const { samples, errors } = ingestMessage(map, msg, NOW);
      assert.deepEqual(errors, []);
      assert.deepEqual(samples, [{ asset: "P1", sensor: "vib", ts: NOW - 5000, value: 4.2, unit: "mm/s" }]);
      checkScalarSample(samples[0], "sample");
    });

    it("keeps bad and uncertain status codes as quality, and counts bad readings without a value", () => {
      const uncertain = ingestMessage(map, { topic: "ns=1;s=Pump1.Vibration", payload: 3, statusCode: StatusCodes.UncertainLastUsableValue }, NOW);
      assert.equal((uncertain.samples[0] as { quality?: string }).quality, "uncertain");
      const bad = ingestMessage(map, { topic: "ns=1;s=Pump1.Vibration", payload: null, statusCode: StatusCodes.BadSensorFailure }, NOW);
      assert.deepEqual(bad.samples, []);
      assert.equal(bad.withoutValue, 1);
      // After JSON (e.g. through store-and-forward) a StatusCode is { value }.
      const json = JSON.parse(JSON.stringify({ statusCode: StatusCodes.BadCommunicationError })) as { statusCode: unknown };
      assert.equal(qualityOf(json.statusCode), "bad");
      assert.equal(qualityOf("UncertainInitialValue"), "uncertain");
    });

    it("ignores a ;datatype= suffix and unwraps a monitored-items group DataValue", () => {
      const dataValue = new DataValue({ value: new Variant({ dataType: DataType.Double, value: 1.25 }), statusCode: StatusCodes.Good, sourceTimestamp: new Date(NOW - 10) });
      const { samples } = ingestMessage(map, { topic: "ns=1;s=Pump1.Vibration;datatype=Double", payload: dataValue }, NOW);
      assert.deepEqual(samples, [{ asset: "P1", sensor: "vib", ts: NOW - 10, value: 1.25, unit: "mm/s" }]);
    });

    it("passes over the client's notice of a new subscription, which comes out of its value output", () => {
      assert.deepEqual(ingestMessage(map, { topic: "subscriptionId", payload: 42 }, NOW), { samples: [], withoutValue: 0, errors: [] });
    });

    it("reads 64-bit integers, which node-opcua delivers as [high, low] words", () => {
      const counter = new Variant({ dataType: DataType.Int64, arrayType: VariantArrayType.Scalar, value: coerceInt64(-5) });
      const dataValue = new DataValue({ value: counter, statusCode: StatusCodes.Good, sourceTimestamp: new Date(NOW) });
      assert.equal((ingestMessage(map, { topic: "ns=1;s=Pump1.Vibration", payload: dataValue }, NOW).samples[0] as ScalarSample).value, -5);
      const big = new Variant({ dataType: DataType.UInt64, arrayType: VariantArrayType.Scalar, value: coerceUInt64(5_000_000_000) });
      const read = { topic: "ns=1;s=Pump1.Vibration;datatype=UInt64", payload: big.value as unknown };
      assert.equal((ingestMessage(map, read, NOW).samples[0] as ScalarSample).value, 5_000_000_000);
    });

    it("turns an array tag with a sample rate into a scaled sample block", () => {
      const { samples } = ingestMessage(map, { topic: "ns=1;s=Pump1.Waveform", payload: new Float64Array([0.5, -0.25, 1]), sourceTimestamp: new Date(NOW) }, NOW);
      assert.deepEqual(samples, [{ asset: "P1", sensor: "acc", t0: NOW, fs: 25600, values: [1, -0.5, 2], unit: "g" }]);
      checkSampleBlock(samples[0], "sample");
    });

    it("names unknown tags, text and NaN values", () => {
      assert.throws(() => ingestMessage(map, { topic: "ns=1;s=Other", payload: 1 }, NOW), /unknown tag "ns=1;s=Other": add it to the tag map/);
      assert.throws(() => ingestMessage(map, { topic: "ns=1;s=Pump1.Vibration", payload: "high" }, NOW), /msg.payload: expected a finite number for tag "ns=1;s=Pump1.Vibration" \(P1\/vib\), got "high"/);
      assert.throws(() => ingestMessage(map, { topic: "ns=1;s=Pump1.Vibration", payload: NaN }, NOW), /got NaN/);
      assert.throws(() => ingestMessage(map, { payload: 1 }, NOW), /msg.topic: expected the tag/);
      assert.throws(() => ingestMessage(map, { topic: "ns=1;s=Pump1.Waveform", payload: [1, NaN] }, NOW), /msg.payload\[1\]: expected a finite number/);
      assert.throws(() => ingestMessage(map, { topic: "ns=1;s=Pump1.Vibration", payload: 1, sourceTimestamp: "yesterday" }, NOW), /msg.sourceTimestamp: expected a time/);
    });

    it("refuses a block of 10 million samples with a clear error", () => {
      assert.throws(() => ingestMessage(map, { topic: "ns=1;s=Pump1.Waveform", payload: new Float64Array(10_000_000) }, NOW), /expected 1\.\.2000000 samples for tag "ns=1;s=Pump1.Waveform", got 10000000/);
    });
  });

  describe("Modbus (node-red-contrib-modbus read node shapes)", () => {
    const map = parseTagMap("modbus", [
      { tag: "pump1", asset: "P1", sensor: "temp", unit: "°C", address: 100, type: "int16", scale: 0.1 },
      { tag: "pump1", asset: "P1", sensor: "flow", address: 101, type: "float32" },
      { tag: "pump1", asset: "P1", sensor: "pressure", address: 103, type: "float32", wordOrder: "little" },
    ]);
    const registers = [-215 & 0xffff, ...encodeRegisters(12.5, { type: "float32", wordOrder: "big", byteOrder: "big" }), ...encodeRegisters(3.75, { type: "float32", wordOrder: "little", byteOrder: "big" })];

    it("decodes every mapped value of one read, using the read's start address", () => {
      const msg = { topic: "pump1", payload: registers, input: { topic: "pump1", payload: { unitid: 1, fc: 3, address: 100, quantity: 5 } } };
      const { samples, errors } = ingestMessage(map, msg, NOW);
      assert.deepEqual(errors, []);
      assert.deepEqual(samples.map((s) => [(s as { sensor: string }).sensor, (s as { value: number }).value]), [["temp", -21.5], ["flow", 12.5], ["pressure", 3.75]]);
    });

    it("reads output 2's response object and a getter's modbusRequest", () => {
      const { samples } = ingestMessage(map, { topic: "pump1", payload: { data: registers, buffer: Buffer.alloc(10) }, modbusRequest: { address: "100" } }, NOW);
      assert.equal(samples.length, 3);
    });

    it("sends the values it could decode and names the registers outside the read", () => {
      const msg = { topic: "pump1", payload: registers.slice(0, 3), input: { payload: { address: 100 } } };
      const { samples, errors } = ingestMessage(map, msg, NOW);
      assert.equal(samples.length, 2);
      assert.equal(errors.length, 1);
      assert.match(errors[0].message, /tag "pump1" P1\/pressure \(register 103, read starts at 100\): float32 at register 3 needs registers 3\.\.4, the read has 0\.\.2/);
    });
  });

  describe("MQTT", () => {
    const map = parseTagMap("mqtt", [
      { tag: "plant/p1/temp", asset: "P1", sensor: "temp" },
      { tag: "plant/p1/json", asset: "P1", sensor: "vib", valuePath: "data.rms", timePath: "ts" },
      { tag: "plant/p1/wave", asset: "P1", sensor: "acc", valuePath: "samples", fs: 1000 },
    ]);

    it("reads plain numbers, numeric text and Buffers", () => {
      for (const payload of [21.5, "21.5", " 21.5\n", Buffer.from("21.5")]) {
        const { samples } = ingestMessage(map, { topic: "plant/p1/temp", payload }, NOW);
        assert.deepEqual(samples, [{ asset: "P1", sensor: "temp", ts: NOW, value: 21.5 }]);
      }
    });

    it("reads value and time paths from JSON text or objects, and arrays as blocks", () => {
      const text = JSON.stringify({ data: { rms: 0.7 }, ts: "2026-01-01T00:00:01Z" });
      assert.deepEqual(ingestMessage(map, { topic: "plant/p1/json", payload: text }, NOW).samples, [{ asset: "P1", sensor: "vib", ts: NOW + 1000, value: 0.7 }]);
      const wave = ingestMessage(map, { topic: "plant/p1/wave", payload: { samples: [1, 2, 3] } }, NOW).samples[0];
      assert.deepEqual(wave, { asset: "P1", sensor: "acc", t0: NOW, fs: 1000, values: [1, 2, 3] });
      assert.equal(valueAtPath({ a: [{ b: 5 }] }, "a[0].b"), 5);
    });

    it("names a missing path, an object without a path and a missing time", () => {
      assert.throws(() => ingestMessage(map, { topic: "plant/p1/json", payload: { data: {}, ts: NOW } }, NOW), /msg.payload.data.rms: expected a finite number .* got nothing \(missing\)/);
      assert.throws(() => ingestMessage(map, { topic: "plant/p1/temp", payload: { v: 1 } }, NOW), /set the value path of this tag/);
      assert.throws(() => ingestMessage(map, { topic: "plant/p1/json", payload: { data: { rms: 1 } } }, NOW), /msg.payload.ts: expected a time/);
    });
  });
});
