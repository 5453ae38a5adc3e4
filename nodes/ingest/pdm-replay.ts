/**
 * pdm-replay: plays recorded vibration data (FEMTO run-to-failure snapshots or CWRU-style
 * recordings) into a flow as sample blocks, at a chosen speed, so the suite can be tried
 * without a PLC. Timing lives here; what comes when is in ./replay.
 */
import * as path from "node:path";
import type { SampleBlock } from "../shared/contract";
import { NodeAPI, NodeDef, Node, onInput, status } from "../shared/node-red";
import { dataDir } from "../shared/paths";
import { Replay, delayToNextMs, femtoReplay, signalReplay } from "./replay";

interface ReplayConfig extends NodeDef {
  source: "femto" | "signals";
  path: string;
  files: string;
  blockSize: string | number;
  blockUnit?: "samples" | "seconds";
  asset: string;
  sensor: string;
  speed: string | number;
  loop: boolean;
  autostart: boolean;
}

const COMMANDS = ["start", "stop", "reset"] as const;

function openReplay(config: ReplayConfig): Replay {
  const sensor = config.sensor?.trim() || "acc";
  if (config.source === "signals") {
    const manifest = config.path?.trim() || path.join(dataDir, "cwru", "manifest.csv");
    const files = (config.files ?? "").split(",").map((f) => f.trim()).filter(Boolean);
    return signalReplay(manifest, { files, blockSize: Number(config.blockSize || 2048), blockUnit: config.blockUnit ?? "samples", sensor });
  }
  return femtoReplay(config.path?.trim() || path.join(dataDir, "femto", "Bearing1_1"), sensor);
}

export default function register(RED: NodeAPI): void {
  function PdmReplayNode(this: Node, config: ReplayConfig) {
    RED.nodes.createNode(this, config);
    const node = this;
    const asset = config.asset?.trim() || "demo-bearing";
    const speed = Number(config.speed ?? 1);
    let replay: Replay | undefined;
    let openError: Error | undefined;
    try {
      if (!(speed >= 0 && Number.isFinite(speed))) throw new Error(`speed: expected a number >= 0, got ${config.speed}`);
      replay = openReplay(config);
    } catch (err) {
      openError = err instanceof Error ? err : new Error(String(err));
      node.error(`pdm-replay: ${openError.message}`);
      status.error(node, openError.message);
    }

    let index = 0;
    let timer: NodeJS.Timeout | undefined;
    let running = false;
    /** Wall-clock time that recording second 0 maps to; set at each start of a pass. */
    let anchorMs = 0;

    const emitStep = () => {
      if (!replay || !running) return;
      const step = replay.step(index);
      for (const block of step.blocks) {
        const payload: SampleBlock = { asset, sensor: block.sensor, t0: anchorMs + step.atS * 1000, fs: block.fs, values: block.values, unit: block.unit };
        node.send({ topic: `${asset}/${block.sensor}`, payload, replay: { index, count: replay.length, ...step.info } });
      }
      status.busy(node, `replaying ${index + 1}/${replay.length}`);
      const wait = delayToNextMs(replay, index, speed);
      index++;
      if (index >= replay.length) {
        if (!config.loop) {
          running = false;
          status.idle(node, `done ${replay.length}/${replay.length}`);
          return;
        }
        index = 0;
        anchorMs = Date.now();
        timer = setTimeout(emitStep, 0);
        return;
      }
      timer = setTimeout(emitStep, wait);
    };

    const stop = () => {
      running = false;
      clearTimeout(timer);
      timer = undefined;
    };

    const start = () => {
      if (!replay) throw openError ?? new Error("no recording loaded");
      if (running) return;
      if (index === 0) anchorMs = Date.now();
      running = true;
      emitStep();
    };

    onInput(node, (msg) => {
      const command = typeof msg.payload === "string" ? msg.payload : msg.topic;
      if (!COMMANDS.includes(command as (typeof COMMANDS)[number])) {
        throw new Error(`msg.payload: expected one of "start", "stop", "reset", got ${JSON.stringify(command)}`);
      }
      if (command === "start") start();
      else {
        stop();
        if (command === "reset") index = 0;
        status.idle(node, command === "reset" ? "reset" : `stopped ${index}/${replay?.length ?? 0}`);
      }
    });

    node.on("close", (_removed: boolean, done: () => void) => {
      stop();
      done();
    });

    if (replay) {
      status.idle(node, `ready 0/${replay.length}`);
      if (config.autostart) timer = setTimeout(start, 500);
    }
  }
  RED.nodes.registerType("pdm-replay", PdmReplayNode);
}
