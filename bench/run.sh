#!/usr/bin/env bash
# Every benchmark suite, each side by side with its NumPy or PyTorch reference (BENCHMARKS.md records them).
# `make bench` runs this after a release build. The nets suite needs PyTorch's CPU build; it is installed
# here when missing (pip install torch==2.13.0+cpu), or skipped with a message if that fails.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=.build/release/collapse
"$bin" bench linalg
"$bin" bench ufm
"$bin" bench measure
if ! python3 -c "import torch" 2>/dev/null; then
    echo "bench: installing PyTorch's CPU build for the nets suite (pip install torch==2.13.0+cpu)"
    python3 -m pip install -q --disable-pip-version-check torch==2.13.0+cpu || true
fi
if python3 -c "import torch" 2>/dev/null; then
    "$bin" bench nets
else
    echo "bench: skipping nets (PyTorch is not installed); run '$bin bench nets --no-reference' for the toolkit's side"
fi
