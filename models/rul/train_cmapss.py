#!/usr/bin/env python3
"""Train the C-MAPSS sequence RUL models shipped in models/rul/ (one per subset).

For each subset: per-operating-condition z-score normalisation of 14 sensors, windows of
30 cycles (edge-padded at the start of a run), targets capped at 125 cycles, and an
ensemble of 1-D CNNs trained on five folds of the training engines. Each member is trained
on four folds; its predictions on the fifth (engines it never saw) give the residuals from
which the 5-95 % interval and the failure probabilities are read at run time (cross-fitted
conformal residuals). The ensemble mean is exported as one ONNX graph with a sidecar JSON
holding everything the Node-RED node needs to reproduce the input: features, window,
normalisation per condition, residual quantiles.

Debian packages only: apt-get install -y python3-torch python3-onnx python3-numpy
Run from the repository root (the exact commands per subset are in MODEL_CARD.md):
    WINDOW=50 STRIDE=2 EPOCHS=40 /usr/bin/python3 models/rul/train_cmapss.py FD001
Environment: WINDOW (cycles, default 30), STRIDE (of the first convolution, default 1),
EPOCHS (default 40), THREADS (torch threads, default 1), OUT (output folder, default models/rul).
Deterministic: seeded folds and members.
"""
import gzip
import json
import os
import sys
import time

import numpy as np
import torch
from torch import nn

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DATA = os.path.join(ROOT, "data", "cmapss")
OUT = os.environ.get("OUT", os.path.join(ROOT, "models", "rul"))

SENSORS = ["s2", "s3", "s4", "s7", "s8", "s9", "s11", "s12", "s13", "s14", "s15", "s17", "s20", "s21"]
# AGE=1 adds the cycle number (operating cycles since new) as an input: age is known in operation.
if os.environ.get("AGE") == "1":
    SENSORS = SENSORS + ["cycle"]
COLUMNS = ["unit", "cycle", "setting1", "setting2", "setting3"] + [f"s{i}" for i in range(1, 22)]
SETTINGS = ["setting1", "setting2", "setting3"]
# The operating conditions (data/cmapss/README.md) and the scale that makes the three
# settings comparable for nearest-centroid assignment.
SIX_CONDITIONS = [[0, 0.0, 100], [10, 0.25, 100], [20, 0.70, 100], [25, 0.62, 60], [35, 0.84, 100], [42, 0.84, 100]]
ONE_CONDITION = [[0, 0.0, 100]]
SETTING_SCALE = [1 / 42, 1 / 0.84, 1 / 100]
WINDOW = int(os.environ.get("WINDOW", "30"))
# Stride of the first convolution: 2 halves the work per window, so a longer window costs no more.
STRIDE = int(os.environ.get("STRIDE", "1"))
RUL_CAP = 125.0
FOLDS = 5
EPOCHS = int(os.environ.get("EPOCHS", "40"))
BATCH = 256
BIN_EDGES = [0, 25, 50, 75, 100, 1e9]
QUANTILE_LEVELS = [round(q / 100, 2) for q in range(0, 101)]


def read(name):
    with gzip.open(os.path.join(DATA, name + ".gz"), "rt") as f:
        return np.array([[float(x) for x in line.split()] for line in f if line.strip()])


def assign_conditions(rows, centroids):
    settings = rows[:, 2:5] * np.array(SETTING_SCALE)
    c = np.array(centroids) * np.array(SETTING_SCALE)
    return np.argmin(((settings[:, None, :] - c[None, :, :]) ** 2).sum(axis=2), axis=1)


def normalisation(rows, conditions, n_conditions):
    idx = [COLUMNS.index(s) for s in SENSORS]
    mean = np.zeros((n_conditions, len(SENSORS)))
    std = np.ones((n_conditions, len(SENSORS)))
    for c in range(n_conditions):
        x = rows[conditions == c][:, idx]
        mean[c] = x.mean(axis=0)
        std[c] = np.maximum(x.std(axis=0), 1e-6)
    return mean, std


