"""Train the anomaly autoencoder of pdm-anomaly and export it to ONNX.

Input: models/anomaly/training-windows.csv, robust z-scores (clipped to +-10) of the 18
default pdm-features features of healthy windows, written by
`node build/eval/anomaly/training-windows.js`. Output: models/anomaly/autoencoder.onnx
(input "z": float32 [batch, 18], output "reconstruction": float32 [batch, 18]) and
models/anomaly/autoencoder.json (feature order, clip, training summary).

Seeded and deterministic on CPU; about a minute on two cores:
    /usr/bin/python3 models/anomaly/train_autoencoder.py
Needs Debian's python3-torch, python3-onnx and python3-numpy.
"""
import csv
import json
import os

import numpy as np
import onnx
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
SEED = 42
CLIP = 10.0
EPOCHS = 600
HIDDEN = 8
BOTTLENECK = 3


def load():
    with open(os.path.join(HERE, "training-windows.csv"), newline="") as f:
        rows = list(csv.reader(f))
    names = rows[0][1:]
    sources = [r[0] for r in rows[1:]]
    z = np.array([[float(v) for v in r[1:]] for r in rows[1:]], dtype=np.float32)
    return names, sources, np.clip(z, -CLIP, CLIP)


class Autoencoder(torch.nn.Module):
    def __init__(self, d):
        super().__init__()
        self.encode = torch.nn.Sequential(torch.nn.Linear(d, HIDDEN), torch.nn.Tanh(), torch.nn.Linear(HIDDEN, BOTTLENECK), torch.nn.Tanh())
        self.decode = torch.nn.Sequential(torch.nn.Linear(BOTTLENECK, HIDDEN), torch.nn.Tanh(), torch.nn.Linear(HIDDEN, d))

    def forward(self, z):
        return self.decode(self.encode(z))


def main():
    torch.manual_seed(SEED)
    np.random.seed(SEED)
    torch.set_num_threads(1)
    names, sources, z = load()
    # Hold out every 5th window to report generalisation; train on the rest.
    held = np.arange(len(z)) % 5 == 0
    train, test = torch.from_numpy(z[~held]), torch.from_numpy(z[held])
    model = Autoencoder(z.shape[1])
    optimiser = torch.optim.Adam(model.parameters(), lr=3e-3, weight_decay=1e-4)
    for epoch in range(EPOCHS):
        permutation = torch.randperm(len(train))
        for start in range(0, len(train), 32):
            batch = train[permutation[start:start + 32]]
            optimiser.zero_grad()
            loss = torch.mean((model(batch) - batch) ** 2)
            loss.backward()
            optimiser.step()
    model.eval()
    with torch.no_grad():
        train_mse = float(torch.mean((model(train) - train) ** 2))
        test_mse = float(torch.mean((model(test) - test) ** 2))
        baseline_mse = float(torch.mean(test ** 2))
    onnx_file = os.path.join(HERE, "autoencoder.onnx")
    torch.onnx.export(model, torch.zeros(1, z.shape[1]), onnx_file, input_names=["z"], output_names=["reconstruction"],
                      dynamic_axes={"z": {0: "batch"}, "reconstruction": {0: "batch"}}, opset_version=13)
    onnx.checker.check_model(onnx.load(onnx_file))
    summary = {
        "features": names,
        "clip": CLIP,
        "input": "z",
        "output": "reconstruction",
        "architecture": f"{len(names)}-{HIDDEN}-{BOTTLENECK}-{HIDDEN}-{len(names)}, tanh",
        "seed": SEED,
        "epochs": EPOCHS,
        "trainingWindows": int((~held).sum()),
        "heldOutWindows": int(held.sum()),
        "sources": sorted(set(sources)),
        "trainMse": round(train_mse, 4),
        "heldOutMse": round(test_mse, 4),
        "heldOutMseOfZeroModel": round(baseline_mse, 4),
        "torch": torch.__version__,
        "onnx": onnx.__version__,
    }
    with open(os.path.join(HERE, "autoencoder.json"), "w") as f:
        json.dump(summary, f, indent=2)
        f.write("\n")
    print(json.dumps(summary))


main()
