/**
 * Windowing of sample streams: scalar samples or sample blocks per (asset, sensor) become
 * windows of N equidistant samples with overlap, optionally resampled to a target rate and
 * aligned across the sensors of one asset. Short gaps are interpolated, longer gaps break
 * the window and are reported. Memory per stream is bounded by the window size.
 * Framework-free: the node adapter passes samples in and a sink that sends what comes out.
 */
import type { AlignedWindow, SampleBlock, ScalarSample } from "../shared/contract";

export interface WindowOptions {
  /** Samples per window (N). */
  size: number;
  /** Fraction of a window shared with the next one, 0 <= overlap < 1 (0.5 = 50 %). */
  overlap: number;
  /** Resample every stream to this rate in Hz; 0 keeps the rate of the blocks (scalars then need a rate). */
  targetFs: number;
  /** Gaps up to this long are filled by linear interpolation; longer gaps break the window. */
  maxGapMs: number;
  /**
   * A block starting within this many ms of where the previous one ended continues it
   * (block time stamps taken on arrival jitter); 0 = within half a sample.
   */
  jitterMs: number;
  /** Sensors to align into one multi-channel window per asset; empty = one window per sensor. */
  align: string[];
  /** The most (asset, sensor) streams kept at once; more is an error (bounded memory). */
  maxStreams: number;
}

export const WINDOW_EVENTS = ["gap", "rate-change", "overrun"] as const;
export type WindowEventType = (typeof WINDOW_EVENTS)[number];

/** Something the flow should know about a stream: why a window was broken and what was lost. */
export interface WindowEvent {
  event: WindowEventType;
  asset: string;
  sensor: string;
  /** When it happened on the stream's time axis (epoch ms). */
  ts: number;
  /** Samples already collected for the broken window, now discarded. */
  discarded: number;
  detail: string;
}

export interface WindowSink {
  window(block: SampleBlock): void;
  aligned(window: AlignedWindow): void;
  event(event: WindowEvent): void;
}

/** Receives the equidistant samples of one stream, each with its index on the stream's grid. */
interface GridConsumer {
  push(k: number, value: number): void;
  /** The stream broke (gap, rate change): forget the partial window; returns how many samples that was. */
  interrupt(): number;
}

/** Samples per hop between window starts. */
function hopOf(options: WindowOptions): number {
  return Math.max(1, options.size - Math.round(options.size * options.overlap));
}

function toNumberArray(buffer: Float64Array, from: number, count: number): number[] {
  const values = new Array<number>(count);
  for (let i = 0; i < count; i++) values[i] = buffer[from + i];
  return values;
}

/** Windows of one stream: a buffer of at most N samples. */
class WindowBuffer implements GridConsumer {
  private readonly buffer: Float64Array;
  private filled = 0;
  private startK = 0;

  constructor(
    private readonly size: number,
    private readonly hop: number,
    private readonly onWindow: (startK: number, values: number[]) => void,
  ) {
    this.buffer = new Float64Array(size);
  }

  push(k: number, value: number): void {
    if (this.filled === 0 || k !== this.startK + this.filled) {
      this.filled = 0;
      this.startK = k;
    }
    this.buffer[this.filled++] = value;
    if (this.filled === this.size) {
      this.onWindow(this.startK, toNumberArray(this.buffer, 0, this.size));
      this.buffer.copyWithin(0, this.hop, this.size);
      this.filled = this.size - this.hop;
      this.startK += this.hop;
    }
  }

  interrupt(): number {
    const discarded = this.filled;
    this.filled = 0;
    return discarded;
  }
}

/** The samples of one channel of an aligned group since the group's window start. */
class ChannelBuffer implements GridConsumer {
  values: number[] = [];
  startK = 0;

  constructor(
    readonly sensor: string,
    private readonly group: AlignedGroup,
  ) {}

  push(k: number, value: number): void {
    if (this.values.length === 0 || k !== this.startK + this.values.length) {
      this.values = [];
      this.startK = k;
    }
    this.values.push(value);
    this.group.pushed(this);
  }

  interrupt(): number {
    const discarded = this.values.length;
    this.values = [];
    return discarded;
  }

  /** Drop samples before grid index k. */
  trimTo(k: number): void {
    const drop = Math.min(this.values.length, k - this.startK);
    if (drop > 0) this.values.splice(0, drop);
    if (k > this.startK) this.startK = k;
  }
}

/** The channels of one asset in aligned mode, on one grid (origin and rate). */
class AlignedGroup {
  readonly channels: ChannelBuffer[];
  units = new Map<string, string>();