def normalise(rows, conditions, mean, std):
    idx = [COLUMNS.index(s) for s in SENSORS]
    return ((rows[:, idx] - mean[conditions]) / std[conditions]).astype(np.float32)


def windows(rows, x):
    """Every window of every engine, ending at each cycle, edge-padded at the start; with true RUL."""
    xs, ruls, units = [], [], []
    for unit in np.unique(rows[:, 0]):
        sel = rows[:, 0] == unit
        ux = x[sel]
        n = len(ux)
        padded = np.concatenate([np.repeat(ux[:1], WINDOW - 1, axis=0), ux])
        for end in range(n):
            xs.append(padded[end:end + WINDOW])
            ruls.append(n - 1 - end)
            units.append(unit)
    return np.stack(xs), np.array(ruls, dtype=np.float32), np.array(units)


class Cnn(nn.Module):
    """A small 1-D CNN over time; input [batch, window, features], output RUL in cycles.

    Small on purpose (about 53 k multiply-adds per window): five of them must still make
    more than 10 000 predictions per second on one CPU core.
    """

    def __init__(self, features):
        super().__init__()
        self.conv = nn.Sequential(
            nn.Conv1d(features, 16, 5, padding=2, stride=STRIDE), nn.ReLU(),
            nn.AvgPool1d(2),
            nn.Conv1d(16, 16, 3, padding=1), nn.ReLU(),
        )
        steps = (WINDOW - 1) // STRIDE + 1
        self.head = nn.Sequential(nn.Flatten(), nn.Dropout(0.2), nn.Linear(16 * (steps // 2), 32), nn.ReLU(), nn.Linear(32, 1))

    def forward(self, window):
        return self.head(self.conv(window.transpose(1, 2))).squeeze(1) * RUL_CAP


class Ensemble(nn.Module):
    def __init__(self, members):
        super().__init__()
        self.members = nn.ModuleList(members)

    def forward(self, window):
        return torch.clamp(torch.stack([m(window) for m in self.members]).mean(0), min=0.0)


def train_member(x, y, seed):
    torch.manual_seed(seed)
    model = Cnn(x.shape[2])
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    steps = EPOCHS * ((len(x) + BATCH - 1) // BATCH)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=2e-3, total_steps=steps)
    xt, yt = torch.from_numpy(x), torch.from_numpy(np.minimum(y, RUL_CAP))
    gen = torch.Generator().manual_seed(seed)
    model.train()
    for _ in range(EPOCHS):
        order = torch.randperm(len(xt), generator=gen)
        for i in range(0, len(xt), BATCH):
            b = order[i:i + BATCH]
            opt.zero_grad()
            loss = ((model(xt[b]) - yt[b]) ** 2).mean()
            loss.backward()
            opt.step()
            sched.step()
    model.eval()
    return model


def predict(model, x):
    with torch.no_grad():
        return torch.clamp(model(torch.from_numpy(x)), min=0.0).numpy()


def residual_quantiles(pred, truth):
    table = []
    for lo, hi in zip(BIN_EDGES[:-1], BIN_EDGES[1:]):
        r = truth[(pred >= lo) & (pred < hi)] - pred[(pred >= lo) & (pred < hi)]
        table.append({"from": lo, "to": hi if hi < 1e8 else None, "count": int(len(r)),
                      "quantiles": [round(float(v), 2) for v in np.quantile(r, QUANTILE_LEVELS)]})
    return table


def last_cycle_rmse(model, subset, cond_centroids, mean, std):
    test = read(f"test_{subset}.txt")
    truth_file = os.path.join(DATA, f"RUL_{subset}.txt")
    if not os.path.exists(truth_file):
        return None
    truth = np.loadtxt(truth_file)
    x = normalise(test, assign_conditions(test, cond_centroids), mean, std)
    last = []
    for unit in np.unique(test[:, 0]):
        ux = x[test[:, 0] == unit]
        padded = np.concatenate([np.repeat(ux[:1], WINDOW - 1, axis=0), ux])
        last.append(padded[-WINDOW:])
    pred = predict(model, np.stack(last))
    return float(np.sqrt(((pred - truth) ** 2).mean()))


def main(subsets):
    torch.set_num_threads(int(os.environ.get("THREADS", "1")))
    for subset in subsets:
        t_start = time.time()
        rows = read(f"train_{subset}.txt")
        centroids = SIX_CONDITIONS if subset in ("FD002", "FD004") else ONE_CONDITION
        conditions = assign_conditions(rows, centroids)
        mean, std = normalisation(rows, conditions, len(centroids))
        x, y, units = windows(rows, normalise(rows, conditions, mean, std))
        engine_ids = np.unique(units)
        rng = np.random.default_rng(2024)
        fold_of = dict(zip(engine_ids, rng.permutation(len(engine_ids)) % FOLDS))
        fold = np.array([fold_of[u] for u in units])
        members, oof = [], np.zeros(len(x), dtype=np.float32)
        for k in range(FOLDS):
            member = train_member(x[fold != k], y[fold != k], seed=100 + k)
            oof[fold == k] = predict(member, x[fold == k])
            members.append(member)
            capped = np.minimum(y[fold == k], RUL_CAP)
            print(f"{subset} member {k}: out-of-fold RMSE (capped truth) {np.sqrt(((oof[fold == k] - capped) ** 2).mean()):.2f}", flush=True)
        ensemble = Ensemble(members).eval()
        rmse = last_cycle_rmse(ensemble, subset, centroids, mean, std)
        name = f"cmapss-{subset.lower()}"
        onnx_file = os.path.join(OUT, f"{name}.onnx")
        torch.onnx.export(ensemble, torch.zeros(1, WINDOW, len(SENSORS)), onnx_file, input_names=["window"],
                          output_names=["rul"], dynamic_axes={"window": {0: "batch"}, "rul": {0: "batch"}}, opset_version=17)
        sidecar = {
            "format": "pdm-rul-sequence/1",
            "name": name,
            "model": f"{name}.onnx",
            "description": f"1-D CNN ensemble ({FOLDS} members) trained on NASA C-MAPSS train_{subset}; see MODEL_CARD.md",
            "unit": "cycles",
            "input": {"name": "window", "shape": [-1, WINDOW, len(SENSORS)]},
            "output": {"name": "rul"},
            "window": WINDOW,
            "padding": "edge",
            "features": SENSORS,
            "rulCap": RUL_CAP,
            "normalisation": {
                "conditions": {"settings": SETTINGS, "scale": SETTING_SCALE, "centroids": centroids},
                "mean": [[round(float(v), 6) for v in row] for row in mean],
                "std": [[round(float(v), 6) for v in row] for row in std],
            },
            "residuals": {
                "source": "out-of-fold predictions at every cycle of the training engines, residual = true RUL (uncapped) - prediction",
                "levels": QUANTILE_LEVELS,
                "bins": residual_quantiles(oof, y),
            },
            "training": {"data": f"train_{subset}.txt", "engines": int(len(engine_ids)), "windows": int(len(x)), "epochs": EPOCHS, "stride": STRIDE,
                         "folds": FOLDS, "seconds": round(time.time() - t_start), "testLastCycleRmse": rmse},
        }
        with open(os.path.join(OUT, f"{name}.json"), "w") as f:
            json.dump(sidecar, f, indent=1)
            f.write("\n")
        print(f"{subset}: wrote {onnx_file} ({os.path.getsize(onnx_file)} bytes), test last-cycle RMSE {rmse}, {time.time() - t_start:.0f} s", flush=True)


if __name__ == "__main__":
    main(sys.argv[1:] or ["FD001", "FD002", "FD003", "FD004"])
