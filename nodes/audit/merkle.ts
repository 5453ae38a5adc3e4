/**
 * The RFC 9162 (Certificate Transparency 2.0) Merkle tree over the log's records:
 * leaf and interior hashes with domain separation, the tree head, inclusion proofs
 * (PATH, section 2.1.3) and consistency proofs (PROOF/SUBPROOF, section 2.1.4), and the
 * verification algorithms of sections 2.1.3.2 and 2.1.4.2, written as the RFC states them.
 * No storage here: proofs read subtree hashes through a `SubtreeHashes` function.
 */
import { hash } from "node:crypto";

export const HASH_BYTES = 32;

const LEAF_PREFIX = Buffer.from([0x00]);
const NODE_PREFIX = Buffer.from([0x01]);

function sha256(data: Buffer): Buffer {
  return hash("sha256", data, "buffer") as unknown as Buffer;
}

/** MTH({d}) = SHA-256(0x00 || d). */
export function leafHash(data: Buffer): Buffer {
  return sha256(Buffer.concat([LEAF_PREFIX, data]));
}

/** Reused input of nodeHash: a million interior nodes should not mean a million small allocations. */
const nodeInput = Buffer.alloc(1 + 2 * HASH_BYTES, NODE_PREFIX[0]);

/** The hash of an interior node: SHA-256(0x01 || left || right). */
export function nodeHash(left: Buffer, right: Buffer): Buffer {
  left.copy(nodeInput, 1);
  right.copy(nodeInput, 1 + HASH_BYTES);
  return sha256(nodeInput);
}

/** MTH({}) = SHA-256 of the empty string. */
export const EMPTY_TREE_ROOT = sha256(Buffer.alloc(0));

/** The largest power of two smaller than n (n > 1): the RFC's split point k. */
export function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/** MTH(D[start:end]): the hash of the leaves in [start, end), end > start. */
export type SubtreeHashes = (start: number, end: number) => Buffer;

/**
 * The right edge of a growing tree: the roots of its complete subtrees, largest first.
 * Appending a leaf merges equal-sized subtrees; every merge is a new complete node that
 * a store may keep. The tree head is these roots folded right to left, which gives
 * exactly the RFC's MTH because the RFC splits at the largest power of two.
 */
export class MerkleFrontier {
  /** Complete subtree roots; `levels[i]` is the height of `hashes[i]` (0 = a leaf). */
  private readonly hashes: Buffer[] = [];
  private readonly levels: number[] = [];
  private count = 0;

  constructor(initial?: { size: number; hashes: Buffer[] }) {
    if (initial) {
      this.count = initial.size;
      const levels = frontierLevels(initial.size);
      if (levels.length !== initial.hashes.length) throw new Error(`a tree of ${initial.size} leaves has ${levels.length} edge subtrees, got ${initial.hashes.length}`);
      this.hashes.push(...initial.hashes);
      this.levels.push(...levels);
    }
  }

  get size(): number {
    return this.count;
  }

  clone(): MerkleFrontier {
    return new MerkleFrontier({ size: this.count, hashes: this.hashes.slice() });
  }

  /**
   * Add a leaf hash; `onNode(level, index, hash)` hears every complete node the leaf
   * completes (level >= 1, index = position among nodes of that level).
   */
  push(leaf: Buffer, onNode?: (level: number, index: number, hash: Buffer) => void): void {
    let current = leaf;
    let level = 0;
    while (this.levels.length > 0 && this.levels[this.levels.length - 1] === level) {
      const left = this.hashes.pop() as Buffer;
      this.levels.pop();
      current = nodeHash(left, current);
      level++;
      onNode?.(level, Math.floor(this.count / 2 ** level), current);
    }
    this.hashes.push(current);
    this.levels.push(level);
    this.count++;
  }

  root(): Buffer {
    if (this.hashes.length === 0) return EMPTY_TREE_ROOT;
    let root = this.hashes[this.hashes.length - 1];
    for (let i = this.hashes.length - 2; i >= 0; i--) root = nodeHash(this.hashes[i], root);
    return root;
  }
}

/** The heights of the complete subtrees on the right edge of a tree of `size` leaves, largest first. */
export function frontierLevels(size: number): number[] {
  const levels: number[] = [];
  for (let level = Math.floor(Math.log2(Math.max(size, 1))) + 1; level >= 0; level--) {
    if (Math.floor(size / 2 ** level) % 2 === 1) levels.push(level);
  }
  return levels;
}

