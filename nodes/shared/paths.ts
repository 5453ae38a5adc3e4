import * as path from "node:path";

/**
 * Where the package's own files are, from the compiled file's place
 * (build/nodes/shared/paths.js): the package root, its models/ and its data/.
 */
export const packageRoot = path.resolve(__dirname, "..", "..", "..");
export const modelsDir = path.join(packageRoot, "models");
export const dataDir = path.join(packageRoot, "data");
