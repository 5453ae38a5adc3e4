/**
 * Decoding of Modbus register values into numbers. A Modbus register is 16 bits, sent
 * high byte first; values wider than one register are split over consecutive registers
 * in an order the device vendor chose. Framework-free.
 */

export const REGISTER_TYPES = ["int16", "uint16", "int32", "uint32", "float32", "float64"] as const;
export type RegisterType = (typeof REGISTER_TYPES)[number];

/** "big": the most significant word (or byte) comes first, as the Modbus spec sends bytes. */
export const ORDERS = ["big", "little"] as const;
export type Order = (typeof ORDERS)[number];

/** How many 16-bit registers a value of each type occupies. */
export const REGISTER_COUNT: Record<RegisterType, number> = {
  int16: 1,
  uint16: 1,
  int32: 2,
  uint32: 2,
  float32: 2,
  float64: 4,
};

export interface RegisterFormat {
  type: RegisterType;
  /** Order of the registers of a multi-register value: "big" = high word first (ABCD), "little" = low word first (CDAB). */
  wordOrder: Order;
  /** Order of the two bytes inside each register: "big" as on the wire, "little" swaps them (BADC, DCBA). */
  byteOrder: Order;
}

const scratch = new DataView(new ArrayBuffer(8));

/**
 * One register as an unsigned 16-bit word. Read nodes deliver 0..65535; some devices and
 * function nodes deliver signed -32768..-1, which is the same bit pattern.
 */
function registerWord(registers: ArrayLike<number>, index: number): number {
  const word = registers[index];
  if (typeof word !== "number" || !Number.isInteger(word) || word < -32768 || word > 65535) {
    const found = typeof word === "number" ? String(word) : typeof word;
    throw new RangeError(`register ${index}: expected an integer 0..65535, got ${found}`);
  }
  return word & 0xffff;
}

/**
 * Decode the value of `format.type` that starts at `registers[index]`.
 * Throws a RangeError naming the register when there are too few registers or one is not a 16-bit word.
 */
export function decodeRegisters(registers: ArrayLike<number>, index: number, format: RegisterFormat): number {
  const count = REGISTER_COUNT[format.type];
  if (index < 0 || index + count > registers.length) {
    throw new RangeError(`${format.type} at register ${index} needs registers ${index}..${index + count - 1}, the read has 0..${registers.length - 1}`);
  }
  for (let k = 0; k < count; k++) {
    const word = registerWord(registers, format.wordOrder === "big" ? index + k : index + count - 1 - k);
    const high = word >> 8;
    const low = word & 0xff;
    scratch.setUint8(2 * k, format.byteOrder === "big" ? high : low);
    scratch.setUint8(2 * k + 1, format.byteOrder === "big" ? low : high);
  }
  switch (format.type) {
    case "int16":
      return scratch.getInt16(0);
    case "uint16":
      return scratch.getUint16(0);
    case "int32":
      return scratch.getInt32(0);
    case "uint32":
      return scratch.getUint32(0);
    case "float32":
      return scratch.getFloat32(0);
    case "float64":
      return scratch.getFloat64(0);
  }
}

/** The inverse of decodeRegisters: the registers a device would hold for `value` (used to set up test servers and in docs). */
export function encodeRegisters(value: number, format: RegisterFormat): number[] {
  const count = REGISTER_COUNT[format.type];
  switch (format.type) {
    case "int16":
      scratch.setInt16(0, value);
      break;
    case "uint16":
      scratch.setUint16(0, value);
      break;
    case "int32":
      scratch.setInt32(0, value);
      break;
    case "uint32":
      scratch.setUint32(0, value);
      break;
    case "float32":
      scratch.setFloat32(0, value);
      break;
    case "float64":
      scratch.setFloat64(0, value);
      break;
  }
  const words: number[] = [];
  for (let k = 0; k < count; k++) {
    const high = scratch.getUint8(2 * k);
    const low = scratch.getUint8(2 * k + 1);
    words.push(format.byteOrder === "big" ? (high << 8) | low : (low << 8) | high);
  }
  return format.wordOrder === "big" ? words : words.reverse();
}
