#!/usr/bin/env python3
"""
The NumPy/SciPy side of the features benchmark (bench/features.bench.ts runs it).
Reads a JSON job on stdin: {"dataDir", "windows": [{"file", "offset"}], "length", "fs",
"rpm", "options", "seconds"}, computes the full feature set with the reference
implementation of the golden tests (test/features/fixtures/reference_features.py, filter
designs and windows cached as in the TypeScript core), and prints JSON:
{"windowsPerSecond", "rfftMicroseconds", "numpy", "scipy"}, per CPU second.
"""
import gzip
import json
import os
import sys
import time

import numpy as np
import scipy

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "test", "features", "fixtures"))
import reference_features as R  # noqa: E402


def read_cwru(data_dir, name):
    with gzip.open(os.path.join(data_dir, name + ".gz"), "rt") as f:
        return np.array([float(line) for line in f.read().split("\n")[1:] if line])


def rate(fn, seconds):
    """Calls per CPU second of fn after a 0.2 s warm-up: CPU time, so other work on a
    shared machine does not count (as cpuThroughput in bench/features.bench.ts)."""
    end = time.process_time() + 0.2
    while time.process_time() < end:
        fn()
    calls = 0
    start = time.process_time()
    end = start + seconds
    while time.process_time() < end:
        fn()
        calls += 1
    return calls / (time.process_time() - start)


def main():
    job = json.load(sys.stdin)
    recordings = {}
    windows = []
    for w in job["windows"]:
        if w["file"] not in recordings:
            recordings[w["file"]] = read_cwru(job["dataDir"], w["file"])
        windows.append(recordings[w["file"]][w["offset"]:w["offset"] + job["length"]].copy())
    state = {"i": 0}

    def one_window():
        x = windows[state["i"] % len(windows)]
        state["i"] += 1
        return R.full_features(x, job["fs"], job["rpm"], job["options"])

    windows_per_second = rate(one_window, job["seconds"])
    x = windows[0]
    rfft_per_second = rate(lambda: np.fft.rfft(x), job["seconds"])
    json.dump({"windowsPerSecond": windows_per_second, "rfftMicroseconds": 1e6 / rfft_per_second,
               "numpy": np.__version__, "scipy": scipy.__version__}, sys.stdout)


if __name__ == "__main__":
    main()
