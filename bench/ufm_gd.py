#!/usr/bin/env python3
"""NumPy reference for `collapse bench ufm`: plain full-batch gradient descent on the deep UFM.

A straightforward NumPy implementation of the model in docs/models.md (MSE, no bias, identity or ReLU),
started from the init file the Swift side wrote (arrays H1 (d_1 x N, samples as COLUMNS, class-major),
W1 ... WL), run for the same number of steps with the same step size. For fairness to NumPy the loop
computes only the gradient step; the objective is evaluated once, at the end.
Threads: NumPy's bundled OpenBLAS reads OPENBLAS_NUM_THREADS at import (the Swift side sets it).
Runs --repeats times from the same init; the best time counts (the machine may be shared).
Then times the step's matrix products alone (the BLAS floor of a step, no elementwise work).
Prints one JSON object on stdout: final objective, iterations/s, products-only iterations/s.
Usage: OPENBLAS_NUM_THREADS=1 python3 bench/ufm_gd.py --init init.npz --classes 4 --per-class 50 \
       --lambda-h 0.005 --lambda-w 0.005 --lr 0.1 --steps 1000 --activation relu
"""
import argparse, json, time
import numpy as np
from blas_info import blas_info


def objective(H, Ws, Y, lam_h, lam_w, relu):
    N = Y.shape[1]
    Z = H
    for W in Ws[:-1]:
        Z = W @ Z
        if relu:
            Z = np.maximum(Z, 0)
    O = Ws[-1] @ Z
    fit = 0.5 / N * np.sum((O - Y) ** 2)
    reg = 0.5 * lam_h * np.sum(H ** 2) + sum(0.5 * lam_w * np.sum(W ** 2) for W in Ws)
    return fit + reg


def products(H, Ws, N, steps):
    """The step's matrix products alone (W_l Z_l; G Z_l^T; W_l^T G), for the BLAS floor."""
    Zs = [H] + [np.ones((W.shape[0], N)) for W in Ws]
    Gs = [np.ones_like(Z) for Z in Zs]
    for _ in range(steps):
        for l, W in enumerate(Ws):
            Zs[l + 1] = W @ Zs[l]
        for l in range(len(Ws) - 1, -1, -1):
            _ = Gs[l + 1] @ Zs[l].T
            Gs[l] = Ws[l].T @ Gs[l + 1]


def gd(H, Ws, Y, lam_h, lam_w, lr, steps, relu):
    N = Y.shape[1]
    L = len(Ws)
    for _ in range(steps):
        # forward: Z_1 = H, A_{l+1} = W_l Z_l, Z_{l+1} = sigma(A_{l+1}), O = W_L Z_L
        Zs = [H]
        As = [None]
        for W in Ws[:-1]:
            A = W @ Zs[-1]
            As.append(A)
            Zs.append(np.maximum(A, 0) if relu else A)
        O = Ws[-1] @ Zs[-1]
        G = (O - Y) / N
        grads = [None] * L
        for l in range(L - 1, -1, -1):
            grads[l] = G @ Zs[l].T + lam_w * Ws[l]
            dZ = Ws[l].T @ G
            if l == 0:
                dH = dZ + lam_h * H
            else:
                G = dZ * (As[l] > 0) if relu else dZ
        H -= lr * dH
        for W, g in zip(Ws, grads):
            W -= lr * g
    return H, Ws


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--init", required=True)
    p.add_argument("--classes", type=int, required=True)
    p.add_argument("--per-class", type=int, required=True)
    p.add_argument("--lambda-h", type=float, required=True)
    p.add_argument("--lambda-w", type=float, required=True)
    p.add_argument("--lr", type=float, required=True)
    p.add_argument("--steps", type=int, required=True)
    p.add_argument("--activation", choices=["relu", "none"], default="relu")
    p.add_argument("--repeats", type=int, default=3, help="runs from the same init; the best time counts")
    args = p.parse_args()

    f = np.load(args.init)
    K, n = args.classes, args.per_class
    Y = np.kron(np.eye(K), np.ones((1, n)))  # I_K (x) 1_n^T, class-major
    relu = args.activation == "relu"


    def load():
        H = f["H1"].astype(np.float64).copy()
        Ws = []
        while f"W{len(Ws) + 1}" in f.files:
            Ws.append(f[f"W{len(Ws) + 1}"].astype(np.float64).copy())
        return H, Ws


    # Warm-up, untimed: the first steps of a fresh process pay for OpenBLAS's thread start and for malloc
    # growing the heap to this loop's temporaries (glibc then reuses that memory instead of new mmaps).
    H, Ws = load()
    gd(H, Ws, Y, args.lambda_h, args.lambda_w, args.lr, min(args.steps, 3), relu)
    products(H, Ws, Y.shape[1], min(args.steps, 3))

    best = float("inf")
    for _ in range(args.repeats):
        H, Ws = load()
        t0 = time.perf_counter()
        H, Ws = gd(H, Ws, Y, args.lambda_h, args.lambda_w, args.lr, args.steps, relu)
        best = min(best, time.perf_counter() - t0)
    best_products = float("inf")
    for _ in range(args.repeats):
        t0 = time.perf_counter()
        products(f["H1"].astype(np.float64), Ws, Y.shape[1], args.steps)
        best_products = min(best_products, time.perf_counter() - t0)
    print(json.dumps({"numpy": np.__version__, "blas": blas_info(), "steps": args.steps, "seconds": best, "repeats": args.repeats,
                      "iterations_per_second": args.steps / best,
                      "products_iterations_per_second": args.steps / best_products,
                      "objective": float(objective(H, Ws, Y, args.lambda_h, args.lambda_w, relu))}))


if __name__ == "__main__":
    main()
