"""scikit-learn's IsolationForest on the same data as bench/anomaly.bench.ts.

Reads a JSON job on stdin: {"train": path, "test": path, "columns": d, "repeats": r}
(float64 little-endian row-major files), fits IsolationForest(n_estimators=100,
max_samples=256) `repeats` times and scores the test rows once; prints JSON with the
median fit time and the scoring throughput in CPU seconds (one thread), and the scores of
the first rows for a sanity comparison.
"""
import json
import os
import sys
import time

os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np
import sklearn
from sklearn.ensemble import IsolationForest


def main():
    job = json.load(sys.stdin)
    d = job["columns"]
    train = np.fromfile(job["train"], dtype="<f8").reshape(-1, d)
    test = np.fromfile(job["test"], dtype="<f8").reshape(-1, d)
    fits = []
    forest = None
    for seed in range(job["repeats"]):
        start = time.process_time()
        forest = IsolationForest(n_estimators=100, max_samples=256, random_state=seed, n_jobs=1).fit(train)
        fits.append(time.process_time() - start)
    start = time.process_time()
    scores = -forest.score_samples(test)  # score_samples is the opposite of the paper's s(x)
    score_seconds = time.process_time() - start
    print(json.dumps({
        "sklearn": sklearn.__version__,
        "fitSeconds": float(np.median(fits)),
        "scoresPerSecond": len(test) / score_seconds,
        "firstScores": scores[: job["compare"]].tolist(),
    }))


main()
