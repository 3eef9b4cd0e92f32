"""Record per-layer features of a PyTorch (or JAX) model for NeuralCollapse's `collapse measure DIR`.

- `FeatureRecorder`: forward hooks on named modules, one evaluation pass per epoch, shards on disk.
- `EpochWriter` / `write_epoch`: the same files from plain arrays (for JAX or anything NumPy can read).

The layout is described in `nc_recorder.writer` and in docs/pytorch.md.
"""

from .writer import EpochWriter, write_epoch, write_manifest, epoch_dirname, shard_filename, FORMAT

__all__ = ["EpochWriter", "write_epoch", "write_manifest", "epoch_dirname", "shard_filename", "FORMAT",
           "FeatureRecorder", "reduce_features", "select_modules"]


def __getattr__(name):  # PyTorch is imported only when the recorder is used
    if name in ("FeatureRecorder", "reduce_features", "select_modules"):
        from . import torch_recorder
        return getattr(torch_recorder, name)
    raise AttributeError(name)
