"""The recording layout and its writer: plain arrays in, shard files out (no PyTorch needed).

Layout (samples as ROWS, the NumPy/PyTorch convention), read by ``collapse measure DIR``::

    DIR/recording.json                    {"format": "nc-recorder/1", "layers": [...], "classifier_layer": ...}
    DIR/epoch_0000/shard_00000.safetensors   "labels" (int64, n) and one float array per layer (n x d_l)
    DIR/epoch_0000/shard_00001.safetensors   ...
    DIR/epoch_0000/classifier.safetensors    "weight" (K x d) and "bias" (K), when a classifier is given

Every shard holds the same layers, in the order of ``recording.json``; each has ``shard_rows`` rows
except the last of an epoch. Files are written to a temporary name and renamed, so a shard either
exists whole or not at all.
"""

from __future__ import annotations

import json
import os
import re
from typing import Dict, Iterable, List, Mapping, Optional, Sequence

import numpy as np
from safetensors.numpy import save_file

FORMAT = "nc-recorder/1"
MANIFEST = "recording.json"
CLASSIFIER_FILE = "classifier.safetensors"
_NAME = re.compile(r"^[A-Za-z0-9_.\-]+$")


def epoch_dirname(epoch: int) -> str:
    """The directory of one epoch: ``epoch_0007``."""
    return f"epoch_{epoch:04d}"


def shard_filename(index: int) -> str:
    """The file of one shard: ``shard_00003.safetensors``."""
    return f"shard_{index:05d}.safetensors"


def _atomic_save(tensors: Mapping[str, np.ndarray], path: str) -> None:
    tmp = path + ".tmp"
    save_file({k: np.ascontiguousarray(v) for k, v in tensors.items()}, tmp)
    os.replace(tmp, path)


def write_manifest(out_dir: str, layers: Sequence[str], classifier_layer: Optional[str] = None) -> None:
    """Writes ``recording.json`` (layer order and which layer feeds the classifier)."""
    os.makedirs(out_dir, exist_ok=True)
    manifest = {"format": FORMAT, "layers": list(layers), "classifier_layer": classifier_layer}
    tmp = os.path.join(out_dir, MANIFEST + ".tmp")
    with open(tmp, "w") as f:
        json.dump(manifest, f, indent=2)
        f.write("\n")
    os.replace(tmp, os.path.join(out_dir, MANIFEST))


