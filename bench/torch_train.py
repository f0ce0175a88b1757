#!/usr/bin/env python3
"""PyTorch baseline for scripts/bench.js: the same data and models as
bench/train-job.js and the month2/mnist reference solution. Prints one JSON
line. Needs torch and numpy (Debian: python3-torch); the bench skips it
otherwise.

  python3 bench/torch_train.py '{"mode":"throughput","model":"mlp","data":"/tmp/x","n":8000,"epochs":3,"repeats":3}'
  python3 bench/torch_train.py '{"mode":"reference","data":"/tmp/x","epochs":10,"seeds":[1,2,3]}'

Data files (written by scripts/bench.js): <data>.<split>.x.f32 (n*784
float32) and <data>.<split>.y.f32 (n float32 labels), split in train, val,
test; throughput mode uses train only.
"""
import json
import os
import sys
import time

T0 = time.perf_counter()

import numpy as np  # noqa: E402
import torch  # noqa: E402
from torch import nn  # noqa: E402

OPTS = {"batch": 64, "repeats": 1, "epochs": 3, "n": 8000, "threads": os.cpu_count() or 1}
OPTS.update(json.loads(sys.argv[1] if len(sys.argv) > 1 else "{}"))
torch.set_num_threads(int(OPTS["threads"]))


def load(split, limit=None):
    x = np.fromfile(f"{OPTS['data']}.{split}.x.f32", dtype=np.float32).reshape(-1, 784)
    y = np.fromfile(f"{OPTS['data']}.{split}.y.f32", dtype=np.float32).astype(np.int64)
    if limit is not None:
        x, y = x[:limit], y[:limit]
    return torch.from_numpy(x.copy()), torch.from_numpy(y.copy())


def build(kind):
    if kind == "mlp":
        return nn.Sequential(nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 10))
    # Same shapes as bench/train-job.js: 28x28x1 -> conv 8 -> pool -> conv 16 -> pool -> dense 10.
    return nn.Sequential(
        nn.Unflatten(1, (1, 28, 28)),
        nn.Conv2d(1, 8, 3), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(8, 16, 3), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(16 * 5 * 5, 10),
    )


def fit(model, x, y, epochs, shuffle, gen):
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = nn.CrossEntropyLoss()
    batch = int(OPTS["batch"])
    losses = []
    for _ in range(epochs):
        order = torch.randperm(len(x), generator=gen) if shuffle else torch.arange(len(x))
        total = 0.0
        for start in range(0, len(x), batch):
            idx = order[start:start + batch]
            opt.zero_grad()
            loss = loss_fn(model(x[idx]), y[idx])
            loss.backward()
            opt.step()
            total += loss.item() * len(idx)
        losses.append(total / len(x))
    return losses


def throughput():
    x, y = load("train", int(OPTS["n"]))
    seconds = []
    losses = None
    for r in range(int(OPTS["repeats"])):
        torch.manual_seed(1)
        model = build(OPTS["model"])
        t = time.perf_counter()
        run_losses = fit(model, x, y, int(OPTS["epochs"]), False, None)
        seconds.append(time.perf_counter() - t)
        if r == 0:
            losses = run_losses
    return {"model": OPTS["model"], "n": len(x), "epochs": int(OPTS["epochs"]), "seconds": seconds, "losses": losses}


def blas_library():
    """The BLAS shared library this process mapped (Debian's torch calls libblas.so.3, an alternative)."""
    try:
        with open("/proc/self/maps") as f:
            libs = {line.split()[-1] for line in f if "blas" in line.lower() and "/" in line}
    except OSError:
        return "unknown"
    return " ".join(sorted(os.path.realpath(lib) for lib in libs)) or "none mapped"


def reference():
    """The month2/mnist check, every seed, one after another in this process: for each seed a
    784-128-10 MLP, Adam, the reference's epochs of shuffled batches, validation accuracy after
    each epoch, then the held-out digits predicted and scored."""
    x, y = load("train")
    xv, yv = load("val")
    xt, yt = load("test")
    seeds = [int(s) for s in OPTS.get("seeds", [OPTS.get("seed", 1)])]
    batch = int(OPTS["batch"])
    loss_fn = nn.CrossEntropyLoss()
    accuracies = []
    seconds = []
    for seed in seeds:
        torch.manual_seed(seed)
        gen = torch.Generator().manual_seed(seed)
        model = build("mlp")
        t = time.perf_counter()
        opt = torch.optim.Adam(model.parameters(), lr=float(OPTS.get("lr", 1e-3)))
        for _ in range(int(OPTS["epochs"])):
            model.train()
            order = torch.randperm(len(x), generator=gen)
            for start in range(0, len(x), batch):
                idx = order[start:start + batch]
                opt.zero_grad()
                loss_fn(model(x[idx]), y[idx]).backward()
                opt.step()
            with torch.no_grad():
                (model(xv).argmax(1) == yv).float().mean().item()
        seconds.append(time.perf_counter() - t)
        with torch.no_grad():
            accuracies.append((model(xt).argmax(1) == yt).float().mean().item())
    return {
        "seeds": seeds,
        "trainSeconds": sum(seconds),
        "seedSeconds": seconds,
        "accuracies": accuracies,
        "accuracy": min(accuracies),
        "nTrain": len(x),
        "nVal": len(xv),
        "nTest": len(xt),
        "epochs": int(OPTS["epochs"]),
        "batch": batch,
    }


def main():
    result = throughput() if OPTS.get("mode", "throughput") == "throughput" else reference()
    result.update({
        "torch": torch.__version__,
        "threads": torch.get_num_threads(),
        "blas": blas_library(),
        "openblasEnv": {k: v for k, v in os.environ.items() if k.startswith("OPENBLAS_")},
        "processSeconds": time.perf_counter() - T0,
    })
    print(json.dumps(result))


if __name__ == "__main__":
    main()
