import { strict as assert } from "node:assert";
import { CanonicalJsonError, canonicalize } from "../../nodes/audit/canonical-json";

describe("audit: RFC 8785 canonical JSON", () => {
  it("writes the RFC's section 3.2.2 example exactly", () => {
    const input = String.raw`{
      "numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],
      "string": "\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/",
      "literals": [null, true, false]
    }`;
    assert.equal(
      canonicalize(JSON.parse(input)),
      String.raw`{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\u000f\nA'B\"\\\\\"/"}`,
    );
  });

  it("sorts keys by UTF-16 code units as in the RFC's section 3.2.3 example", () => {
    const input = {
      "\u20ac": "Euro Sign",
      "\r": "Carriage Return",
      "\ufb33": "Hebrew Letter Dalet With Dagesh",
      "1": "One",
      "\ud83d\ude00": "Emoji: Grinning Face",
      "\u0080": "Control",
      "\u00f6": "Latin Small Letter O With Diaeresis",
    };
    const order = Object.values(JSON.parse(canonicalize(input)) as Record<string, string>);
    // JSON.parse keeps "1" first (integer-like keys), so read the order from the text instead.
    const text = canonicalize(input);
    const positions = ["Carriage Return", "One", "Control", "Latin Small", "Euro Sign", "Emoji", "Hebrew"].map((label) => text.indexOf(label));
    assert.deepEqual([...positions].sort((a, b) => a - b), positions);
    assert.equal(order.length, 7);
  });

  it("gives the same text for the same data in any key order and number spelling", () => {
    const a = canonicalize({ b: [1, 2.5, { y: true, x: null }], a: "pump" });
    const b = canonicalize(JSON.parse('{"a":"pump","b":[1.0,25e-1,{"x":null,"y":true}]}'));
    assert.equal(a, b);
    assert.equal(a, '{"a":"pump","b":[1,2.5,{"x":null,"y":true}]}');
  });

  it("writes numbers the ECMAScript way the RFC requires", () => {
    assert.equal(canonicalize([-0, 1e21, 1e-7, 5e-324, 100, 0.1 + 0.2]), "[0,1e+21,1e-7,5e-324,100,0.30000000000000004]");
  });

  it("leaves out undefined members and uses toJSON, like JSON.stringify", () => {
    assert.equal(canonicalize({ a: undefined, d: new Date(Date.UTC(2026, 0, 1)) }), '{"d":"2026-01-01T00:00:00.000Z"}');
  });

  it("refuses what is not I-JSON and names the field", () => {
    const cases: Array<[unknown, RegExp]> = [
      [{ reading: NaN }, /^value\.reading: NaN is not a JSON number$/],
      [{ list: [1, Infinity] }, /^value\.list\[1\]: Infinity is not a JSON number$/],
      [{ n: 10n }, /^value\.n: a bigint is not a JSON value$/],
      [{ raw: Buffer.from("x") }, /^value\.raw: binary data is not JSON/],
      [["\ud800"], /^value\[0\]: a string with a lone UTF-16 surrogate/],
      [[undefined], /^value\[0\]: a undefined is not a JSON value$/],
    ];
    for (const [value, message] of cases) {
      assert.throws(() => canonicalize(value), (err: unknown) => err instanceof CanonicalJsonError && message.test(err.message));
    }
  });

  it("sorts integer-like keys as strings too, and keeps a member named __proto__", () => {
    assert.equal(canonicalize({ b: 1, "10": 2, "9": 3, a: { "2": null, "1": [{ z: 0, "0": 1 }] } }), '{"10":2,"9":3,"a":{"1":[{"0":1,"z":0}],"2":null},"b":1}');
    assert.equal(canonicalize(JSON.parse('{"z":1,"__proto__":{"x":2}}')), '{"__proto__":{"x":2},"z":1}');
    assert.throws(() => canonicalize({ "3": { deep: [NaN] } }, "payload"), /^CanonicalJsonError: payload\.3\.deep\[0\]: NaN is not a JSON number$/);
  });
});
