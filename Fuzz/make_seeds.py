#!/usr/bin/env python3
"""Writes the fuzz targets' seed corpora (Fuzz/corpus/<Target>/): small valid files of each format, as
NumPy, Python's gzip and the toolkit itself write them, plus a few near-misses. The Checkpoint,
MetricsCSV and SummaryJSON seeds come from real runs of `collapse run` (pass the binary's path)."""
import gzip
import io
import json
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import zipfile

import numpy as np

here = os.path.dirname(os.path.abspath(__file__))
root = os.path.dirname(here)
fixtures = os.path.join(root, "Tests", "FormatsTests", "Fixtures")


def corpus(target):
    d = os.path.join(here, "corpus", target)
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)
    return d


def write(d, name, data):
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def npy(a):
    b = io.BytesIO()
    np.save(b, a)
    return b.getvalue()


# .npy: NumPy's own files, every dtype, C and Fortran order, version 2.0, a 0-d and an empty array.
d = corpus("NPYHeader")
for f in sorted(os.listdir(fixtures)):
    if f.endswith(".npy"):
        shutil.copy(os.path.join(fixtures, f), d)
write(d, "empty_2d.npy", npy(np.zeros((0, 3), dtype=np.float32)))
write(d, "rows_f64.npy", npy(np.arange(12, dtype=np.float64).reshape(4, 3) / 7))

# .npz: stored and deflated archives, and the refused kinds (directory, symlink, duplicate members).
d = corpus("NPZ")
for f in sorted(os.listdir(fixtures)):
    if f.endswith(".npz"):
        shutil.copy(os.path.join(fixtures, f), d)

# .safetensors
d = corpus("Safetensors")
shutil.copy(os.path.join(fixtures, "tensors.safetensors"), d)
header = json.dumps({"x": {"dtype": "F64", "shape": [2], "data_offsets": [0, 16]}}).encode()
header += b" " * (-len(header) % 8)
write(d, "one.safetensors", struct.pack("<Q", len(header)) + header + np.array([1.5, -2.0]).tobytes())

# TOML: the shipped experiment configs, then configs with an override after a NUL byte.
d = corpus("TOML")
for f in sorted(os.listdir(os.path.join(root, "experiments")))[:6]:
    shutil.copy(os.path.join(root, "experiments", f), d)
ufm = open(os.path.join(root, "experiments", "example-deep-ce-momentum.toml"), "rb").read()
write(d, "override_widths", ufm + b"\x00model.widths=[20, 3]")
write(d, "override_bare", ufm + b"\x00model.activation=linear")
write(d, "inline_and_dotted.toml", b"[model]\nsub = { a = 1, b.c = 'x' }\nd.e = 0x1F\nw = [\n 1, # c\n 2,\n]\n")

# IDX: labels and images, raw and gzip.
d = corpus("IDX")
labels = bytes([0, 0, 8, 1]) + struct.pack(">I", 5) + bytes([3, 1, 4, 1, 5])
images = bytes([0, 0, 8, 3]) + struct.pack(">III", 2, 3, 2) + bytes(range(12))
write(d, "labels.idx1", labels)
write(d, "images.idx3", images)
write(d, "labels.idx1.gz", gzip.compress(labels, mtime=0))
write(d, "images.idx3.gz", gzip.compress(images, mtime=0))

# MNIST 5k CSV: two digits, gzip and plain.
d = corpus("CSVGz")
rows = "".join(",".join([str((7 * i + 3 * r) % 256) for i in range(784)] + [str(r)]) + "\n" for r in range(2))
write(d, "two.csv.gz", gzip.compress(rows.encode(), mtime=0))
write(d, "two.csv", rows.encode())

# CIFAR-10 batch: two records, raw and gzip.
d = corpus("CIFAR")
records = b"".join(bytes([r]) + bytes((r * 31 + p) % 256 for p in range(3072)) for r in (3, 9))
write(d, "batch.bin", records)
write(d, "batch.bin.gz", gzip.compress(records, mtime=0))

# Runs: checkpoints (the first byte picks the optimizer), metrics.csv and summary.json.
collapse = sys.argv[1] if len(sys.argv) > 1 else os.path.join(root, ".build", "debug", "collapse")
ck, mc, sj = corpus("Checkpoint"), corpus("MetricsCSV"), corpus("SummaryJSON")
for index, method in enumerate(["gd", "momentum", "lbfgs"]):
    with tempfile.TemporaryDirectory() as tmp:
        cfg = os.path.join(tmp, "c.toml")
        with open(cfg, "w") as f:
            f.write(f"""[model]
classes = 3
per_class = 2
widths = [4, 3]
bias = true
[regularization]
lambda_h = 1e-3
lambda_w = 1e-3
[optimizer]
method = "{method}"
steps = 6
[log]
every = 2
checkpoint_every = 3
""")
        out = os.path.join(tmp, "run")
        subprocess.run([collapse, "run", cfg, "--out", out], check=True, stdout=subprocess.DEVNULL,
                       env={**os.environ, "CI": "true"})
        files = os.listdir(out)
        name = next(f for f in files if f.startswith("checkpoint") and f.endswith(".npz"))
        write(ck, f"{method}.npz", bytes([index]) + open(os.path.join(out, name), "rb").read())
        shutil.copy(os.path.join(out, "metrics.csv"), os.path.join(mc, f"{method}.csv"))
        shutil.copy(os.path.join(out, "summary.json"), os.path.join(sj, f"{method}.json"))
write(mc, "gaps.csv", b"step, nc1 ,loss\r\n0,1.5,\n\n2,nan,inf\n")
write(sj, "python_floats.json", b'{"a": NaN, "b": [Infinity, -Infinity, 1e-300], "c": {"d": "\\u00e9\\n"}, "e": null}')
print("seeds written to", os.path.join(here, "corpus"))
