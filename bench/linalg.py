#!/usr/bin/env python3
"""NumPy reference for `collapse bench linalg`: GFLOP/s of C = A @ B for square n x n matrices.

Threads: NumPy's bundled OpenBLAS reads OPENBLAS_NUM_THREADS at import, so the Swift side runs this
script once per thread count with that variable set. Prints one JSON object on stdout.
Usage: OPENBLAS_NUM_THREADS=1 python3 bench/linalg.py --sizes 256 1024 --seconds 1.0
"""
import argparse, json, time
import numpy as np
from blas_info import blas_info

def gflops(n, dtype, seconds):
    rng = np.random.default_rng(0)
    a = rng.standard_normal((n, n)).astype(dtype)
    b = rng.standard_normal((n, n)).astype(dtype)
    c = np.empty((n, n), dtype=dtype)
    np.matmul(a, b, out=c)  # warm-up
    reps, t0 = 0, time.perf_counter()
    while True:
        np.matmul(a, b, out=c)
        reps += 1
        dt = time.perf_counter() - t0
        if dt >= seconds and reps >= 3:
            return 2.0 * n**3 * reps / dt / 1e9

p = argparse.ArgumentParser()
p.add_argument("--sizes", type=int, nargs="+", default=[256, 1024])
p.add_argument("--seconds", type=float, default=1.0)
args = p.parse_args()
out = {"numpy": np.__version__, "blas": blas_info(), "results": []}
for n in args.sizes:
    for name, dt in (("dgemm", np.float64), ("sgemm", np.float32)):
        out["results"].append({"routine": name, "n": n, "gflops": gflops(n, dt, args.seconds)})
print(json.dumps(out))
