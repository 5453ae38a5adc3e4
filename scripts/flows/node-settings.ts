/**
 * The settings the reference flows give the pdm nodes, written once so that the flows
 * agree (each flow adds its names and what differs, e.g. `learnWindows`).
 */

/** pdm-features: time-domain and spectral features, no filter, no bearing or ISO analysis. */
export const featureSettings = {
  time: true, spectral: true, bands: "", welchSegment: "1024", iso: false, machineGroup: "group2-rigid", accelerationUnit: "g", bearing: false,
  envelopeLow: "2000", envelopeHigh: "5000", envelopeOrder: "4", harmonics: "3", tolerancePct: "2", threshold: "5", fftSize: "0", window: "hann",
  decimation: "1", prefilter: "none", prefilterLow: "", prefilterHigh: "", prefilterOrder: "4", zeroPhase: true, spectrumPoints: "0", spectrumKind: "amplitude", envelopeSpectrumPoints: "0",
};

/** pdm-anomaly: the ensemble, learning a number of windows (each flow sets `learnWindows`), 3-of-5 persistence, drift on. */
export const anomalySettings = {
  scorer: "ensemble", learning: "windows", learnHours: 24, quantile: 0.99, factor: "", persistK: 3, persistN: 5, clearRatio: 0.8, drift: true, driftDelta: 0.5, driftLambda: 50,
};

/**
 * pdm-health-index for a FEMTO bearing: both axes' RMS, failure values from the end of
 * Bearing1_2's run, the other bearing run to failure under the same condition.
 */
export const femtoHealthIndexSettings = {
  name: "health index", features: "acc_h.rms, acc_v.rms", baselineCount: 10, failureValues: "acc_h.rms=1.85, acc_v.rms=3.18", failureSigma: 10, weights: "",
};

/** pdm-rul: exponential degradation of the health index, in hours (the other methods' fields at their defaults). */
export const degradationRulSettings = {
  name: "RUL (exponential degradation)", method: "exponential-degradation", unit: "h", hoursPerCycle: 1, signal: "healthIndex", threshold: 0, phi: "", minObservations: 5,
  slopeDetectionLevel: 0.05, forgetting: 0.95, repairFraction: 0.2, neighbours: 5, library: "", model: "", backend: "auto",
};
