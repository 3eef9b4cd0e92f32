#!/usr/bin/env python3
"""NumPy reference for `collapse bench measure`: neural-collapse metrics of float32 features on disk.

Two modes (the Swift side calls both, each in a fresh process so that peak RSS is per measurement):
  --generate DIR --n N --d D --k K [--seed S]
      writes DIR/features.npy (N×D float32, samples as ROWS), DIR/labels.npy (N int64, balanced, shuffled),
      DIR/weight.npy (K×D float64) and DIR/bias.npy (K float64); features are class centers plus unit noise.
  --measure DIR
      the in-memory NumPy computation a user would write: np.load the whole file, convert to float64 (the
      toolkit's precision), class means, Σ_W = Zcᵀ Zc / N, Σ_B, nc1 = Tr(Σ_W pinv(Σ_B))/K, nc1_trace, nc2 (OF and
      ETF), nc3 and nc4 (nearest class center vs argmax(Wz + b)). Prints one JSON object: wall seconds
      (load + compute), peak RSS (ru_maxrss, the whole Python process including NumPy itself) and the metrics.
Threads: NumPy's OpenBLAS reads OPENBLAS_NUM_THREADS at import; the Swift side sets it to its own count.
"""
import argparse
import json
import os
import resource
import time

import numpy as np
from blas_info import blas_info


def generate(path, n, d, k, seed):
    rng = np.random.default_rng(seed)
    os.makedirs(path, exist_ok=True)
    y = np.arange(n) % k
    rng.shuffle(y)
    centers = rng.standard_normal((k, d)) * 2.0
    feats = np.lib.format.open_memmap(os.path.join(path, "features.npy"), mode="w+", dtype=np.float32, shape=(n, d))
    step = 8192
    for s in range(0, n, step):
        e = min(n, s + step)
        feats[s:e] = (centers[y[s:e]] + rng.standard_normal((e - s, d))).astype(np.float32)
    feats.flush()
    del feats
    np.save(os.path.join(path, "labels.npy"), y.astype(np.int64))
    np.save(os.path.join(path, "weight.npy"), centers + 0.1 * rng.standard_normal((k, d)))
    np.save(os.path.join(path, "bias.npy"), 0.01 * rng.standard_normal(k))


def measure(path):
    t0 = time.perf_counter()
    Z = np.load(os.path.join(path, "features.npy")).astype(np.float64)
    y = np.load(os.path.join(path, "labels.npy"))
    W = np.load(os.path.join(path, "weight.npy"))
    b = np.load(os.path.join(path, "bias.npy"))
    N, d = Z.shape
    K = int(y.max()) + 1
    onehot = np.zeros((N, K))
    onehot[np.arange(N), y] = 1.0
    counts = onehot.sum(axis=0)
    mu = (onehot.T @ Z) / counts[:, None]                       # K×d
    Zc = Z - mu[y]
    SW = (Zc.T @ Zc) / N                                       # NumPy dispatches AᵀA to syrk
    del Zc
    Mc = (mu - mu.mean(axis=0)).T                              # d×K
    SB = Mc @ Mc.T / K
    tau = max(d, K) * np.finfo(np.float64).eps
    nc1 = float(np.trace(SW @ np.linalg.pinv(SB, rtol=tau, hermitian=True)) / K)
    nc1_trace = float(np.trace(SW) / np.trace(SB))

    def gram_dist(G, etf):
        T = (np.eye(K) - 1.0 / K) / np.sqrt(K - 1) if etf else np.eye(K) / np.sqrt(K)
        return float(np.linalg.norm(G / np.linalg.norm(G) - T))

    nc2_of = gram_dist(mu @ mu.T, False)
    nc2_etf = gram_dist(Mc.T @ Mc, True)
    nc3 = float(np.linalg.norm(W / np.linalg.norm(W) - mu / np.linalg.norm(mu)))
    ncc = np.argmax(Z @ mu.T - 0.5 * np.sum(mu * mu, axis=1), axis=1)
    cls = np.argmax(Z @ W.T + b, axis=1)
    nc4 = float(np.mean(ncc != cls))
    seconds = time.perf_counter() - t0
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    return {"numpy": np.__version__, "n": N, "d": d, "k": K, "seconds": seconds, "peak_rss_mib": peak_kib / 1024.0,
            "nc1": nc1, "nc1_trace": nc1_trace, "nc2_of": nc2_of, "nc2_etf": nc2_etf, "nc3": nc3, "nc4": nc4}


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--generate")
    p.add_argument("--measure")
    p.add_argument("--n", type=int, default=60000)
    p.add_argument("--d", type=int, default=512)
    p.add_argument("--k", type=int, default=10)
    p.add_argument("--seed", type=int, default=0)
    a = p.parse_args()
    if a.generate:
        generate(a.generate, a.n, a.d, a.k, a.seed)
        print(json.dumps({"generated": a.generate, "n": a.n, "d": a.d, "k": a.k}))
    elif a.measure:
        print(json.dumps({**measure(a.measure), "blas": blas_info()}))
    else:
        p.error("pass --generate DIR or --measure DIR")


if __name__ == "__main__":
    main()
