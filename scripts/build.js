#!/usr/bin/env node
// Build: compile TypeScript with tsc into build/, then copy what Node-RED loads beside
// each compiled node (.html editor files, icons/, locales/) and publish flows/ as
// examples/ (Node-RED's Import > Examples menu reads a package's examples/ folder).
"use strict";
const { execFileSync } = require("node:child_process");
const fs = require("node:fs");
const path = require("node:path");

const root = path.resolve(__dirname, "..");
const out = path.join(root, "build");

fs.rmSync(out, { recursive: true, force: true });
execFileSync(process.execPath, [require.resolve("typescript/bin/tsc"), "-p", root], { stdio: "inherit" });

/** Copy every editor asset under nodes/ to the same relative place under build/nodes/. */
function copyEditorAssets(dir) {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const source = path.join(dir, entry.name);
    const target = path.join(out, path.relative(root, source));
    if (entry.isDirectory()) {
      if (entry.name === "icons" || entry.name === "locales") {
        fs.cpSync(source, target, { recursive: true });
      } else {
        copyEditorAssets(source);
      }
    } else if (entry.name.endsWith(".html")) {
      fs.mkdirSync(path.dirname(target), { recursive: true });
      fs.copyFileSync(source, target);
    }
  }
}
copyEditorAssets(path.join(root, "nodes"));

// flows/<name>.json -> examples/<name>.json (the file name is the menu entry).
const examples = path.join(root, "examples");
fs.rmSync(examples, { recursive: true, force: true });
fs.mkdirSync(examples);
for (const name of fs.readdirSync(path.join(root, "flows"))) {
  if (name.endsWith(".json")) fs.copyFileSync(path.join(root, "flows", name), path.join(examples, name));
}
