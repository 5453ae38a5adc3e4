import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { StateFile } from "../../nodes/rul/state-file";

describe("state file", () => {
  const fileIn = () => path.join(fs.mkdtempSync(path.join(os.tmpdir(), "pdm-state-")), "state.json");
  const read = (file: string) => JSON.parse(fs.readFileSync(file, "utf8")) as unknown;

  it("saveSoon writes once for a burst, with the state at the time of writing", async () => {
    const file = fileIn();
    let state = { n: 0 };
    const stateFile = new StateFile(file, () => state, 20);
    for (let n = 1; n <= 5; n++) {
      state = { n };
      stateFile.saveSoon();
    }
    assert.equal(fs.existsSync(file), false, "nothing written before the delay");
    await new Promise((resolve) => setTimeout(resolve, 60));
    assert.deepEqual(read(file), { n: 5 });
    assert.deepEqual(stateFile.load(), { n: 5 });
  });

  it("saveNow writes at once and cancels the pending write; no state, no file", async () => {
    const file = fileIn();
    let state: { n: number } | undefined;
    const stateFile = new StateFile(file, () => state, 20);
    stateFile.saveNow();
    assert.equal(fs.existsSync(file), false);
    state = { n: 1 };
    stateFile.saveSoon();
    stateFile.saveNow();
    assert.deepEqual(read(file), { n: 1 });
    fs.rmSync(file);
    await new Promise((resolve) => setTimeout(resolve, 60));
    assert.equal(fs.existsSync(file), false, "the cancelled write did not happen");
  });

  it("close saves, or deletes the file when the node was removed; a corrupt file is an error naming it", async () => {
    const file = fileIn();
    const stateFile = new StateFile(file, () => ({ n: 2 }), 20);
    stateFile.close(false);
    assert.deepEqual(read(file), { n: 2 });
    stateFile.saveSoon();
    stateFile.close(true);
    await new Promise((resolve) => setTimeout(resolve, 60));
    assert.equal(fs.existsSync(file), false);
    fs.writeFileSync(file, "{ not json");
    assert.throws(() => stateFile.load(), (err: Error) => err.message.startsWith(`${file}: cannot read saved state`));
  });
});