class EpochWriter:
    """Writes one epoch's features in shards of ``shard_rows`` rows as batches arrive (bounded memory:
    at most one shard per layer is held).

    >>> w = EpochWriter("rec", epoch=0, layers=["penultimate"])
    >>> w.add({"penultimate": feats}, labels)    # any number of times, any batch size
    >>> w.close(weight=W, bias=b)                # flushes the last shard, writes the classifier
    """

    def __init__(self, out_dir: str, epoch: int, layers: Sequence[str], shard_rows: int = 8192,
                 dtype=np.float32, classifier_layer: Optional[str] = None):
        if shard_rows < 1:
            raise ValueError(f"shard_rows must be positive, got {shard_rows}")
        if not layers:
            raise ValueError("no layers to record")
        for name in layers:
            if name == "labels" or name.startswith("weight") or name.startswith("bias") or not _NAME.match(name):
                raise ValueError(f"layer name {name!r} cannot be stored (reserved, or characters outside "
                                 "letters, digits, '_', '.', '-')")
        if len(set(layers)) != len(layers):
            raise ValueError(f"layer names repeat: {list(layers)}")
        if classifier_layer is not None and classifier_layer not in layers:
            raise ValueError(f"classifier_layer {classifier_layer!r} is not among the layers {list(layers)}")
        self.out_dir = out_dir
        self.epoch = epoch
        self.layers = list(layers)
        self.shard_rows = shard_rows
        self.dtype = np.dtype(dtype)
        if self.dtype.kind != "f":
            raise ValueError(f"dtype must be a float type, got {self.dtype}")
        self.dir = os.path.join(out_dir, epoch_dirname(epoch))
        os.makedirs(self.dir, exist_ok=True)
        write_manifest(out_dir, self.layers, classifier_layer)
        self._pending: Dict[str, List[np.ndarray]] = {name: [] for name in self.layers}
        self._pending_labels: List[np.ndarray] = []
        self._pending_rows = 0
        self._dims: Dict[str, int] = {}
        self.shards = 0
        self.rows = 0
        self.closed = False

    def add(self, features: Mapping[str, np.ndarray], labels) -> None:
        """Adds one batch: ``features[layer]`` is (n, d_l) (or (n,) for d = 1) for every layer, and
        ``labels`` the n integer classes."""
        if self.closed:
            raise ValueError("EpochWriter is closed")
        y = np.asarray(labels)
        if y.ndim != 1 or (y.size and y.dtype.kind not in "iu"):
            raise ValueError(f"labels must be a 1-D integer array, got shape {y.shape} dtype {y.dtype}")
        if y.size and y.min() < 0:
            raise ValueError(f"labels must be non-negative class indices, found {int(y.min())}")
        missing = [k for k in self.layers if k not in features]
        extra = [k for k in features if k not in self.layers]
        if missing or extra:
            raise ValueError(f"batch layers differ from the recording's: missing {missing}, unexpected {extra}")
        n = y.shape[0]
        for name in self.layers:
            z = np.asarray(features[name])
            if z.ndim == 1:
                z = z.reshape(-1, 1)
            if z.ndim != 2 or z.shape[0] != n:
                raise ValueError(f"layer {name!r}: features of shape {z.shape} for {n} labels (expected (n, d))")
            d = self._dims.setdefault(name, z.shape[1])
            if z.shape[1] != d:
                raise ValueError(f"layer {name!r}: d = {z.shape[1]} in this batch, {d} before")
            self._pending[name].append(z.astype(self.dtype, copy=False))
        self._pending_labels.append(y.astype(np.int64, copy=False))
        self._pending_rows += n
        while self._pending_rows >= self.shard_rows:
            self._flush(self.shard_rows)

    def _flush(self, rows: int) -> None:
        tensors = {}
        labels = np.concatenate(self._pending_labels)
        tensors["labels"] = labels[:rows]
        self._pending_labels = [labels[rows:]] if rows < labels.shape[0] else []
        for name in self.layers:
            z = np.concatenate(self._pending[name])
            tensors[name] = z[:rows]
            self._pending[name] = [z[rows:]] if rows < z.shape[0] else []
        _atomic_save(tensors, os.path.join(self.dir, shard_filename(self.shards)))
        self.shards += 1
        self.rows += rows
        self._pending_rows -= rows

    def close(self, weight=None, bias=None) -> None:
        """Writes the last partial shard and, if given, the classifier (weight K x d, bias K)."""
        if self.closed:
            return
        if self._pending_rows > 0:
            self._flush(self._pending_rows)
        if weight is not None:
            w = np.asarray(weight, dtype=np.float64)
            if w.ndim != 2:
                raise ValueError(f"classifier weight must be K x d, got shape {w.shape}")
            tensors = {"weight": w}
            if bias is not None:
                b = np.asarray(bias, dtype=np.float64).reshape(-1)
                if b.shape[0] != w.shape[0]:
                    raise ValueError(f"classifier bias has {b.shape[0]} entries for a {w.shape[0]} x {w.shape[1]} weight")
                tensors["bias"] = b
            _atomic_save(tensors, os.path.join(self.dir, CLASSIFIER_FILE))
        self.closed = True

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        if exc[0] is None:
            self.close()
        return False


def write_epoch(out_dir: str, epoch: int, features: Mapping[str, object], labels, weight=None, bias=None,
                shard_rows: int = 8192, dtype=np.float32, classifier_layer: Optional[str] = None) -> int:
    """Writes one epoch from plain arrays (the JAX entry point; any array with ``__array__`` works).

    ``features[layer]`` is either an (N, d) array or an iterable of (n_b, d) batches; ``labels`` is then
    the (N,) array or the matching iterable of batches. Returns the number of shards written.
    """
    layers = list(features.keys())
    with EpochWriter(out_dir, epoch, layers, shard_rows=shard_rows, dtype=dtype,
                     classifier_layer=classifier_layer) as w:
        first = features[layers[0]]
        if hasattr(first, "__array__") or isinstance(first, np.ndarray):
            w.add({k: np.asarray(v) for k, v in features.items()}, np.asarray(labels))
        else:
            iters = {k: iter(v) for k, v in features.items()}
            for y in labels:
                w.add({k: np.asarray(next(it)) for k, it in iters.items()}, np.asarray(y))
        w.close(weight=weight, bias=bias)
        return w.shards
