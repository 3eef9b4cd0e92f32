#!/usr/bin/env bash
# `collapse measure DIR` at large K (d = 512) against bench/measure.py's NumPy computation on the same features.
# Usage: bash bench/large_k.sh [K N ...]   (default: 1000 10000 and 10000 50000). Needs a release build.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${COLLAPSE:-.build/release/collapse}
OUT=${OUT:-bench/out/large_k}
args=("$@")
[ ${#args[@]} -gt 0 ] || args=(1000 10000 10000 50000)
for ((i = 0; i < ${#args[@]}; i += 2)); do
    K=${args[i]} N=${args[i+1]} D=512
    dir="$OUT/k$K"
    rm -rf "$dir"
    python3 bench/measure.py --generate "$dir/npy" --n "$N" --d "$D" --k "$K" --seed 1
    # The same arrays as a one-epoch recording (shards of 8192 rows), written by the recorder's writer.
    python3 - "$dir" <<'PY'
import sys, numpy as np
from nc_recorder import EpochWriter
d = sys.argv[1]
z = np.load(f"{d}/npy/features.npy", mmap_mode="r"); y = np.load(f"{d}/npy/labels.npy")
with EpochWriter(f"{d}/rec", 0, ["features"], shard_rows=8192) as w:
    for s in range(0, len(y), 8192):
        w.add({"features": np.asarray(z[s:s + 8192])}, y[s:s + 8192])
    w.close(weight=np.load(f"{d}/npy/weight.npy"), bias=np.load(f"{d}/npy/bias.npy"))
PY
    echo "== K=$K N=$N d=$D"
    /usr/bin/time -f "collapse measure: %e s wall, %M KB max RSS" "$BIN" measure "$dir/rec" > "$dir/collapse.txt"
    python3 -c 'import csv,sys; r=next(csv.DictReader(open(sys.argv[1]))); print("collapse nc1", r["nc1_features"], "nc2_etf", r["nc2_etf_features"])' "$dir/rec/metrics.csv"
    python3 bench/measure.py --measure "$dir/npy" | python3 -c 'import json,sys; r=json.load(sys.stdin); print("numpy: %.2f s, %.0f MiB peak RSS; nc1 %r nc2_etf %r" % (r["seconds"], r["peak_rss_mib"], r["nc1"], r["nc2_etf"]))'
done
