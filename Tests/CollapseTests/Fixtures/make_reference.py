#!/usr/bin/env python3
"""Independent NumPy/SciPy reference values for the Collapse metrics (docs/metrics.md).

Writes, next to this script:
  reference_inputs.npz  features (samples as ROWS, N×d, float64), labels, weight (K×d), bias (K),
                        layer_weight (m×d), for each case, prefixed "<case>/"
  reference.json        the same inputs (so the tests do not need an .npz reader) and the expected metrics

The formulas are written the textbook way (d×d matrices, np.linalg.pinv of Σ_B, direct distances,
scipy.linalg.subspace_angles), not the way the Swift code computes them, so the two are independent.
Run: python3 make_reference.py   (NumPy ≥ 2, SciPy)
"""
import json
import os

import numpy as np
import scipy.linalg

EPS = np.finfo(np.float64).eps


def metrics(Z, y, K, W, b, Wl):
    N, d = Z.shape
    tau = max(d, K) * EPS
    mu = np.stack([Z[y == k].mean(axis=0) for k in range(K)])          # K×d, row k = μ_k
    muG = mu.mean(axis=0)                                              # mean of the class means
    Mbar = mu.T                                                        # d×K
    Mc = Mbar - muG[:, None]                                           # d×K
    Zc = Z - mu[y]
    SigW = Zc.T @ Zc / N
    SigB = Mc @ Mc.T / K
    pinvB = np.linalg.pinv(SigB, rtol=tau, hermitian=True)
    out = {}
    out["nc1"] = float(np.trace(SigW @ pinvB) / K)
    out["nc1_trace"] = float(np.trace(SigW) / np.trace(SigB))
    lam, U = np.linalg.eigh(SigB)
    order = np.argsort(lam)[::-1]
    lam, U = lam[order], U[:, order]
    keep = [j for j in range(min(K - 1, d)) if lam[j] > tau * lam[0]]
    out["nc1_topk"] = float(sum(U[:, j] @ SigW @ U[:, j] / lam[j] for j in keep))

    def gram_dist(G, target):
        Kk = G.shape[0]
        T = np.eye(Kk) / np.sqrt(Kk) if target == "of" else (np.eye(Kk) - np.ones((Kk, Kk)) / Kk) / np.sqrt(Kk - 1)
        return float(np.linalg.norm(G / np.linalg.norm(G) - T))

    out["nc2_of"] = gram_dist(Mbar.T @ Mbar, "of")
    out["nc2_etf"] = gram_dist(Mc.T @ Mc, "etf")

    var = np.array([np.mean(np.sum((Z[y == k] - mu[k]) ** 2, axis=1)) for k in range(K)])
    pairs = [(k, l) for k in range(K) for l in range(k + 1, K)]
    out["cdnv"] = float(np.mean([(var[k] + var[l]) / (2 * np.sum((mu[k] - mu[l]) ** 2)) for k, l in pairs]))
    norms = np.linalg.norm(Mc, axis=0)
    out["equinorm"] = float(np.std(norms) / np.mean(norms))
    cos = np.array([Mc[:, k] @ Mc[:, l] / (norms[k] * norms[l]) for k, l in pairs])
    out["equiangularity"] = float(np.std(cos))
    out["maxangle"] = float(np.mean(np.abs(cos + 1 / (K - 1))))
    sM = np.linalg.svd(Mc, compute_uv=False)
    out["means_rank"] = int(np.sum(sM > tau * sM[0]))
    out["means_stable_rank"] = float(np.sum(sM ** 2) / sM[0] ** 2)

    out["nc2w_of"] = gram_dist(W @ W.T, "of")
    out["nc2w_etf"] = gram_dist(W @ W.T, "etf")
    out["nc3"] = float(np.linalg.norm(W / np.linalg.norm(W) - Mbar.T / np.linalg.norm(Mbar)))
    out["nc3_centered"] = float(np.linalg.norm(W / np.linalg.norm(W) - Mc.T / np.linalg.norm(Mc)))
    dist = ((Z[:, None, :] - mu[None, :, :]) ** 2).sum(axis=2)        # N×K squared distances
    ncc = np.argmin(dist, axis=1)
    cls = np.argmax(Z @ W.T + b, axis=1)
    out["nc4"] = float(np.mean(ncc != cls))

    # The layer weight W_l (m×d): spectrum and principal angles with span(M̄).
    sW = np.linalg.svd(Wl, compute_uv=False)
    tw = max(Wl.shape) * EPS
    out["weight_rank"] = int(np.sum(sW > tw * sW[0]))
    out["weight_stable_rank"] = float(np.sum(sW ** 2) / sW[0] ** 2)
    _, _, Vt = np.linalg.svd(Wl)
    p = min(K, out["weight_rank"])
    theta = scipy.linalg.subspace_angles(Mbar, Vt[:p].T)
    cosines = np.sort(np.cos(theta))[::-1]
    out["alignment_sin2"] = float(np.mean(1 - cosines ** 2))
    vectors = {
        "between_eigenvalues": [float(v) for v in lam[: min(K, d)]],
        "means_singular_values": [float(v) for v in sM],
        "weight_singular_values": [float(v) for v in sW],
        "alignment_cosines": [float(v) for v in cosines],
    }
    return out, vectors


def case(rng, K, d, counts, m, spread):
    y = np.concatenate([np.full(c, k) for k, c in enumerate(counts)])
    rng.shuffle(y)
    centers = rng.normal(size=(K, d)) * spread
    Z = centers[y] + rng.normal(size=(len(y), d))
    W = rng.normal(size=(K, d))
    b = rng.normal(size=K) * 0.1
    Wl = rng.normal(size=(m, d))
    return Z, y, W, b, Wl


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    rng = np.random.default_rng(20240607)
    cases = {
        # Unbalanced classes, K < d, a layer weight with more rows than K.
        "wide": case(rng, K=4, d=9, counts=[7, 9, 5, 11], m=8, spread=2.0),
        # d < K − 1: Σ_B has rank d, the means span all of R^d.
        "narrow": case(rng, K=6, d=3, counts=[5, 6, 4, 5, 7, 5], m=2, spread=1.5),
    }
    arrays, doc = {}, {"generator": "make_reference.py (NumPy %s, SciPy)" % np.__version__, "cases": {}}
    for name, (Z, y, W, b, Wl) in cases.items():
        K = int(y.max()) + 1
        scalars, vectors = metrics(Z, y, K, W, b, Wl)
        arrays.update({f"{name}/features": Z, f"{name}/labels": y.astype(np.int64), f"{name}/weight": W,
                       f"{name}/bias": b, f"{name}/layer_weight": Wl})
        doc["cases"][name] = {
            "classes": K,
            "features": Z.tolist(), "labels": y.tolist(), "weight": W.tolist(), "bias": b.tolist(),
            "layer_weight": Wl.tolist(),
            "scalars": scalars, "vectors": vectors,
        }
    np.savez(os.path.join(here, "reference_inputs.npz"), **arrays)
    with open(os.path.join(here, "reference.json"), "w") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
