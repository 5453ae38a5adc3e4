#!/usr/bin/env python3
"""Train the C-MAPSS sequence RUL models shipped in models/rul/ (one per subset).

For each subset: per-operating-condition z-score normalisation of 14 sensors and the age in
cycles, windows of 70 cycles (edge-padded at the start of a run), exponential smoothing of
the sensors over the window (inside the ONNX graph), targets capped at 125 cycles, and small
networks trained with the Huber loss (1-D CNNs; for FD001 one strided convolution then a GRU). Five members are trained on five folds of the training
engines (each on four folds); their predictions on the fifth (engines they never saw) give
the cross-validation figure and the residuals from which the 5-95 % interval and the
failure probabilities are read at run time (cross-fitted conformal residuals). The
exported ensemble is three more members trained on all training engines (FULL=3), as one
ONNX graph with a sidecar JSON holding everything the Node-RED node needs to reproduce the
input: features, window, normalisation per condition, residual quantiles.

Debian packages only: apt-get install -y python3-torch python3-onnx python3-numpy
Run from the repository root (the exact commands per subset are in MODEL_CARD.md):
    ARCH=cnngru EPOCHS=20 /usr/bin/python3 models/rul/train_cmapss.py FD001
Environment (defaults = the recipe of the shipped FD002-FD004 models, FD001 adds ARCH=cnngru;
the other values are the variants of MODEL_CARD.md):
WINDOW (cycles, 70), STRIDE (of the first convolution, 2), EPOCHS (20), AGE (1: the age in
cycles is an input, 0: not), ARCH (deep, small, cnngru: the FD001 model, or gru), FILTERS (10),
HIDDEN (GRU units, 32), SMOOTH (0.2), LOSS (huber, or mse), CAP (125), NORM (zscore, or minmax),
EARLY (early stopping, 0), SEED (offset of the torch seeds, 0), FULL (3), THREADS (torch
threads, 1), OUT (output folder, models/rul), SAVE_OOF (file for the out-of-fold predictions),
EXTRA (more subsets' training engines to train on, e.g. FD003 for FD001; none).
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
if os.environ.get("AGE", "1") == "1":
    SENSORS = SENSORS + ["cycle"]
COLUMNS = ["unit", "cycle", "setting1", "setting2", "setting3"] + [f"s{i}" for i in range(1, 22)]
SETTINGS = ["setting1", "setting2", "setting3"]
# The operating conditions (data/cmapss/README.md) and the scale that makes the three
# settings comparable for nearest-centroid assignment.
SIX_CONDITIONS = [[0, 0.0, 100], [10, 0.25, 100], [20, 0.70, 100], [25, 0.62, 60], [35, 0.84, 100], [42, 0.84, 100]]
ONE_CONDITION = [[0, 0.0, 100]]
SETTING_SCALE = [1 / 42, 1 / 0.84, 1 / 100]
WINDOW = int(os.environ.get("WINDOW", "70"))
# Stride of the first convolution: 2 halves the work per window, so a longer window costs no more.
STRIDE = int(os.environ.get("STRIDE", "2"))
RUL_CAP = float(os.environ.get("CAP", "125"))
FOLDS = 5
EPOCHS = int(os.environ.get("EPOCHS", "20"))
# SMOOTH=alpha: exponential smoothing of the sensors (not the age) inside the ONNX graph,
# over the window, started at its first row. In the graph, so that the node, the evaluation
# and training cannot disagree on it; 0 = none.
SMOOTH = float(os.environ.get("SMOOTH", "0.2"))
# FILTERS: channels of every convolution.
FILTERS = int(os.environ.get("FILTERS", "10"))
# ARCH: small (two convolutions and pooling) or deep (three convolutions, kernel 9).
ARCH = os.environ.get("ARCH", "deep")
# LOSS: mse or huber (delta 10 cycles, on the capped target).
LOSS = os.environ.get("LOSS", "huber")
# FULL=n: the exported ensemble is n members trained on all training engines (seeds 200, ...);
# the fold members then only give the out-of-fold residuals. 0: the fold members are the ensemble.
FULL = int(os.environ.get("FULL", "3"))
# SEED=n: added to every torch seed (fold members 100+k, members on all engines 200+i), to
# measure how much the figures move with the seeds alone; the engine folds do not change.
SEED = int(os.environ.get("SEED", "0"))
# EARLY=f: early stopping; each member holds out a fraction f of its training engines (seeded),
# trains on the rest and keeps the epoch with the lowest RMSE on them (same cut points as the
# cross-validation figure). 0 = none: all its engines, all epochs.
EARLY = float(os.environ.get("EARLY", "0"))
# NORM: zscore (per condition, mean and standard deviation) or minmax (per condition, to 0-1;
# stored in the same sidecar fields: "mean" = minimum, "std" = maximum - minimum).
NORM = os.environ.get("NORM", "zscore")
# HIDDEN: units of the GRU of ARCH=gru (GRU over the smoothed window) and ARCH=cnngru
# (the first strided convolution, then a GRU over its output).
HIDDEN = int(os.environ.get("HIDDEN", "32"))
# EXTRA=FD003: also train on these subsets' training engines (same operating conditions as the
# subset trained for). They are in every member's training set and never in the cross-validation
# figure or the residuals, which stay on the subset's own engines and folds.
EXTRA = [e for e in os.environ.get("EXTRA", "").split(",") if e]
# Cross-validation figure: out-of-fold predictions at every cut point like the test files'
# (an engine seen for at least 31 cycles, true RUL at most 150), uncapped truth.
CV_MIN_CYCLES = 31
CV_MAX_RUL = 150
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
        if NORM == "minmax":
            mean[c] = x.min(axis=0)
            std[c] = np.maximum(x.max(axis=0) - x.min(axis=0), 1e-6)
        else:
            mean[c] = x.mean(axis=0)
            std[c] = np.maximum(x.std(axis=0), 1e-6)
    return mean, std


def normalise(rows, conditions, mean, std):
    idx = [COLUMNS.index(s) for s in SENSORS]
    return ((rows[:, idx] - mean[conditions]) / std[conditions]).astype(np.float32)


def windows(rows, x):
    """Every window of every engine, ending at each cycle, edge-padded at the start; with true RUL."""
    xs, ruls, units, cycles = [], [], [], []
    for unit in np.unique(rows[:, 0]):
        sel = rows[:, 0] == unit
        ux = x[sel]
        n = len(ux)
        padded = np.concatenate([np.repeat(ux[:1], WINDOW - 1, axis=0), ux])
        for end in range(n):
            xs.append(padded[end:end + WINDOW])
            ruls.append(n - 1 - end)
            units.append(unit)
            cycles.append(end + 1)
    return np.stack(xs), np.array(ruls, dtype=np.float32), np.array(units), np.array(cycles)


class Smoothing(nn.Module):
    """Exponential smoothing over the window as one matrix product: row t of `weights` is
    alpha (1 - alpha)^(t - j) for j >= 1 and (1 - alpha)^t for j = 0 (the smoother starts at
    the window's first row). Features not in `smoothed` (the age) pass through unchanged."""

    def __init__(self, alpha, smoothed):
        super().__init__()
        t = np.arange(WINDOW)
        weights = np.where(t[:, None] >= t[None, :], alpha * (1 - alpha) ** (t[:, None] - t[None, :]), 0.0)
        weights[:, 0] = (1 - alpha) ** t
        self.register_buffer("weights", torch.tensor(weights, dtype=torch.float32))
        self.register_buffer("mask", torch.tensor(smoothed, dtype=torch.float32))

    def forward(self, window):
        return window + self.mask * (torch.matmul(self.weights, window) - window)


class Cnn(nn.Module):
    """A small 1-D CNN over time; input [batch, window, features], output RUL in cycles.

    Small on purpose (deep, 10 filters, window 70: about 120 k multiply-adds per window):
    the ensemble must still make well over 10 000 predictions per second on one CPU.
    """

    def __init__(self, features):
        super().__init__()
        steps = (WINDOW - 1) // STRIDE + 1
        if ARCH == "deep":
            # Three convolutions with kernel 9 over the strided sequence, no pooling.
            self.conv = nn.Sequential(
                nn.Conv1d(features, FILTERS, 9, padding=4, stride=STRIDE), nn.ReLU(),
                nn.Conv1d(FILTERS, FILTERS, 9, padding=4), nn.ReLU(),
                nn.Conv1d(FILTERS, FILTERS, 9, padding=4), nn.ReLU(),
            )
            flat = FILTERS * steps
        else:
            self.conv = nn.Sequential(
                nn.Conv1d(features, FILTERS, 5, padding=2, stride=STRIDE), nn.ReLU(),
                nn.AvgPool1d(2),
                nn.Conv1d(FILTERS, FILTERS, 3, padding=1), nn.ReLU(),
            )
            flat = FILTERS * (steps // 2)
        self.head = nn.Sequential(nn.Flatten(), nn.Dropout(0.2), nn.Linear(flat, 32), nn.ReLU(), nn.Linear(32, 1))

    def forward(self, window):
        return self.head(self.conv(window.transpose(1, 2))).squeeze(1) * RUL_CAP


class Gru(nn.Module):
    """ARCH=gru: a GRU over the (smoothed) window; ARCH=cnngru: the first strided convolution of
    the deep CNN, then a GRU over its output. The last hidden state gives the RUL."""

    def __init__(self, features):
        super().__init__()
        if ARCH == "cnngru":
            self.front = nn.Sequential(nn.Conv1d(features, FILTERS, 9, padding=4, stride=STRIDE), nn.ReLU())
            inputs = FILTERS
        else:
            self.front = None
            inputs = features
        self.gru = nn.GRU(inputs, HIDDEN, batch_first=True)
        self.head = nn.Sequential(nn.Linear(HIDDEN, 32), nn.ReLU(), nn.Linear(32, 1))

    def forward(self, window):
        if self.front is not None:
            window = self.front(window.transpose(1, 2)).transpose(1, 2)
        out, _ = self.gru(window)
        return self.head(out[:, -1]).squeeze(1) * RUL_CAP


class Ensemble(nn.Module):
    """The exported graph: smoothing once, then the mean of the members, not below 0."""

    def __init__(self, smoothing, members):
        super().__init__()
        self.smoothing = smoothing
        self.members = nn.ModuleList(members)

    def forward(self, window):
        window = self.smoothing(window)
        return torch.clamp(torch.stack([m(window) for m in self.members]).mean(0), min=0.0)


def train_member(x, y, seed, units=None, cycles=None):
    torch.manual_seed(seed)
    model = Gru(x.shape[2]) if ARCH in ("gru", "cnngru") else Cnn(x.shape[2])
    best, best_rmse = None, float("inf")
    if EARLY > 0:
        ids = np.unique(units)
        held = set(np.random.default_rng(seed).permutation(ids)[:max(1, round(EARLY * len(ids)))])
        val = np.array([u in held for u in units])
        xv, yv, cv_cycles = x[val], y[val], cycles[val]
        x, y = x[~val], y[~val]
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    steps = EPOCHS * ((len(x) + BATCH - 1) // BATCH)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=2e-3, total_steps=steps)
    xt, yt = torch.from_numpy(x), torch.from_numpy(np.minimum(y, RUL_CAP))
    gen = torch.Generator().manual_seed(seed)
    model.train()
    for epoch in range(EPOCHS):
        order = torch.randperm(len(xt), generator=gen)
        for i in range(0, len(xt), BATCH):
            b = order[i:i + BATCH]
            opt.zero_grad()
            error = model(xt[b]) - yt[b]
            loss = nn.functional.huber_loss(error, torch.zeros_like(error), delta=10.0) if LOSS == "huber" else (error ** 2).mean()
            loss.backward()
            opt.step()
            sched.step()
        if EARLY > 0:
            model.eval()
            rmse = cv_rmse(predict(model, xv), yv, cv_cycles)
            model.train()
            if rmse < best_rmse:
                best_rmse, best = rmse, {k: v.clone() for k, v in model.state_dict().items()}
                best_epoch = epoch + 1
    if best is not None:
        model.load_state_dict(best)
        print(f"  early stopping: best epoch {best_epoch}, inner validation RMSE {best_rmse:.2f}", flush=True)
    model.eval()
    return model


def predict(model, x):
    with torch.no_grad():
        return torch.clamp(model(torch.from_numpy(x)), min=0.0).numpy()


def cv_rmse(pred, truth, cycle):
    """RMSE of out-of-fold predictions at test-like cut points (see CV_MIN_CYCLES)."""
    at = (cycle >= CV_MIN_CYCLES) & (truth <= CV_MAX_RUL)
    return float(np.sqrt(((pred[at] - truth[at]) ** 2).mean()))


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
        own_engines = np.unique(rows[:, 0])
        for i, extra in enumerate(EXTRA):
            # Unit numbers above the subset's own, so that its engines (and their folds) come first.
            extra_rows = read(f"train_{extra}.txt")
            extra_rows[:, 0] += 1000 * (i + 1)
            rows = np.concatenate([rows, extra_rows])
        centroids = SIX_CONDITIONS if subset in ("FD002", "FD004") else ONE_CONDITION
        conditions = assign_conditions(rows, centroids)
        mean, std = normalisation(rows, conditions, len(centroids))
        x, y, units, cycles = windows(rows, normalise(rows, conditions, mean, std))
        smoothing = (Smoothing(SMOOTH, [0.0 if s == "cycle" else 1.0 for s in SENSORS]) if SMOOTH > 0 else nn.Identity()).eval()
        with torch.no_grad():
            xs = smoothing(torch.from_numpy(x)).numpy()
        rng = np.random.default_rng(2024)
        fold_of = dict(zip(own_engines, rng.permutation(len(own_engines)) % FOLDS))
        # Fold -1: the EXTRA engines, in every member's training set.
        fold = np.array([fold_of.get(u, -1) for u in units])
        own = fold >= 0
        members, oof = [], np.zeros(len(x), dtype=np.float32)
        for k in range(FOLDS):
            member = train_member(xs[fold != k], y[fold != k], seed=100 + k + SEED, units=units[fold != k], cycles=cycles[fold != k])
            oof[fold == k] = predict(member, xs[fold == k])
            members.append(member)
            print(f"{subset} member {k}: cross-validation RMSE {cv_rmse(oof[fold == k], y[fold == k], cycles[fold == k]):.2f}", flush=True)
        oof, y_own, cycles_own = oof[own], y[own], cycles[own]
        cv = cv_rmse(oof, y_own, cycles_own)
        if os.environ.get("SAVE_OOF"):
            # The out-of-fold predictions, to compare ensembles of fold members across seed sets.
            np.savez(os.environ["SAVE_OOF"], oof=oof, truth=y_own, cycles=cycles_own, fold=fold[own])
        print(f"{subset}: cross-validation RMSE {cv:.2f} (out-of-fold, cut points with >= {CV_MIN_CYCLES} cycles seen and true RUL <= {CV_MAX_RUL})", flush=True)
        if FULL > 0:
            members = [train_member(xs, y, seed=200 + i + SEED, units=units, cycles=cycles) for i in range(FULL)]
        ensemble = Ensemble(smoothing, members).eval()
        rmse = last_cycle_rmse(ensemble, subset, centroids, mean, std)
        name = f"cmapss-{subset.lower()}"
        onnx_file = os.path.join(OUT, f"{name}.onnx")
        torch.onnx.export(ensemble, torch.zeros(1, WINDOW, len(SENSORS)), onnx_file, input_names=["window"],
                          output_names=["rul"], dynamic_axes={"window": {0: "batch"}, "rul": {0: "batch"}}, opset_version=17)
        sidecar = {
            "format": "pdm-rul-sequence/1",
            "name": name,
            "model": f"{name}.onnx",
            "description": f"{'GRU' if ARCH == 'gru' else 'CNN + GRU' if ARCH == 'cnngru' else '1-D CNN'} ensemble ({len(members)} members) trained on NASA C-MAPSS {' + '.join(f'train_{name}' for name in [subset] + EXTRA)}; see MODEL_CARD.md",
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
                "bins": residual_quantiles(oof, y_own),
            },
            "training": {"data": " + ".join(f"train_{name}.txt" for name in [subset] + EXTRA), "engines": int(len(np.unique(units))), "windows": int(len(x)), "epochs": EPOCHS, "stride": STRIDE,
                         "architecture": ARCH, "filters": FILTERS, **({"hidden": HIDDEN} if ARCH in ("gru", "cnngru") else {}),
                         **({"earlyStopping": EARLY} if EARLY > 0 else {}), **({"scaling": NORM} if NORM != "zscore" else {}), "smoothing": SMOOTH, "loss": LOSS, "folds": FOLDS, "members": len(members),
                         "membersOnAllEngines": FULL > 0, "seconds": round(time.time() - t_start),
                         "crossValidationRmse": round(cv, 2), "testLastCycleRmse": rmse},
        }
        with open(os.path.join(OUT, f"{name}.json"), "w") as f:
            json.dump(sidecar, f, indent=1)
            f.write("\n")
        print(f"{subset}: wrote {onnx_file} ({os.path.getsize(onnx_file)} bytes), test last-cycle RMSE {rmse}, {time.time() - t_start:.0f} s", flush=True)


if __name__ == "__main__":
    main(sys.argv[1:] or ["FD001", "FD002", "FD003", "FD004"])
