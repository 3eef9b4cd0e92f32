"""The recorder against a direct computation on the same model and data."""

import glob
import json
import os

import numpy as np
import pytest
import torch
from safetensors.numpy import load_file

from nc_recorder import EpochWriter, FeatureRecorder, write_epoch


class SmallCNN(torch.nn.Module):
    def __init__(self, classes=3):
        super().__init__()
        self.conv1 = torch.nn.Conv2d(1, 4, 3, padding=1)
        self.relu1 = torch.nn.ReLU()
        self.conv2 = torch.nn.Conv2d(4, 6, 3, padding=1)
        self.relu2 = torch.nn.ReLU()
        self.pool = torch.nn.AdaptiveAvgPool2d(1)
        self.flat = torch.nn.Flatten()
        self.fc = torch.nn.Linear(6, classes)
        self.drop = torch.nn.Dropout(0.5)

    def forward(self, x):
        h = self.relu2(self.conv2(self.relu1(self.conv1(x))))
        return self.fc(self.drop(self.flat(self.pool(h))))


def data(n=23, seed=0):
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(n, 1, 5, 5, generator=g)
    y = torch.arange(n) % 3
    return torch.utils.data.DataLoader(torch.utils.data.TensorDataset(x, y), batch_size=4), x, y


def read_epoch(directory):
    shards = sorted(glob.glob(os.path.join(directory, "shard_*.safetensors")))
    parts = [load_file(s) for s in shards]
    return shards, {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}


def test_features_labels_and_classifier_match_a_direct_pass(tmp_path):
    torch.manual_seed(1)
    model = SmallCNN()
    model.train()
    loader, x, y = data()
    with FeatureRecorder(model, str(tmp_path), layers=["relu1", "relu2", "flat"], classifier="fc", shard_rows=7) as rec:
        assert rec.record(loader, epoch=0) == 23
        assert model.training  # mode restored
    shards, got = read_epoch(tmp_path / "epoch_0000")
    assert [load_file(s)["labels"].shape[0] for s in shards] == [7, 7, 7, 2]
    model.eval()
    with torch.no_grad():
        a1 = model.relu1(model.conv1(x))
        a2 = model.relu2(model.conv2(a1))
    np.testing.assert_array_equal(got["labels"], y.numpy())
    np.testing.assert_allclose(got["relu1"], a1.mean(dim=(2, 3)).numpy(), rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(got["relu2"], a2.mean(dim=(2, 3)).numpy(), rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(got["flat"], a2.mean(dim=(2, 3)).numpy(), rtol=1e-6, atol=1e-7)
    cls = load_file(str(tmp_path / "epoch_0000" / "classifier.safetensors"))
    np.testing.assert_array_equal(cls["weight"], model.fc.weight.detach().double().numpy())
    np.testing.assert_array_equal(cls["bias"], model.fc.bias.detach().double().numpy())
    manifest = json.load(open(tmp_path / "recording.json"))
    assert manifest["layers"] == ["relu1", "relu2", "flat"]
    assert manifest["classifier_layer"] == "flat"


def test_hooks_removed_on_close_and_after_an_error(tmp_path):
    model = SmallCNN()
    loader, _, _ = data()
    rec = FeatureRecorder(model, str(tmp_path), pattern=r"relu\d")
    assert rec.layers == ["relu1", "relu2"]
    assert len(model.relu1._forward_hooks) == 1
    rec.close()
    assert len(model.relu1._forward_hooks) == 0 and len(model.relu2._forward_hooks) == 0
    with pytest.raises(ValueError, match="closed"):
        rec.record(loader, 0)
    with pytest.raises(RuntimeError):
        with FeatureRecorder(model, str(tmp_path), layers=["relu1"]):
            raise RuntimeError("boom")
    assert len(model.relu1._forward_hooks) == 0


def test_flatten_and_classifier_input(tmp_path):
    model = SmallCNN()
    loader, x, _ = data(n=5)
    with FeatureRecorder(model, str(tmp_path), layers=["relu1"], classifier="fc", classifier_input=True,
                         flatten=True) as rec:
        rec.record(loader, epoch=3)
    _, got = read_epoch(tmp_path / "epoch_0003")
    model.eval()
    with torch.no_grad():
        a1 = model.relu1(model.conv1(x))
        pen = model.flat(model.pool(model.relu2(model.conv2(a1))))
    assert got["relu1"].shape == (5, 4 * 25)
    np.testing.assert_allclose(got["relu1"], a1.reshape(5, -1).numpy(), rtol=1e-6)
    np.testing.assert_allclose(got["fc.input"], pen.numpy(), rtol=1e-6)


def test_bad_names_are_refused(tmp_path):
    model = SmallCNN()
    with pytest.raises(ValueError, match="no module named"):
        FeatureRecorder(model, str(tmp_path), layers=["conv9"])
    with pytest.raises(ValueError, match="matches no module"):
        FeatureRecorder(model, str(tmp_path), pattern="layer.*")
    with pytest.raises(ValueError, match="exactly one"):
        FeatureRecorder(model, str(tmp_path))


def test_write_epoch_from_plain_arrays_and_batches(tmp_path):
    rng = np.random.default_rng(0)
    z = rng.standard_normal((10, 3)).astype(np.float32)
    y = np.arange(10) % 2
    assert write_epoch(str(tmp_path), 0, {"h": z}, y, weight=np.ones((2, 3)), shard_rows=4) == 3
    _, got = read_epoch(tmp_path / "epoch_0000")
    np.testing.assert_array_equal(got["h"], z)
    np.testing.assert_array_equal(got["labels"], y)
    write_epoch(str(tmp_path), 1, {"h": [z[:6], z[6:]]}, [y[:6], y[6:]], shard_rows=100)
    _, got = read_epoch(tmp_path / "epoch_0001")
    np.testing.assert_array_equal(got["h"], z)


def test_writer_refuses_inconsistent_batches(tmp_path):
    w = EpochWriter(str(tmp_path), 0, ["a"])
    w.add({"a": np.zeros((2, 3))}, np.array([0, 1]))
    with pytest.raises(ValueError, match="d = 4"):
        w.add({"a": np.zeros((2, 4))}, np.array([0, 1]))
    with pytest.raises(ValueError, match="missing"):
        w.add({"b": np.zeros((2, 3))}, np.array([0, 1]))
    with pytest.raises(ValueError, match="non-negative"):
        w.add({"a": np.zeros((1, 3))}, np.array([-1]))
    with pytest.raises(ValueError, match="reserved"):
        EpochWriter(str(tmp_path), 0, ["labels"])
