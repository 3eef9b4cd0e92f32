#!/usr/bin/env python3
"""PyTorch reference for `collapse bench nets`: training throughput (images/s) of the CIFAR-style ResNet18
(kuangliu/pytorch-cifar, the network of Tirer & Bruna 2022 Sec. 6) at stem width w, on CPU.

One training step = forward + MSE loss (mean over B*K entries, bias-free classifier) + backward +
SGD(lr 0.05, momentum 0.9, weight decay 5e-4) step, on a random batch of B images 1x28x28 (MNIST shape),
NCHW float32, K = 10 classes. The same network, loss and optimizer as the Swift side of the benchmark.
Threads: torch.set_num_threads(T). Reports wall-clock images/s and images per CPU-second of the process
(time.process_time). Prints one JSON object on its last stdout line.
Usage: python3 bench/resnet_torch.py --widths 16 64 --batch 128 --threads 2 --seconds 20
"""
import argparse, json, time

import torch
import torch.nn as nn
import torch.nn.functional as F
from blas_info import blas_info
from nc_resnet_torch import BasicBlock  # the same residual block as the equivalence test's network


class ResNet18(nn.Module):
    def __init__(self, width=64, in_channels=1, classes=10, bias=False):
        super().__init__()
        self.conv1 = nn.Conv2d(in_channels, width, 3, 1, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(width)
        layers, cin = [], width
        for s in range(4):
            cout = width << s
            for j in range(2):
                layers.append(BasicBlock(cin, cout, 2 if (j == 0 and s > 0) else 1))
                cin = cout
        self.layers = nn.Sequential(*layers)
        self.fc = nn.Linear(cin, classes, bias=bias)

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        out = self.layers(out)
        out = F.adaptive_avg_pool2d(out, 1).flatten(1)
        return self.fc(out)


def throughput(width, batch, seconds, warmup):
    torch.manual_seed(0)
    net = ResNet18(width)
    net.train()
    opt = torch.optim.SGD(net.parameters(), lr=0.05, momentum=0.9, weight_decay=5e-4)
    x = torch.randn(batch, 1, 28, 28)
    y = F.one_hot(torch.randint(0, 10, (batch,)), 10).float()
    loss_fn = nn.MSELoss()

    def step():
        opt.zero_grad(set_to_none=True)
        loss = loss_fn(net(x), y)
        loss.backward()
        opt.step()

    for _ in range(warmup):
        step()
    steps, t0, c0 = 0, time.perf_counter(), time.process_time()
    while True:
        step()
        steps += 1
        dt = time.perf_counter() - t0
        if dt >= seconds and steps >= 3:
            return steps * batch / dt, steps * batch / (time.process_time() - c0), steps


p = argparse.ArgumentParser()
p.add_argument("--widths", type=int, nargs="+", default=[16, 64])
p.add_argument("--batch", type=int, default=128)
p.add_argument("--threads", type=int, default=2)
p.add_argument("--seconds", type=float, default=20.0)
p.add_argument("--warmup", type=int, default=2)
args = p.parse_args()
torch.set_num_threads(args.threads)
# PyTorch's convolutions and matrix products run on its own bundled oneDNN/MKL, not on the OpenBLAS that
# threadpoolctl finds (NumPy's, loaded alongside): report PyTorch's kernels' vector ISA and threads instead.
torch_blas = {"library": "PyTorch " + "/".join(n for n, ok in (("oneDNN", torch.backends.mkldnn.is_available()),
                                                              ("MKL", torch.backends.mkl.is_available())) if ok),
              "version": torch.__version__, "core": torch.backends.cpu.get_cpu_capability(),
              "threads": torch.get_num_threads(), "numpy_openblas": blas_info()}
out = {"torch": torch.__version__, "blas": torch_blas, "threads": torch.get_num_threads(),
       "mkldnn": torch.backends.mkldnn.is_available(), "results": []}
for w in args.widths:
    ips, ipc, steps = throughput(w, args.batch, args.seconds, args.warmup)
    out["results"].append({"width": w, "images_per_second": ips, "images_per_cpu_second": ipc, "steps": steps})
print(json.dumps(out))
