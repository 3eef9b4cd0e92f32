"""Forward hooks on named modules of a PyTorch model, an evaluation pass per epoch, shards on disk."""

from __future__ import annotations

import re
from typing import Iterable, List, Optional, Sequence, Union

import numpy as np

from .writer import EpochWriter


def reduce_features(output, flatten: bool = False):
    """A module output (n, C, *spatial) as (n, features): the per-channel global average over the
    spatial positions (the papers' measurement of convolutional features), or every entry when
    ``flatten``. (n, d) outputs are kept as they are."""
    import torch

    if isinstance(output, (tuple, list)):
        output = output[0]
    if not isinstance(output, torch.Tensor):
        raise TypeError(f"the module returned {type(output).__name__}, not a tensor")
    if output.ndim == 1:
        return output.reshape(-1, 1)
    if output.ndim == 2:
        return output
    if flatten:
        return output.reshape(output.shape[0], -1)
    return output.mean(dim=tuple(range(2, output.ndim)))


def select_modules(model, layers: Optional[Sequence[str]] = None, pattern: Optional[str] = None) -> List[str]:
    """The names (``model.named_modules()`` paths) to record: ``layers`` exactly, or every module whose
    name matches the regular expression ``pattern`` in full, in the model's module order."""
    names = [n for n, _ in model.named_modules() if n]
    if (layers is None) == (pattern is None):
        raise ValueError("give exactly one of layers=[names] or pattern='regex'")
    if layers is not None:
        unknown = [n for n in layers if n not in names]
        if unknown:
            raise ValueError(f"no module named {unknown}; the model has: {names}")
        return list(layers)
    chosen = [n for n in names if re.fullmatch(pattern, n)]
    if not chosen:
        raise ValueError(f"pattern {pattern!r} matches no module; the model has: {names}")
    return chosen


class FeatureRecorder:
    """Records the features of chosen layers, the labels and the classifier, once per epoch.

    >>> with FeatureRecorder(model, "runs/rec", layers=["layer1", "layer2", "fc"], classifier="fc") as rec:
    ...     for epoch in range(epochs):
    ...         train_one_epoch(model)
    ...         rec.record(eval_loader, epoch)

    A layer's recorded features are its module's OUTPUT, reduced by ``reduce_features``; to record the
    input of the classifier (the penultimate features), name the module that produces it (e.g. a
    ``Flatten`` or the pooling) or set ``classifier_input=True`` to hook the classifier's input under the
    name ``<classifier>.input``. Only the requested tensors are kept (detached, on the CPU); hooks are
    removed by ``close()`` or by leaving the ``with`` block.
    """

    def __init__(self, model, out_dir: str, layers: Optional[Sequence[str]] = None, pattern: Optional[str] = None,
                 classifier: Optional[str] = None, classifier_input: bool = False, flatten: bool = False,
                 shard_rows: int = 8192, dtype=np.float32):
        import torch

        self.model = model
        self.out_dir = out_dir
        self.flatten = flatten
        self.shard_rows = shard_rows
        self.dtype = dtype
        modules = dict(model.named_modules())
        self.layers = select_modules(model, layers, pattern)
        self.classifier = classifier
        if classifier is not None:
            if classifier not in modules:
                raise ValueError(f"no classifier module named {classifier!r}")
            head = modules[classifier]
            if not isinstance(getattr(head, "weight", None), torch.Tensor) or head.weight.ndim != 2:
                raise ValueError(f"classifier {classifier!r} has no 2-D weight (expected a Linear layer)")
        if classifier_input and classifier is None:
            raise ValueError("classifier_input=True needs classifier=<module name>")
        self._captured = {}
        self._handles = []
        for name in self.layers:
            self._handles.append(modules[name].register_forward_hook(self._output_hook(name)))
        self.classifier_layer = None
        if classifier_input:
            self.classifier_layer = f"{classifier}.input"
            self.layers.append(self.classifier_layer)
            self._handles.append(modules[classifier].register_forward_hook(self._input_hook(self.classifier_layer)))
        elif classifier is not None and self.layers:
            # Without a hooked input, the classifier's features are the last recorded layer's.
            self.classifier_layer = self.layers[-1]
        self.recording = False

    def _output_hook(self, name):
        def hook(module, inputs, output):
            if self.recording:
                self._captured[name] = reduce_features(output, self.flatten).detach().to("cpu")
        return hook

    def _input_hook(self, name):
        def hook(module, inputs, output):
            if self.recording:
                self._captured[name] = reduce_features(inputs[0], self.flatten).detach().to("cpu")
        return hook

    def record(self, loader: Iterable, epoch: int, device=None) -> int:
        """One evaluation pass (``model.eval()``, no gradients) over ``loader``, whose items are
        ``(inputs, labels, ...)``; writes the epoch's shards and classifier. The model's train/eval mode
        is restored afterwards. Returns the number of samples recorded."""
        import torch

        if not self._handles:
            raise ValueError("the recorder is closed")
        was_training = self.model.training
        self.model.eval()
        writer = EpochWriter(self.out_dir, epoch, self.layers, shard_rows=self.shard_rows, dtype=self.dtype,
                             classifier_layer=self.classifier_layer)
        try:
            self.recording = True
            with torch.no_grad():
                for batch in loader:
                    x, y = batch[0], batch[1]
                    if device is not None:
                        x = x.to(device)
                    self._captured.clear()
                    self.model(x)
                    missing = [n for n in self.layers if n not in self._captured]
                    if missing:
                        raise RuntimeError(f"layers {missing} did not run in the forward pass")
                    writer.add({n: self._captured[n].float().numpy() if self._captured[n].dtype == torch.bfloat16
                                else self._captured[n].numpy() for n in self.layers},
                               np.asarray(y.cpu().numpy() if hasattr(y, "cpu") else y))
            weight = bias = None
            if self.classifier is not None:
                head = dict(self.model.named_modules())[self.classifier]
                weight = head.weight.detach().to("cpu", torch.float64).numpy()
                if getattr(head, "bias", None) is not None:
                    bias = head.bias.detach().to("cpu", torch.float64).numpy()
            writer.close(weight=weight, bias=bias)
        finally:
            self.recording = False
            self._captured.clear()
            self.model.train(was_training)
        return writer.rows

    def close(self) -> None:
        """Removes every hook (idempotent)."""
        for h in self._handles:
            h.remove()
        self._handles = []

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False
