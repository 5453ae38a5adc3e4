import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { flowText, referenceFlows } from "../../scripts/make-flows";
import { repoRoot } from "../helpers/runtime";

describe("reference flows", () => {
  for (const [file, make] of Object.entries(referenceFlows)) {
    it(`flows/${file} is what scripts/flows writes (run npm run flows after changing it)`, () => {
      assert.equal(fs.readFileSync(path.join(repoRoot, "flows", file), "utf8"), flowText(make));
    });
  }

  it("wires only to nodes that exist, and uses every pdm node type", () => {
    const ours = Object.keys((JSON.parse(fs.readFileSync(path.join(repoRoot, "package.json"), "utf8")) as { "node-red": { nodes: Record<string, string> } })["node-red"].nodes);
    const used = new Set<string>();
    for (const make of Object.values(referenceFlows)) {
      const nodes = make() as Array<{ id: string; type: string; wires?: string[][] }>;
      const ids = new Set(nodes.map((n) => n.id));
      assert.equal(ids.size, nodes.length, "node ids are unique");
      for (const n of nodes) {
        used.add(n.type);
        for (const target of (n.wires ?? []).flat()) assert.ok(ids.has(target), `${n.id} is wired to ${target}, which is not in the flow`);
      }
    }
    const missing = ours.filter((type) => !used.has(type));
    assert.deepEqual(missing, [], "pdm node types no reference flow uses");
  });

  it("gives every node an id no other reference flow uses, so that any two can be imported together", () => {
    const owner = new Map<string, string>();
    for (const [file, make] of Object.entries(referenceFlows)) {
      for (const n of make() as Array<{ id: string }>) {
        assert.ok(!owner.has(n.id), `${file} and ${owner.get(n.id)} both have a node with id ${n.id}`);
        owner.set(n.id, file);
      }
    }
  });
});
