#!/usr/bin/env python3
"""Writes the NumPy-made fixtures the Formats tests read. Run from this directory: python3 make_fixtures.py

Values are deterministic formulas (no RNG), so the Swift tests recompute the expected contents:
  f32_matrix.npy      float32 (3, 4), C order,       a[i, j] = i * 4 + j + 0.5
  f64_fortran.npy     float64 (3, 4), Fortran order, a[i, j] = i * 10 + j  (np.asfortranarray)
  f64_v2.npy          float64 (2, 3), header version 2.0 (np.lib.format.write_array(version=(2, 0))), a = i - j / 4
  i64_labels.npy      int64 (7,), labels [0, 1, 2, 0, 1, 2, 9]
  i32_3d.npy          int32 (2, 3, 4), arange(24) - 5
  u8_image.npy        uint8 (2, 2, 3), arange(12) * 20
  f64_scalar.npy      float64 scalar () = 3.25
  f32_fortran_3d.npy  float32 (2, 3, 4), Fortran order, arange(24) / 8
  stored.npz          np.savez:            features float32 (6, 5) = arange(30) / 3, labels int64 (6,) = [0,0,1,1,2,2]
  compressed.npz      np.savez_compressed: the same two arrays, plus w float64 (2, 2) = [[1, 2], [3, 4]]
  tensors.safetensors pure Python (struct + json): a F32 (2, 3) = arange(6) * 1.5, b I64 (4,) = [7, -1, 0, 3],
                      c F64 (2,) = [0.25, -8.0], d U8 (3,) = [1, 2, 255], e I32 (2, 2) = [[1, -2], [3, -4]];
                      written in data order b, a, e, c, d (header order in JSON differs: alphabetical),
                      with a "__metadata__" entry.
"""
import json
import struct

import numpy as np

np.save("f32_matrix.npy", (np.arange(12, dtype=np.float32).reshape(3, 4) + 0.5))
i, j = np.meshgrid(np.arange(3), np.arange(4), indexing="ij")
np.save("f64_fortran.npy", np.asfortranarray((i * 10 + j).astype(np.float64)))
i2, j2 = np.meshgrid(np.arange(2), np.arange(3), indexing="ij")
with open("f64_v2.npy", "wb") as f:
    np.lib.format.write_array(f, (i2 - j2 / 4).astype(np.float64), version=(2, 0))
np.save("i64_labels.npy", np.array([0, 1, 2, 0, 1, 2, 9], dtype=np.int64))
np.save("i32_3d.npy", (np.arange(24, dtype=np.int32) - 5).reshape(2, 3, 4))
np.save("u8_image.npy", (np.arange(12) * 20).astype(np.uint8).reshape(2, 2, 3))
np.save("f64_scalar.npy", np.float64(3.25))
np.save("f32_fortran_3d.npy", np.asfortranarray((np.arange(24, dtype=np.float32) / 8).reshape(2, 3, 4)))

features = (np.arange(30, dtype=np.float32) / 3).reshape(6, 5)
labels = np.array([0, 0, 1, 1, 2, 2], dtype=np.int64)
np.savez("stored.npz", features=features, labels=labels)
np.savez_compressed("compressed.npz", features=features, labels=labels, w=np.array([[1.0, 2.0], [3.0, 4.0]]))

tensors = {
    "b": ("I64", [4], np.array([7, -1, 0, 3], dtype="<i8")),
    "a": ("F32", [2, 3], (np.arange(6, dtype="<f4") * 1.5).reshape(2, 3)),
    "e": ("I32", [2, 2], np.array([[1, -2], [3, -4]], dtype="<i4")),
    "c": ("F64", [2], np.array([0.25, -8.0], dtype="<f8")),
    "d": ("U8", [3], np.array([1, 2, 255], dtype="u1")),
}
header, buffer = {"__metadata__": {"format": "pt"}}, b""
for name, (dtype, shape, arr) in tensors.items():
    raw = arr.tobytes()
    header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [len(buffer), len(buffer) + len(raw)]}
    buffer += raw
text = json.dumps(dict(sorted(header.items()))).encode()
text += b" " * (-len(text) % 8)
with open("tensors.safetensors", "wb") as f:
    f.write(struct.pack("<Q", len(text)) + text + buffer)

# Archives a reader must refuse (NumPy would read them differently, or a layer would be lost).
import io
import stat
import warnings
import zipfile


def npy_bytes(a):
    buf = io.BytesIO()
    np.save(buf, a)
    return buf.getvalue()


with zipfile.ZipFile("bad_directory_member.npz", "w") as z:
    z.writestr("W1.npy", npy_bytes(np.ones((2, 2))))
    z.writestr(zipfile.ZipInfo("W2.npy/"), b"")
with zipfile.ZipFile("bad_symlink_member.npz", "w") as z:
    z.writestr("W1.npy", npy_bytes(np.ones((2, 2))))
    link = zipfile.ZipInfo("W2.npy")
    link.create_system = 3
    link.external_attr = (stat.S_IFLNK | 0o777) << 16
    z.writestr(link, b"W1.npy")
with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    with zipfile.ZipFile("bad_duplicate_member.npz", "w") as z:
        z.writestr("W.npy", npy_bytes(np.zeros((2, 2))))
        z.writestr("W.npy", npy_bytes(np.ones((2, 2))))
with zipfile.ZipFile("bad_name_clash.npz", "w") as z:
    z.writestr("W.npy", npy_bytes(np.zeros((2, 2))))
    z.writestr("W", b"raw bytes")

# Fortran-order members (streamed by random access when stored):
#   fortran_stored.npz      np.savez:            f64 float64 (7, 3) = arange(21).reshape(7, 3) / 7,
#                           f32 float32 (5, 4) = arange(20).reshape(5, 4) * 0.5 - 3, both np.asfortranarray;
#                           labels int64 (7,) = [0, 1, 2, 0, 1, 2, 0]
#   fortran_compressed.npz  np.savez_compressed: the same three arrays
fortran = {
    "f64": np.asfortranarray(np.arange(21, dtype=np.float64).reshape(7, 3) / 7),
    "f32": np.asfortranarray(np.arange(20, dtype=np.float32).reshape(5, 4) * 0.5 - 3),
    "labels": np.array([0, 1, 2, 0, 1, 2, 0], dtype=np.int64),
}
np.savez("fortran_stored.npz", **fortran)
np.savez_compressed("fortran_compressed.npz", **fortran)