  constructor(
    readonly asset: string,
    readonly origin: number,
    readonly fs: number,
    sensors: string[],
    private readonly options: WindowOptions,
    private readonly sink: Pick<WindowSink, "aligned" | "event">,
  ) {
    this.channels = sensors.map((sensor) => new ChannelBuffer(sensor, this));
  }

  channel(sensor: string): ChannelBuffer {
    const channel = this.channels.find((c) => c.sensor === sensor);
    if (!channel) throw new Error(`sensor "${sensor}" of asset "${this.asset}" is not in the list of aligned sensors (${this.channels.map((c) => c.sensor).join(", ")})`);
    return channel;
  }

  pushed(from: ChannelBuffer): void {
    const { size } = this.options;
    // A channel far ahead of a silent one would grow without bound: keep at most 2 windows.
    const limit = 2 * size;
    if (from.values.length > limit) {
      const overrun = from.values.length - limit;
      from.trimTo(from.startK + overrun);
      const missing = this.channels.filter((c) => c.values.length === 0).map((c) => c.sensor);
      this.sink.event({
        event: "overrun",
        asset: this.asset,
        sensor: from.sensor,
        ts: this.origin + (from.startK * 1000) / this.fs,
        discarded: overrun,
        detail: `no data from ${missing.join(", ") || "the other channels"} for this time: oldest samples of ${from.sensor} dropped`,
      });
    }
    // A window needs N samples of every channel: until this one has them, nothing can be ready.
    if (from.values.length >= size) this.emitReady();
  }

  private emitReady(): void {
    const { size } = this.options;
    const hop = hopOf(this.options);
    for (;;) {
      if (this.channels.some((c) => c.values.length === 0)) return;
      const start = Math.max(...this.channels.map((c) => c.startK));
      for (const c of this.channels) c.trimTo(start);
      if (this.channels.some((c) => c.values.length < size)) return;
      this.sink.aligned({
        asset: this.asset,
        t0: this.origin + (start * 1000) / this.fs,
        fs: this.fs,
        n: size,
        channels: this.channels.map((c) => {
          const unit = this.units.get(c.sensor);
          return { sensor: c.sensor, ...(unit ? { unit } : {}), values: c.values.slice(0, size) };
        }),
      });
      for (const c of this.channels) c.trimTo(start + hop);
    }
  }
}

/** Where a stream stands: its rate, the last input sample and the next grid index. */
class Stream {
  /** Output grid rate and period. */
  fs = 0;
  period = 0;
  /** Time of grid index 0 (epoch ms). */
  origin = 0;
  /** Next grid index to produce. */
  nextK = 0;
  /** Last input sample (resampling: interpolation start; native: gap fill start). */
  lastT = NaN;
  lastValue = NaN;
  /** Native mode: the time the next block should start at. */
  expectedT = NaN;
  unit?: string;
  started = false;

  constructor(
    readonly asset: string,
    readonly sensor: string,
    public consumer: GridConsumer,
  ) {}
}

export interface WindowStats {
  windows: number;
  events: number;
  /** Scalar samples with bad or uncertain quality, not used as values. */
  notGood: number;
}

export class Windower {
  private readonly streams = new Map<string, Stream>();
  private readonly groups = new Map<string, AlignedGroup>();
  private lastStream: Stream | undefined;
  readonly stats: WindowStats = { windows: 0, events: 0, notGood: 0 };

  constructor(
    private readonly options: WindowOptions,
    private readonly sink: WindowSink,
  ) {
    if (!Number.isInteger(options.size) || options.size < 2) throw new Error(`window size: expected an integer >= 2, got ${options.size}`);
    if (!(options.overlap >= 0 && options.overlap < 1)) throw new Error(`overlap: expected 0 to 99 %, got ${options.overlap * 100} %`);
    if (!(options.targetFs >= 0)) throw new Error(`target rate: expected a number >= 0, got ${options.targetFs}`);
    if (!(options.maxGapMs >= 0)) throw new Error(`max gap: expected a number >= 0, got ${options.maxGapMs}`);
    if (!(options.jitterMs >= 0)) throw new Error(`jitter: expected a number >= 0, got ${options.jitterMs}`);
  }

  /** Forget the streams of one asset (or all): partial windows are discarded. */
  reset(asset?: string): void {
    this.lastStream = undefined;
    for (const [key, stream] of this.streams) if (asset === undefined || stream.asset === asset) this.streams.delete(key);
    for (const key of [...this.groups.keys()]) if (asset === undefined || key === asset) this.groups.delete(key);
  }

