import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import {
  EMPTY_TREE_ROOT,
  consistencyProof,
  inclusionProof,
  leafHash,
  rangeHash,
  rootOfLeaves,
  verifyConsistency,
  verifyInclusion,
} from "../../nodes/audit/merkle";
import { fixturesDir } from "./log-fixture";

/** Vectors derived from the RFC's recursive definitions by fixtures/derive_vectors.py (hashlib only). */
interface Vectors {
  leaves: string[];
  emptyRoot: string;
  roots: Record<string, string>;
  inclusion: Array<{ index: number; treeSize: number; proof: string[] }>;
  consistency: Array<{ oldSize: number; newSize: number; proof: string[] }>;
}

const vectors = JSON.parse(fs.readFileSync(path.join(fixturesDir, "merkle-vectors.json"), "utf8")) as Vectors;
const leaves = vectors.leaves.map((hex) => leafHash(Buffer.from(hex, "hex")));
const hex = (hashes: Buffer[]) => hashes.map((h) => h.toString("hex"));
const fromHex = (hashes: string[]) => hashes.map((h) => Buffer.from(h, "hex"));
const subtree = (start: number, end: number) => rootOfLeaves(leaves.slice(start, end));

describe("audit: RFC 9162 Merkle tree", () => {
  it("matches the tree heads published with the Certificate Transparency reference tests", () => {
    // The first eight roots of the CT reference test data (leaves "", 00, 10, 2021, ...).
    const published = [
      "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
      "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
      "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
      "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
      "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
      "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
      "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
      "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
    ];
    published.forEach((root, i) => assert.equal(rootOfLeaves(leaves.slice(0, i + 1)).toString("hex"), root, `size ${i + 1}`));
  });

  it("computes every tree head of the derived vectors, and the empty tree", () => {
    assert.equal(EMPTY_TREE_ROOT.toString("hex"), vectors.emptyRoot);
    for (const [size, root] of Object.entries(vectors.roots)) {
      assert.equal(rootOfLeaves(leaves.slice(0, Number(size))).toString("hex"), root, `size ${size}`);
      assert.equal(rangeHash(0, Number(size), (level, index) => subtree(index * 2 ** level, (index + 1) * 2 ** level)).toString("hex"), root);
    }
  });

  it("gives the derived inclusion proofs and verifies them; any change makes them fail", () => {
    for (const { index, treeSize, proof } of vectors.inclusion) {
      const label = `leaf ${index} of ${treeSize}`;
      assert.deepEqual(hex(inclusionProof(index, treeSize, subtree)), proof, label);
      const root = Buffer.from(vectors.roots[String(treeSize)], "hex");
      assert.ok(verifyInclusion(index, treeSize, leaves[index], fromHex(proof), root), label);
      const otherLeaf = leaves[(index + 1) % leaves.length];
      assert.ok(!verifyInclusion(index, treeSize, otherLeaf, fromHex(proof), root), `${label} with another leaf`);
      if (proof.length > 0) {
        assert.ok(!verifyInclusion(index, treeSize, leaves[index], fromHex(proof.slice(0, -1)), root), `${label} shortened`);
        const flipped = fromHex(proof);
        flipped[0][5] ^= 1;
        assert.ok(!verifyInclusion(index, treeSize, leaves[index], flipped, root), `${label} with a flipped bit`);
      }
    }
  });

  it("gives the derived consistency proofs and verifies them; any change makes them fail", () => {
    for (const { oldSize, newSize, proof } of vectors.consistency) {
      const label = `${oldSize} -> ${newSize}`;
      assert.deepEqual(hex(consistencyProof(oldSize, newSize, subtree)), proof, label);
      const oldRoot = Buffer.from(vectors.roots[String(oldSize)], "hex");
      const newRoot = Buffer.from(vectors.roots[String(newSize)], "hex");
      assert.ok(verifyConsistency(oldSize, newSize, oldRoot, newRoot, fromHex(proof)), label);
      assert.ok(!verifyConsistency(oldSize, newSize, newRoot, oldRoot, fromHex(proof)), `${label} with the roots exchanged`);
      const flipped = fromHex(proof);
      flipped[flipped.length - 1][0] ^= 0x80;
      assert.ok(!verifyConsistency(oldSize, newSize, oldRoot, newRoot, flipped), `${label} with a flipped bit`);
      if (oldSize > 1) {
        const otherOld = Buffer.from(vectors.roots[String(oldSize - 1)], "hex");
        assert.ok(!verifyConsistency(oldSize, newSize, otherOld, newRoot, fromHex(proof)), `${label} with another old root`);
      }
    }
  });

  it("treats equal sizes and the empty tree as the RFC's edge cases", () => {
    const root = Buffer.from(vectors.roots["5"], "hex");
    assert.deepEqual(consistencyProof(5, 5, subtree), []);
    assert.ok(verifyConsistency(5, 5, root, root, []));
    assert.ok(!verifyConsistency(5, 5, root, EMPTY_TREE_ROOT, []));
    assert.ok(verifyConsistency(0, 5, EMPTY_TREE_ROOT, root, []));
    assert.ok(!verifyInclusion(5, 5, leaves[0], [], root));
    assert.throws(() => inclusionProof(5, 5, subtree), RangeError);
  });
});
