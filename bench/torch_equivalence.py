#!/usr/bin/env python3
"""PyTorch side of the toolkit's equivalence test (Tests/NetsTests/TorchEquivalenceTests.swift).

`train` builds NCResNet (bench/nc_resnet_torch.py) and writes into --out:
  init.safetensors     the initial state_dict (what `collapse train --init` reads)
  batches.safetensors  images [steps, B, C, H, W] float32 (NCHW, samples as rows), labels [steps, B] int64,
                       and one extra batch `eval_images` [B, C, H, W]
  torch32.safetensors  `loss` [steps] (float64 copies of the float32 losses, before each update), the final
                       state_dict, and `eval_logits` [B, K] of the final model in eval mode
  torch64.safetensors  the same run in float64 from the same initial weights: the reference against which
                       float32 round-off is measured
The run: `steps` SGD steps in train mode (BN batch statistics, running statistics with momentum 0.1),
torch.optim.SGD with momentum and one weight decay per group (backbone, head, classifier), constant lr.

`eval` loads --weights with load_state_dict(strict=True) (the toolkit's --export-weights file) and writes
the eval-mode logits of `eval_images` from --batches to --out as `logits` [B, K] float32.
"""
import argparse, json, sys

import torch
from safetensors.torch import load_file, save_file

sys.path.insert(0, __import__("os").path.dirname(__file__))
from nc_resnet_torch import NCResNet, loss_fn  # noqa: E402


def model_from(a):
    return NCResNet(in_channels=a.channels, width=a.width, blocks=a.blocks, head_widths=a.head_widths,
                    head_bias=a.head_bias, classes=a.classes, classifier_bias=a.classifier_bias,
                    stem=a.stem, init=a.init)


def run(model, images, labels, eval_images, a, dtype):
    model = model.to(dtype)
    opt = torch.optim.SGD(model.parameter_groups(a.wd_backbone, a.wd_head, a.wd_classifier), lr=a.lr,
                          momentum=a.momentum)
    model.train()
    losses = []
    for t in range(a.steps):
        opt.zero_grad()
        loss = loss_fn(a.loss, model(images[t].to(dtype)), labels[t], a.classes)
        loss.backward()
        opt.step()
        losses.append(float(loss.detach()))
    model.eval()
    with torch.no_grad():
        logits = model(eval_images.to(dtype))
    out = {k: v.detach().clone().contiguous() for k, v in model.state_dict().items()}
    out["loss"] = torch.tensor(losses, dtype=torch.float64)
    out["eval_logits"] = logits.contiguous()
    return out


def main():
    p = argparse.ArgumentParser()
    p.add_argument("mode", choices=["train", "eval"])
    p.add_argument("--out", required=True)
    p.add_argument("--config", help="train: JSON with the network, data and optimizer settings")
    p.add_argument("--weights")
    p.add_argument("--batches")
    a = p.parse_args()
    torch.set_num_threads(1)
    if a.mode == "eval":
        c = argparse.Namespace(**json.load(open(a.config)))
        model = model_from(c)
        model.load_state_dict(load_file(a.weights), strict=True)
        model.eval()
        with torch.no_grad():
            logits = model(load_file(a.batches)["eval_images"])
        save_file({"logits": logits.contiguous()}, a.out)
        return
    c = argparse.Namespace(**json.load(open(a.config)))
    torch.manual_seed(c.seed)
    model = model_from(c)
    init = {k: v.detach().clone().contiguous() for k, v in model.state_dict().items()}
    g = torch.Generator().manual_seed(c.seed + 1)
    shape = (c.steps, c.batch, c.channels, c.size, c.size)
    # A learnable problem (random dynamics amplify round-off chaotically): each class a fixed random
    # pattern, each image its class's pattern plus noise; every class in every batch, in shuffled order.
    patterns = torch.randn((c.classes,) + shape[2:], generator=g)
    labels = torch.stack([torch.arange(c.batch)[torch.randperm(c.batch, generator=g)] % c.classes for _ in range(c.steps)])
    images = patterns[labels] + c.noise * torch.randn(shape, generator=g)
    eval_labels = torch.arange(c.batch) % c.classes
    eval_images = patterns[eval_labels] + c.noise * torch.randn(shape[1:], generator=g)
    save_file(init, f"{a.out}/init.safetensors")
    save_file({"images": images, "labels": labels, "eval_images": eval_images}, f"{a.out}/batches.safetensors")
    m32 = model_from(c); m32.load_state_dict(init)
    save_file(run(m32, images, labels, eval_images, c, torch.float32), f"{a.out}/torch32.safetensors")
    m64 = model_from(c); m64.load_state_dict(init)
    save_file(run(m64, images, labels, eval_images, c, torch.float64), f"{a.out}/torch64.safetensors")


if __name__ == "__main__":
    main()