  get streamCount(): number {
    return this.streams.size;
  }

  addScalar(sample: ScalarSample): void {
    if (sample.quality !== undefined && sample.quality !== "good") {
      this.stats.notGood++;
      return;
    }
    if (this.options.targetFs <= 0) {
      throw new Error(`scalar samples of ${sample.asset}/${sample.sensor} have no sample rate: set "resample to" (Hz) in pdm-window`);
    }
    const stream = this.stream(sample.asset, sample.sensor, sample.unit);
    if (stream.started && sample.ts <= stream.lastT) {
      throw new Error(`msg.payload.ts: ${sample.asset}/${sample.sensor} sample at ${sample.ts} is not after the previous one (${stream.lastT}): dropped`);
    }
    this.resamplePoint(stream, sample.ts, sample.value, false);
  }

  addBlock(block: SampleBlock): void {
    const stream = this.stream(block.asset, block.sensor, block.unit);
    if (this.options.targetFs > 0) {
      const step = 1000 / block.fs;
      let t0 = block.t0;
      if (stream.started) {
        const expected = stream.lastT + step;
        if (Math.abs(t0 - expected) <= this.options.jitterMs) t0 = expected;
        else if (t0 <= stream.lastT) {
          throw new Error(`msg.payload.t0: ${block.asset}/${block.sensor} block starts at ${block.t0}, not after the previous sample (${stream.lastT}): dropped`);
        }
      }
      // The samples inside a block follow each other: only the block's start can be a gap.
      for (let i = 0; i < block.values.length; i++) this.resamplePoint(stream, t0 + i * step, block.values[i], i > 0);
    } else {
      this.addNativeBlock(stream, block);
    }
  }

  private key(asset: string, sensor: string): string {
    return `${asset}\u0000${sensor}`;
  }

  private stream(asset: string, sensor: string, unit: string | undefined): Stream {
    // Consecutive samples mostly belong to one stream: skip building the key for them.
    const last = this.lastStream;
    if (last && last.asset === asset && last.sensor === sensor) {
      if (unit && unit !== last.unit) this.setUnit(last, unit);
      return last;
    }
    const key = this.key(asset, sensor);
    let stream = this.streams.get(key);
    if (!stream) {
      if (this.options.align.length > 0 && !this.options.align.includes(sensor)) {
        throw new Error(`sensor "${sensor}" of asset "${asset}" is not in the list of aligned sensors (${this.options.align.join(", ")})`);
      }
      if (this.streams.size >= this.options.maxStreams) {
        throw new Error(`${asset}/${sensor} would be stream ${this.streams.size + 1}, more than the limit of ${this.options.maxStreams}: raise "max streams" or split the flow`);
      }
      stream = new Stream(asset, sensor, this.consumerFor(asset, sensor));
      this.streams.set(key, stream);
    }
    if (unit) this.setUnit(stream, unit);
    this.lastStream = stream;
    return stream;
  }

  private setUnit(stream: Stream, unit: string): void {
    stream.unit = unit;
    this.groups.get(stream.asset)?.units.set(stream.sensor, unit);
  }

  private consumerFor(asset: string, sensor: string): GridConsumer {
    if (this.options.align.length === 0) {
      return new WindowBuffer(this.options.size, hopOf(this.options), (startK, values) => this.emitWindow(asset, sensor, startK, values));
    }
    const group = this.groups.get(asset);
    // Before the group exists (first sample of the asset) the consumer is replaced in startStream.
    return group ? group.channel(sensor) : { push: () => undefined, interrupt: () => 0 };
  }

  private emitWindow(asset: string, sensor: string, startK: number, values: number[]): void {
    const stream = this.streams.get(this.key(asset, sensor));
    if (!stream) return;
    const block: SampleBlock = { asset, sensor, t0: stream.origin + startK * stream.period, fs: stream.fs, values };
    if (stream.unit) block.unit = stream.unit;
    this.stats.windows++;
    this.sink.window(block);
  }

  private report(stream: Stream, event: WindowEvent["event"], ts: number, detail: string): void {
    const discarded = stream.consumer.interrupt();
    this.stats.events++;
    this.sink.event({ event, asset: stream.asset, sensor: stream.sensor, ts, discarded, detail });
  }

