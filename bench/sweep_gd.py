#!/usr/bin/env python3
"""NumPy reference for `collapse bench sweep`: a grid of plain-GD runs under multiprocessing.

The grid of the Swift side (Sources/Sweep/SweepBench.swift): Tirer & Bruna's Fig. 4 setting, K = 4, n = 50,
widths [20, 20], ReLU, MSE, no bias, eta = 0.1, init N(0, 0.3^2) (NumPy's own generator, seeded per point),
lambda_H x lambda_W log-spaced in [1e-3, 1e-2] (SIDE values each) x SEEDS seeds, STEPS steps per point.
Each point is the loop of bench/ufm_gd.py (the gradient step only, the objective once at the end); the
points run in a multiprocessing.Pool of PROCESSES workers, started before the clock starts.
Threads: OPENBLAS_NUM_THREADS=1 (set by the Swift side) for every worker.
Prints one JSON object: points, seconds, points_per_second, mean final objective.
Usage: OPENBLAS_NUM_THREADS=1 python3 bench/sweep_gd.py --side 10 --seeds 2 --steps 10000 --processes 2
"""
import argparse, json, multiprocessing, time
import numpy as np
from blas_info import blas_info
from ufm_gd import gd, objective

K, n, WIDTHS = 4, 50, [20, 20]


def gd_point(args):
    """One grid point: the Fig. 4 model from its seed's init, `steps` GD steps (the loop of ufm_gd.py)."""
    lam_h, lam_w, seed, steps = args
    N = K * n
    Y = np.kron(np.eye(K), np.ones((1, n)))
    rng = np.random.default_rng(seed)
    H = rng.normal(0, 0.3, (WIDTHS[0], N))
    dims = WIDTHS + [K]
    Ws = [rng.normal(0, 0.3, (dims[l + 1], dims[l])) for l in range(len(WIDTHS))]
    H, Ws = gd(H, Ws, Y, lam_h, lam_w, 0.1, steps, relu=True)
    return objective(H, Ws, Y, lam_h, lam_w, relu=True)


if __name__ == "__main__":
    p = argparse.ArgumentParser()
    p.add_argument("--side", type=int, default=10)
    p.add_argument("--seeds", type=int, default=2)
    p.add_argument("--steps", type=int, default=10000)
    p.add_argument("--processes", type=int, default=2)
    a = p.parse_args()
    lams = np.logspace(-3, -2, a.side)
    tasks = [(lh, lw, s, a.steps) for lh in lams for lw in lams for s in range(a.seeds)]
    with multiprocessing.Pool(a.processes) as pool:
        pool.map(gd_point, [(1e-3, 1e-3, 0, 3)] * a.processes)  # start the workers and import NumPy in each
        t0 = time.perf_counter()
        objectives = pool.map(gd_point, tasks, chunksize=1)
        seconds = time.perf_counter() - t0
    print(json.dumps({"numpy": np.__version__, "blas": blas_info(), "points": len(tasks), "processes": a.processes, "steps": a.steps,
                      "seconds": seconds, "points_per_second": len(tasks) / seconds,
                      "mean_objective": float(np.mean(objectives))}))
