/**
 * Overall vibration severity after ISO 10816-3 / ISO 20816-3: the RMS of vibration
 * velocity from 10 to 1000 Hz, and the evaluation zone for the machine group.
 * Velocity comes from acceleration by integration in the frequency domain (divide each
 * bin by 2*pi*f), which avoids the drift of time-domain integration.
 */

/** Zone boundaries A/B, B/C, C/D in mm/s RMS (ISO 10816-3:2009, table A.1 and A.2). */
export const ZONE_BOUNDARIES = {
  "group1-rigid": [2.3, 4.5, 7.1],
  "group1-flexible": [3.5, 7.1, 11.0],
  "group2-rigid": [1.4, 2.8, 4.5],
  "group2-flexible": [2.3, 4.5, 7.1],
} as const;
export type MachineGroup = keyof typeof ZONE_BOUNDARIES;
export const MACHINE_GROUPS = Object.keys(ZONE_BOUNDARIES) as MachineGroup[];

export const ZONES = ["A", "B", "C", "D"] as const;
export type Zone = (typeof ZONES)[number];

/** Acceleration units the velocity integration accepts, with their factor to m/s^2. */
export const ACCELERATION_UNITS = { g: 9.80665, "m/s2": 1, "mm/s2": 0.001 } as const;
export type AccelerationUnit = keyof typeof ACCELERATION_UNITS;

export const ISO_BAND_HZ = [10, 1000] as const;

/**
 * Velocity RMS in mm/s in the ISO band from the power |X_k|^2 of a windowed FFT of
 * acceleration (k = 0..size/2). `windowPower` is sum(w^2). The band ends at fs/2 when
 * fs < 2000 Hz.
 */
export function velocityRmsMmPerS(power: Float64Array, size: number, fs: number, windowPower: number, unit: AccelerationUnit): number {
  const binHz = fs / size;
  const half = size / 2;
  let sum = 0;
  for (let k = 1; k <= half; k++) {
    const hz = k * binHz;
    if (hz < ISO_BAND_HZ[0] || hz > ISO_BAND_HZ[1]) continue;
    const omega = 2 * Math.PI * hz;
    sum += ((k === half ? 1 : 2) * power[k]) / (omega * omega);
  }
  return Math.sqrt(sum / (size * windowPower)) * ACCELERATION_UNITS[unit] * 1000;
}

/** The evaluation zone of a velocity RMS: below the A/B boundary is A, and so on. */
export function isoZone(velocityMmPerS: number, group: MachineGroup): Zone {
  const boundaries = ZONE_BOUNDARIES[group];
  const index = boundaries.findIndex((boundary) => velocityMmPerS < boundary);
  return ZONES[index < 0 ? 3 : index];
}