  /** Set the stream's grid: its rate and the time of grid index 0 (shared by an aligned asset). */
  private startStream(stream: Stream, fs: number, firstT: number): void {
    stream.fs = fs;
    stream.period = 1000 / fs;
    if (this.options.align.length === 0) {
      stream.origin = this.options.targetFs > 0 ? 0 : firstT;
      stream.started = true;
      return;
    }
    let group = this.groups.get(stream.asset);
    if (!group || group.fs !== fs) {
      if (group) this.restartGroup(stream.asset);
      group = new AlignedGroup(stream.asset, this.options.targetFs > 0 ? 0 : firstT, fs, this.options.align, this.options, {
        event: (e) => {
          this.stats.events++;
          this.sink.event(e);
        },
        aligned: (w) => {
          this.stats.windows++;
          this.sink.aligned(w);
        },
      });
      this.groups.set(stream.asset, group);
    }
    stream.origin = group.origin;
    stream.consumer = group.channel(stream.sensor);
    if (stream.unit) group.units.set(stream.sensor, stream.unit);
    stream.started = true;
  }

  /** A new rate for an aligned asset: every channel starts over on the new grid. */
  private restartGroup(asset: string): void {
    for (const stream of this.streams.values()) {
      if (stream.asset === asset) stream.started = false;
    }
  }

  // --- native rate: blocks follow each other ----------------------------------------

  private addNativeBlock(stream: Stream, block: SampleBlock): void {
    if (stream.started && block.fs !== stream.fs) {
      this.report(stream, "rate-change", block.t0, `sample rate changed from ${stream.fs} Hz to ${block.fs} Hz: window restarted`);
      stream.started = false;
    }
    if (!stream.started) {
      this.startStream(stream, block.fs, block.t0);
      stream.nextK = Math.round((block.t0 - stream.origin) / stream.period);
    } else {
      // Where this block starts relative to where the previous one ended: jitter within the
      // tolerance (at least half a sample, which rounds away) continues; more is a gap.
      const drift = block.t0 - stream.expectedT;
      const offset = Math.abs(drift) <= this.options.jitterMs ? 0 : Math.round(drift / stream.period);
      if (offset < 0) {
        throw new Error(
          `msg.payload.t0: ${block.asset}/${block.sensor} block starts at ${block.t0}, ${-offset} sample(s) before the previous block ended (${stream.expectedT}): dropped`,
        );
      }
      if (offset > 0) this.bridgeGap(stream, offset, block.t0, block.values[0]);
    }
    for (let i = 0; i < block.values.length; i++) stream.consumer.push(stream.nextK++, block.values[i]);
    stream.expectedT = block.t0 + block.values.length * stream.period;
    stream.lastT = stream.expectedT - stream.period;
    stream.lastValue = block.values[block.values.length - 1];
  }

  /** `missing` samples are absent before a block starting at t: interpolate them, or break. */
  private bridgeGap(stream: Stream, missing: number, t: number, nextValue: number): void {
    const gapMs = missing * stream.period;
    if (gapMs > this.options.maxGapMs) {
      this.report(stream, "gap", t, `gap of ${gapMs.toFixed(1)} ms (${missing} samples) > ${this.options.maxGapMs} ms: window broken`);
      stream.nextK += missing;
      return;
    }
    for (let j = 1; j <= missing; j++) {
      stream.consumer.push(stream.nextK++, stream.lastValue + ((nextValue - stream.lastValue) * j) / (missing + 1));
    }
  }

  // --- resampling: every input sample is a point of a piecewise linear signal ----------

  /**
   * One input sample at time t. A pause since the previous one longer than the gap limit
   * (at least two target periods, so readings at about the target rate never break) breaks
   * the window, unless the sample is known to follow on (inside a block).
   */
  private resamplePoint(stream: Stream, t: number, value: number, followsOn: boolean): void {
    const gapLimit = Math.max(this.options.maxGapMs, 2 * stream.period);
    if (!stream.started) {
      this.startStream(stream, this.options.targetFs, t);
      stream.nextK = Math.ceil(t / stream.period - 1e-9);
      stream.lastT = t;
      stream.lastValue = value;
    } else if (!followsOn && t - stream.lastT > gapLimit) {
      this.report(stream, "gap", t, `gap of ${(t - stream.lastT).toFixed(1)} ms > ${gapLimit} ms: window broken`);
      stream.nextK = Math.ceil(t / stream.period - 1e-9);
      stream.lastT = t;
      stream.lastValue = value;
    }
    const span = t - stream.lastT;
    for (;;) {
      const tk = stream.nextK * stream.period;
      if (tk > t + 1e-9) break;
      const share = span > 0 ? (tk - stream.lastT) / span : 1;
      stream.consumer.push(stream.nextK++, stream.lastValue + (value - stream.lastValue) * share);
    }
    stream.lastT = t;
    stream.lastValue = value;
  }
}
