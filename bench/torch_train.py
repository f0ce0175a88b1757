#!/usr/bin/env python3
"""PyTorch baseline for scripts/bench.js: the same data and models as
bench/train-job.js and the month2/mnist reference solution. Prints one JSON
line. Needs torch and numpy (Debian: python3-torch); the bench skips it
otherwise.

  python3 bench/torch_train.py '{"mode":"throughput","model":"mlp","data":"/tmp/x","n":8000,"epochs":3,"repeats":3}'
  python3 bench/torch_train.py '{"mode":"reference","data":"/tmp/x","epochs":10}'

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


def reference():
    """The month2/mnist reference: 784-128-10, Adam, 10 epochs of batch 64, shuffled, validated each epoch."""
    x, y = load("train")
    xv, yv = load("val")
    xt, yt = load("test")
    torch.manual_seed(int(OPTS.get("seed", 1)))
    gen = torch.Generator().manual_seed(int(OPTS.get("seed", 1)))
    model = build("mlp")
    t = time.perf_counter()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = nn.CrossEntropyLoss()
    batch = int(OPTS["batch"])
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
    train_seconds = time.perf_counter() - t
    with torch.no_grad():
        accuracy = (model(xt).argmax(1) == yt).float().mean().item()
    return {"trainSeconds": train_seconds, "accuracy": accuracy}


def main():
    result = throughput() if OPTS.get("mode", "throughput") == "throughput" else reference()
    result.update({"torch": torch.__version__, "threads": torch.get_num_threads(), "processSeconds": time.perf_counter() - T0})
    print(json.dumps(result))


if __name__ == "__main__":
    main()
