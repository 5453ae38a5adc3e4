/**
 * pdm-features: turns a window of samples (a SampleBlock) into the contract's features
 * message: time-domain, spectral, band-energy, ISO 10816-3 and bearing envelope features.
 * The computing is in ./extractor; this adapter reads the config, checks the message,
 * picks the running speed and sends.
 */
import type { AssetConfig } from "../config/asset";
import { assetMultipliers } from "../config/asset";
import { assetFromConfig } from "../config/pdm-asset";
import { FeaturesMessage, checkSampleBlock } from "../shared/contract";
import { Node, NodeAPI, NodeDef, NodeMessageInFlow, errorOf, onInput, status } from "../shared/node-red";
import { finiteNumber, isRecord } from "../shared/validate";
import { FeaturesEditorConfig, parseFeatureConfig } from "./config";
import type { Fault } from "./bearing";
import { FeatureExtractor } from "./extractor";
import type { Zone } from "./iso10816";

interface FeaturesNodeConfig extends NodeDef, FeaturesEditorConfig {
  asset?: string;
}

/** The features message of pdm-features: the contract's shape plus the two verdicts, which are words, not numbers. */
export interface FeaturesPayload extends FeaturesMessage {
  /** The bearing fault the envelope spectrum points at (with bearing features on). */
  indicatedFault?: Fault;
  /** ISO 10816-3 zone of the velocity RMS (with ISO severity on). */
  isoZone?: Zone;
  /** The running speed the bearing features used, in rpm. */
  rpm?: number;
}

const rpmCheck = finiteNumber({ min: 0 });

/**
 * Running speed: msg.payload.rpm (a speed tag sent with the window), else msg.rpm, else
 * the asset's nominal rpm; undefined when none is known.
 */
export function runningSpeed(msg: NodeMessageInFlow, asset: AssetConfig | undefined): number | undefined {
  const payload: unknown = msg.payload;
  if (isRecord(payload) && payload.rpm !== undefined) return rpmCheck(payload.rpm, "msg.payload.rpm");
  const fromMsg = (msg as { rpm?: unknown }).rpm;
  if (fromMsg !== undefined) return rpmCheck(fromMsg, "msg.rpm");
  return asset && asset.nominalRpm > 0 ? asset.nominalRpm : undefined;
}

export default function register(RED: NodeAPI): void {
  function PdmFeaturesNode(this: Node, config: FeaturesNodeConfig) {
    RED.nodes.createNode(this, config);
    const node = this;
    let extractor: FeatureExtractor | undefined;
    let asset: AssetConfig | undefined;
    let configError: Error | undefined;
    try {
      asset = config.asset ? assetFromConfig(RED, config.asset) : undefined;
      extractor = new FeatureExtractor(parseFeatureConfig(config, asset && assetMultipliers(asset)));
    } catch (err) {
      configError = errorOf(err);
      node.error(`pdm-features: ${configError.message}`);
      status.error(node, configError.message);
    }

    onInput(node, (msg, send) => {
      if (!extractor) throw configError ?? new Error("not configured");
      const block = checkSampleBlock(msg.payload, "msg.payload");
      const rpm = extractor.options.bearing ? runningSpeed(msg, asset) : undefined;
      const result = extractor.compute(block.values, block.fs, rpm);
      const payload: FeaturesPayload = { asset: block.asset, sensor: block.sensor, t0: block.t0, fs: result.fs, n: result.n, features: result.features };
      if (result.spectrum) {
        const unit = block.unit && extractor.options.spectrumKind === "psd" ? `${block.unit}^2/Hz` : block.unit;
        payload.spectrum = { ...result.spectrum, ...(unit ? { unit } : {}) };
      }
      if (result.envelopeSpectrum) payload.envelopeSpectrum = { ...result.envelopeSpectrum, ...(block.unit ? { unit: block.unit } : {}) };
      if (result.indicatedFault) payload.indicatedFault = result.indicatedFault;
      if (result.isoZone) payload.isoZone = result.isoZone;
      if (rpm !== undefined) payload.rpm = rpm;
      msg.payload = payload;
      send(msg);
      const verdict = [result.isoZone && `zone ${result.isoZone}`, result.indicatedFault && result.indicatedFault !== "none" && result.indicatedFault]
        .filter(Boolean)
        .join(" ");
      const rms = result.features.rms;
      const text = `${rms === undefined ? `${Object.keys(result.features).length} features` : `rms ${rms.toPrecision(3)}`}${verdict ? ` ${verdict}` : ""}`;
      if (result.indicatedFault && result.indicatedFault !== "none") status.warn(node, text);
      else status.ok(node, text);
    });
  }
  RED.nodes.registerType("pdm-features", PdmFeaturesNode);
}
