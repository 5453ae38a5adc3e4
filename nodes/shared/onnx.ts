/**
 * The one ONNX loader of the suite. onnxruntime-node (native, fastest) first; where it
 * cannot load - it is an optional dependency, its binaries do not exist for Alpine/musl
 * (the official Node-RED container) and its install can be skipped offline - the
 * WebAssembly build onnxruntime-web runs the same model, slower. The session says which
 * backend it uses so a node can show it in its status.
 * Framework-free: no node-red import.
 */
import * as fs from "node:fs";

export type OnnxBackend = "onnxruntime-node" | "onnxruntime-web";

/** A float32 tensor: row-major data and its dimensions. */
export interface FloatTensor {
  data: Float32Array;
  dims: readonly number[];
}

/** What the model file declares about one input or output; `shape` entries are numbers or symbolic names. */
export interface ValueInfo {
  name: string;
  shape?: ReadonlyArray<number | string>;
}

export interface OnnxSession {
  readonly backend: OnnxBackend;
  /** Why onnxruntime-node is not in use, when the session fell back to onnxruntime-web. */
  readonly fallbackReason?: string;
  readonly inputs: readonly ValueInfo[];
  readonly outputs: readonly ValueInfo[];
  run(feeds: Record<string, FloatTensor>): Promise<Record<string, FloatTensor>>;
  release(): Promise<void>;
}

export interface SessionOptions {
  /**
   * "auto" (default): onnxruntime-node, else onnxruntime-web. "web": onnxruntime-web only.
   * The environment variable PDM_ONNX_BACKEND=web forces "web" for every session.
   */
  backend?: "auto" | "web";
  /** The native runtime's module name; tests give a missing one to exercise the fallback. */
  nativeModule?: string;
}

// The slice of the onnxruntime API (shared by -node and -web) this loader uses.
interface OrtTensor {
  data: unknown;
  dims: readonly number[];
  type: string;
}
interface OrtSession {
  inputNames: readonly string[];
  outputNames: readonly string[];
  inputMetadata?: ReadonlyArray<{ name: string; shape?: ReadonlyArray<number | string> }>;
  outputMetadata?: ReadonlyArray<{ name: string; shape?: ReadonlyArray<number | string> }>;
  run(feeds: Record<string, OrtTensor>): Promise<Record<string, OrtTensor>>;
  release(): Promise<void>;
}
interface OrtModule {
  InferenceSession: { create(model: Uint8Array, options?: Record<string, unknown>): Promise<OrtSession> };
  Tensor: new (type: "float32", data: Float32Array, dims: readonly number[]) => OrtTensor;
  env: { wasm?: { numThreads?: number } };
}

interface Runtime {
  backend: OnnxBackend;
  ort: OrtModule;
  fallbackReason?: string;
}

const runtimes = new Map<string, Runtime>();

function firstLine(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split("\n")[0];
}

/** Load (once per native module name and mode) the runtime to use. */
function runtime(options: SessionOptions): Runtime {
  const forced = options.backend === "web" || process.env.PDM_ONNX_BACKEND === "web";
  const nativeModule = options.nativeModule ?? "onnxruntime-node";
  const key = forced ? "web" : nativeModule;
  const cached = runtimes.get(key);
  if (cached) return cached;
  let fallbackReason: string;
  if (forced) {
    fallbackReason = "onnxruntime-web requested";
  } else {
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const ort = require(nativeModule) as OrtModule;
      const loaded: Runtime = { backend: "onnxruntime-node", ort };
      runtimes.set(key, loaded);
      return loaded;
    } catch (err) {
      fallbackReason = `${nativeModule} could not load: ${firstLine(err)}`;
    }
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const ort = require("onnxruntime-web") as OrtModule;
  // One thread: Node-RED runs many nodes in one process, and worker threads would need a URL to the wasm loader.
  if (ort.env.wasm) ort.env.wasm.numThreads = 1;
  const loaded: Runtime = { backend: "onnxruntime-web", ort, fallbackReason };
  runtimes.set(key, loaded);
  return loaded;
}

function valueInfo(names: readonly string[], metadata: OrtSession["inputMetadata"]): ValueInfo[] {
  return names.map((name) => {
    const shape = metadata?.find((m) => m.name === name)?.shape;
    return shape ? { name, shape } : { name };
  });
}

/** Open an .onnx file. Rejects with the file name and the runtime's reason if it is not a valid model. */
export async function createSession(file: string, options: SessionOptions = {}): Promise<OnnxSession> {
  const bytes = fs.readFileSync(file);
  const { backend, ort, fallbackReason } = runtime(options);
  let session: OrtSession;
  try {
    session = await ort.InferenceSession.create(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), { graphOptimizationLevel: "all" });
  } catch (err) {
    throw new Error(`${file}: not a model ${backend} can load: ${firstLine(err)}`);
  }
  return {
    backend,
    fallbackReason,
    inputs: valueInfo(session.inputNames, session.inputMetadata),
    outputs: valueInfo(session.outputNames, session.outputMetadata),
    async run(feeds) {
      const ortFeeds: Record<string, OrtTensor> = {};
      for (const [name, tensor] of Object.entries(feeds)) ortFeeds[name] = new ort.Tensor("float32", tensor.data, tensor.dims);
      const results = await session.run(ortFeeds);
      const out: Record<string, FloatTensor> = {};
      for (const [name, tensor] of Object.entries(results)) {
        if (!(tensor.data instanceof Float32Array)) throw new Error(`model output "${name}" is ${tensor.type}, expected float32`);
        out[name] = { data: tensor.data, dims: tensor.dims };
      }
      return out;
    },
    release: () => session.release(),
  };
}