/** MTH of a list of leaf hashes (for tests and small trees). */
export function rootOfLeaves(leaves: Buffer[]): Buffer {
  const frontier = new MerkleFrontier();
  for (const leaf of leaves) frontier.push(leaf);
  return frontier.root();
}

/**
 * MTH(D[start:end]) from the hashes of complete, aligned subtrees: splits the range the
 * way the RFC does until each part is a complete subtree, then asks `complete(level, index)`.
 */
export function rangeHash(start: number, end: number, complete: (level: number, index: number) => Buffer): Buffer {
  const size = end - start;
  if (size <= 0) throw new RangeError(`empty range [${start}, ${end})`);
  if ((size & (size - 1)) === 0 && start % size === 0) {
    const level = Math.log2(size);
    return complete(level, start / size);
  }
  const k = splitPoint(size);
  return nodeHash(rangeHash(start, start + k, complete), rangeHash(start + k, end, complete));
}

/** PATH(m, D[n]) of RFC 9162 section 2.1.3.1: the audit path of leaf `index` in a tree of `size`. */
export function inclusionProof(index: number, size: number, subtree: SubtreeHashes): Buffer[] {
  if (!(index >= 0 && index < size)) throw new RangeError(`leaf ${index} is not in a tree of ${size}`);
  const path = (m: number, start: number, end: number): Buffer[] => {
    const n = end - start;
    if (n === 1) return [];
    const k = splitPoint(n);
    if (m < k) return [...path(m, start, start + k), subtree(start + k, end)];
    return [...path(m - k, start + k, end), subtree(start, start + k)];
  };
  return path(index, 0, size);
}

/** PROOF(m, D[n]) of RFC 9162 section 2.1.4.1; empty when m = n or m = 0. */
export function consistencyProof(oldSize: number, newSize: number, subtree: SubtreeHashes): Buffer[] {
  if (!(oldSize >= 0 && oldSize <= newSize)) throw new RangeError(`no consistency proof from ${oldSize} to ${newSize}`);
  if (oldSize === 0 || oldSize === newSize) return [];
  const subproof = (m: number, start: number, end: number, wholeOldTree: boolean): Buffer[] => {
    const n = end - start;
    if (m === n) return wholeOldTree ? [] : [subtree(start, end)];
    const k = splitPoint(n);
    if (m <= k) return [...subproof(m, start, start + k, wholeOldTree), subtree(start + k, end)];
    return [...subproof(m - k, start + k, end, false), subtree(start, start + k)];
  };
  return subproof(oldSize, 0, newSize, true);
}

/** RFC 9162 section 2.1.3.2: does `proof` show that `leaf` is leaf `index` of the tree with `root`? */
export function verifyInclusion(index: number, size: number, leaf: Buffer, proof: Buffer[], root: Buffer): boolean {
  if (!(index >= 0 && index < size)) return false;
  let fn = index;
  let sn = size - 1;
  let r = leaf;
  for (const p of proof) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      r = nodeHash(p, r);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
        }
      }
    } else {
      r = nodeHash(r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && r.equals(root);
}

/**
 * RFC 9162 section 2.1.4.2: does `proof` show that the tree (`newSize`, `newRoot`) is the
 * tree (`oldSize`, `oldRoot`) with leaves only appended? Equal sizes need an empty proof and
 * equal roots; the empty tree is consistent with every tree.
 */
export function verifyConsistency(oldSize: number, newSize: number, oldRoot: Buffer, newRoot: Buffer, proof: Buffer[]): boolean {
  if (!(oldSize >= 0 && oldSize <= newSize)) return false;
  if (oldSize === newSize) return proof.length === 0 && oldRoot.equals(newRoot);
  if (oldSize === 0) return proof.length === 0;
  if (proof.length === 0) return false;
  const path = (oldSize & (oldSize - 1)) === 0 ? [oldRoot, ...proof] : proof;
  let fn = oldSize - 1;
  let sn = newSize - 1;
  while (fn % 2 === 1) {
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  let fr = path[0];
  let sr = path[0];
  for (const c of path.slice(1)) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
        }
      }
    } else {
      sr = nodeHash(sr, c);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return fr.equals(oldRoot) && sr.equals(newRoot) && sn === 0;
}
